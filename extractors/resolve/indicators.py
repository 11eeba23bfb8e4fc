"""Find the wording that names an indicator (rules in data/zh/indicator_terms.csv)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from ..vocab import load_table


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    code: str
    kind: str  # money, count, person_time
    subject: str  # a subject the wording implies (工业投资 -> 工业), else ""
    verb_only: bool


@dataclass(frozen=True)
class _Term:
    code: str
    pattern: regex.Pattern
    kind: str
    subject: str
    verb_only: bool
    # the characters every match starts with (None: not known from the pattern's text); a
    # sentence with none of them is not searched for the term
    first: frozenset[str] | None = None


_PLAIN_START = regex.compile(r"\p{Han}")


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The first characters of a pattern's top-level alternatives when each starts with a plain
    Han character (外贸进出口总额|进出口 -> {外, 进}); None when any starts otherwise."""
    alternatives, depth, start = [], 0, 0
    for i, c in enumerate(pattern):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
    alternatives.append(pattern[start:])
    firsts = set()
    for alt in alternatives:
        if not _PLAIN_START.match(alt) or alt[1:2] in ("?", "*", "{"):
            return None
        firsts.add(alt[0])
    return frozenset(firsts)


@cache
def _terms() -> tuple[_Term, ...]:
    rows = load_table("indicator_terms.csv", ("code", "term", "kind", "subject", "verb_only"))
    terms = []
    for row in rows:
        try:
            pattern = regex.compile(row["term"])
        except regex.error as e:
            raise ValueError(f"indicator_terms.csv: bad term for {row['code']}: {row['term']!r}: {e}") from e
        terms.append(_Term(row["code"], pattern, row["kind"], row["subject"], row["verb_only"] == "1",
                           _first_chars(row["term"])))
    return tuple(terms) + (_retail_segment_term(),)


_RETAIL_MEASURE = regex.compile(r"(?:零售额|零售|收入)$")


def _retail_segment_term() -> _Term:
    """The segments of retail sales that NBS releases report (retail_segments.csv: 餐饮收入,
    城镇消费品零售额, 网上零售额) as retail sales of that segment."""
    parts = {_RETAIL_MEASURE.sub("", r["name"]) for r in load_table("retail_segments.csv", ("name",))
             if _RETAIL_MEASURE.search(r["name"])}
    alternation = "|".join(regex.escape(p) for p in sorted(parts, key=len, reverse=True))
    scope = "|".join(regex.escape(r["name"]) for r in load_table("retail_segments.csv", ("name", "kind"))
                     if r["kind"] == "by_scope" and not _RETAIL_MEASURE.search(r["name"]))
    # 限额以上单位网上零售额: the scope of units counted is part of the segment
    return _Term("retail_sales", regex.compile(rf"(?P<subject>(?:{scope}|限上单位|限上)?(?:{alternation}))(?:零售额|零售|收入)"),
                 "money", "", False)


_LIST_JOINERS = ("、", "和", "与", "及")
_LISTED_WORD = 4  # 农村居民, 民营经济: a short subject word after 、 ends a list; a long one is a name


