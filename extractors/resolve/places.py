"""The areas a sentence names, and which of them the sentence's figures may be about.

Input: a cleaned sentence, the home area of its article and the sentence's indicator mentions.
Output: (start, end, Place) for each place named as an area, left to right. Names that are not
areas are left out: a place in quotes or in a route (“乐购辽宁”, 西宁—成都), the venue of an
event (在厦门举办推介会), a place inside examples before 等, a place before a word that makes it an institution (长沙海关); the home
area's self references (全市, 我县) resolve to it; wider ones (全省, 全国) and a province's short
name count only where a figure follows at once, and speak for their own clause only.
"""
from __future__ import annotations

import bisect
from functools import cache

import regex

from ..figures import CLAUSE_END, break_before
from ..model import Place
from ..vocab import load_table
from .indicators import Mention
from .regions import gazetteer

LEVEL_RANK = {"country": 0, "province": 1, "city": 2, "county": 3, "township": 4}
_SELF_REFERENCE = regex.compile(r"(?:全|我|本|该)(?:市|县|区|州|镇|乡)")
# 全省/全国 above the home area mostly scope a rank or name an event in local news (全国工业APP
# 大赛); they are the area only where a figure or an indicator follows at once (全国5963元,
# 全省规模以上工业增加值增长6%); a province's short name only where it opens a clause
_WIDER_REFERENCE = regex.compile(r"(?:全|我|本)省|全国|我国|国内")
# 国内 heading a measure is its domestic kind (国内旅游收入), except in the country's accounts
_DOMESTIC_KIND = regex.compile(r"国内(?!生产总值)")
_WIDER_REACH = 4  # characters (的, 平均, 实现, 货物贸易) that may stand between such a word and its figure
_CLAUSE_OPENS = regex.compile(r"(?<![\p{Han}])|(?<=[年月度期来])")


@cache
def _place_context() -> regex.Pattern:
    words = [r["word"] for r in load_table("place_context.csv", ("word",))]
    return regex.compile("|".join(sorted(words, key=len, reverse=True)))


def sentence_places(sentence: str, home: Place | None, mentions: tuple[Mention, ...] = ()) -> list[tuple[int, int, Place]]:
    """The places ``sentence`` names as areas, left to right (see the module's docstring)."""
    mention_starts = tuple(m.start for m in mentions)
    mention_spans = [(m.start, m.end) for m in mentions]
    found = []
    context = _place_context()
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(sentence)]
    examples = "等" in sentence
    for start, end, place in gazetteer().find(sentence, context=home):
        if context.match(sentence, end) or _ROUTE_BEFORE.search(sentence, max(0, start - 1), start) \
                or _ROUTE_AFTER.match(sentence, end) or any(q0 < start < q1 for q0, q1 in quoted) \
                or _is_venue(sentence, start, end) or (examples and _EXAMPLE_AFTER.match(sentence, end)):
            continue  # “乐购辽宁”, 西宁—成都—曼谷航线, 重庆东至黔江段, 在厦门举办: a name, route or venue
        if place.level == "province" and sentence[start:end] != place.name and not (
                _CLAUSE_OPENS.match(sentence, start) and _figure_follows(sentence, end, mention_starts)):
            continue  # 湖南 inside a company or base name (中盐红四方湖南生产基地) is not the area
        found.append((start, end, place))
    for m in _WIDER_REFERENCE.finditer(sentence):
        if (context.match(sentence, m.end()) or _SHARE_BASE.search(sentence, max(0, m.start() - 2), m.start())
                or not _figure_follows(sentence, m.end(), mention_starts)
                or any(s <= m.start() < e for s, e in mention_spans)
                or (_DOMESTIC_KIND.match(sentence, m.start()) and m.end() in mention_starts)):
            continue  # 占全国1/3 is a share's base; 到位国内省外资金, 国内旅游收入 an indicator's own word
        place = gazetteer().from_self_reference(m.group(0).replace("国内", "全国"), home)
        if place is not None:
            found.append((m.start(), m.end(), place))
    for m in _SELF_REFERENCE.finditer(sentence):
        if context.match(sentence, m.end()):
            continue
        place = gazetteer().from_self_reference(m.group(0), home)
        if place is not None:
            found.append((m.start(), m.end(), place))
    found.sort(key=lambda f: f[0])
    # 醴陵市、炎陵县国家全域旅游示范区: places listed together name no single area for later figures
    listed = {i for i in range(len(found) - 1)
              if _PLACE_LIST_JOIN.fullmatch(sentence, found[i][1], found[i + 1][0])}
    listed |= {i + 1 for i in listed}
    return [f for i, f in enumerate(found) if i not in listed]


_PLACE_LIST_JOIN = regex.compile(r"、|和|及|与")
# 揭阳中石油炼化一体化等23个项目, 徽州鱼灯等: a place inside the examples before 等 names no area
_EXAMPLE_AFTER = regex.compile(r"[^,:;。]{0,30}?等(?![级次])")
_QUOTED = regex.compile(r"[“\"《「][^”\"》」]{1,30}[”\"》」]")
_ROUTE_BEFORE = regex.compile(r"[—－~～]|(?<!\d)至")
_ROUTE_AFTER = regex.compile(r"\p{Han}?(?:[—－~～]|至(?![今\d]))")
_DIGIT = regex.compile(r"\d")
_SHARE_BASE = regex.compile(r"占|比|于|较")


def wider_elsewhere(place: tuple[int, int, Place], home: Place | None, sentence: str, anchor: int) -> bool:
    """A place wider than the home area (全国增长5.2%, 高于全省) speaks for the figures of its own
    clause only: a later clause goes back to the home area."""
    level = place[2].level
    wider = home is not None and level in ("country", "province") and LEVEL_RANK[level] < LEVEL_RANK[home.level]
    return wider and break_before(sentence, CLAUSE_END, anchor) > place[0]


def _figure_follows(sentence: str, end: int, mention_starts: tuple[int, ...]) -> bool:
    """A number or an indicator's wording starts within a few characters after ``end``."""
    i = bisect.bisect_left(mention_starts, end)
    if i < len(mention_starts) and mention_starts[i] - end <= _WIDER_REACH:
        return True
    return bool(_DIGIT.search(sentence, end, min(len(sentence), end + _WIDER_REACH + 1)))


@cache
def _venue_cues() -> tuple[regex.Pattern, regex.Pattern]:
    rows = load_table("venue_cues.csv", ("kind", "word"))
    words = {kind: [r["word"] for r in rows if r["kind"] == kind] for kind in ("before", "event")}
    return regex.compile(f"(?:{'|'.join(words['before'])})$"), regex.compile("|".join(words["event"]))


def _is_venue(sentence: str, start: int, end: int) -> bool:
    """在厦门举办推介会: the place an event is held in, named after 在/赴 with the event in its clause."""
    before, event = _venue_cues()
    if not before.search(sentence, max(0, start - 2), start):
        return False
    clause_end = CLAUSE_END.search(sentence, end)
    return bool(event.search(sentence, end, clause_end.start() if clause_end else len(sentence)))