def find_mentions(text: str) -> list[Mention]:
    """Non-overlapping indicator mentions, left to right; where terms overlap the longest wins."""
    candidates = []
    heads: dict[Mention, Mention] = {}  # a mention whose subject word may close a list -> its head word alone
    chars = set(text)
    for term in _terms():
        if term.first is not None and chars.isdisjoint(term.first):
            continue
        for m in term.pattern.finditer(text, overlapped=True):
            if m.end() == m.start():
                continue
            start, subject = m.start(), term.subject or (m.groupdict().get("subject") or "")
            named = m.groupdict().get("subject")
            if named and m.start("subject") == start and (wider := _wider_sector(text, start, m.end("subject"))) < start:
                start, subject, named = wider, text[wider:m.end("subject")], None  # 高技术|制造业投资
            mention = Mention(start, m.end(), text[start:m.end()], term.code, term.kind, subject, term.verb_only)
            if (named and m.start("subject") == start and len(named) <= _LISTED_WORD and m.end() > m.end("subject")
                    and text[start - 1:start] in _LIST_JOINERS):
                cut = m.end("subject")
                heads[mention] = Mention(cut, m.end(), text[cut:m.end()], term.code, term.kind, term.subject, term.verb_only)
            candidates.append(mention)
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[Mention] = []
    for c in candidates:
        if chosen and c.start < chosen[-1].end:
            continue
        if c in heads and not (chosen and chosen[-1].code == c.code and chosen[-1].end == c.start - 1):
            # 城镇、农村居民人均可支配收入: the subject word closes a list of modifiers, which gives the
            # subjects; after a mention of its own (国内游客、入境游客数量) it is a subject like that one
            c = heads[c]
        chosen.append(c)
    return chosen


def _wider_sector(text: str, start: int, end: int) -> int:
    """Where the longest sectors.csv name ending at ``end`` and starting before ``start`` starts
    (高技术制造业 before 投资, where the term names 制造业), else ``start``."""
    sectors = _sectors()
    for begin in range(max(0, end - _longest_sector()), start):
        if text[begin:end] in sectors:
            return begin
    return start


@cache
def _longest_sector() -> int:
    return max(map(len, _sectors()))


OUTSIDE = "-"  # a measure outside the contract: found only to keep its figures from others
NEEDS_SUBJECT = "?"  # a measure that is the contract's indicator only for a named part

# A code pair `general|industrial` (gdp|industrial_value_added) names a measure whose code
# depends on the part of the economy it is about: industry's value added is its own indicator.
_INDUSTRY_SUFFIX = regex.compile(r"(?:制造业?|工业|产业|行业|材料|采矿业|矿业)$")
_SERVICE_SUFFIX = regex.compile(r"(?:服务业?|金融业|商贸|物流|经济)$")


@cache
def _sectors() -> dict[str, tuple[str, str]]:
    """Each sector name, and the first part of a name joined by 、 (信息传输 of 信息传输、软件和信息技术
    服务业): a list such as 信息传输、租赁和商务服务业 cuts the official name there."""
    names = {r["name"]: (r["kind"], r["family"]) for r in load_table("sectors.csv", ("name", "kind", "family"))}
    heads = {name.split("、")[0]: sector for name, sector in names.items() if "、" in name}
    return {**heads, **names}


# parts whose 增加值 is a share of GDP, not of industry: services, farming, construction, a whole
# 产业 of the three (第二产业 holds construction too) and economy-wide groups (数字经济核心产业)
_GDP_FAMILIES = ("service", "agriculture", "construction")


def value_added_is_gdp(subject: str) -> bool:
    """Whether the 增加值 of ``subject`` is GDP with that subject (else industrial value added):
    by the sectors.csv name it ends with (规上高技术制造业 -> 高技术制造业), else its last word."""
    sectors = _sectors()
    for i in range(len(subject) - 1):
        if subject[i:] in sectors:
            kind, family = sectors[subject[i:]]
            return family in _GDP_FAMILIES or kind == "tertiary" and family != "industry" or "经济" in subject[i:]
    if _SERVICE_SUFFIX.search(subject):
        return True
    return not _INDUSTRY_SUFFIX.search(subject) and "经济" in subject


def by_sector(code: str, subject: str) -> str | None:
    """The indicator a mention's code gives for ``subject``; None for a measure outside the
    contract, and for a sector measure whose part is not named (a bare 增加值 says nothing)."""
    if code == OUTSIDE:
        return None
    if code.startswith(NEEDS_SUBJECT):
        return code[1:] if subject else None
    if "|" not in code:
        return code
    general, industrial = code.split("|")
    if not subject:
        return None
    return general if value_added_is_gdp(subject) else industrial
