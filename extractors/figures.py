"""Find the figures in one cleaned sentence: amounts, growth rates, shares and ranks.

Input is a sentence of normalised text (ASCII digits, ``%``, ``,``); output is a list of
figure records with spans in that sentence. Nothing here knows about indicators: deciding what
a figure measures is the job of ``frames.py``.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .numbers import NUMERAL, NUMERAL_END, PER_UNIT_MULTIPLE, SCALE, parse_amount, parse_multiple, parse_percent
from .vocab import load_table


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    text: str
    value: float
    unit: str  # CNY, USD, count, person_time; "" for a bare scale (1.62亿) to be decided by context
    kind: str  # money, count, person_time, scaled (a scale word with no unit)
    bound: str
    noun: str  # the counted noun right after a count (个项目 -> 项目), else ""
    tail: int = -1  # end of the figure with the bound words after it (30个以上); -1: same as end
    high: float | None = None  # the high end of a range (3至5个: value 3, high 5; bound "range")


@dataclass(frozen=True)
class Growth:
    start: int
    end: int
    text: str
    pct: float
    bound: str
    listed: bool  # part of a 分别 list, or followed by more growth values
    high: float | None = None  # the high end of a range (增长4.5%—5%: pct 4.5, high 5; bound "range")


@dataclass(frozen=True)
class Share:
    start: int
    end: int
    text: str
    pct: float
    bound: str
    lead_start: int  # where 占/比重 begins: words between it and the number name the total
    continues: bool = False  # the share once more: a later level (从40.3%提高到45.4%) or the next item's


@dataclass(frozen=True)
class Rank:
    start: int
    end: int
    text: str
    rank: int
    scope: str


Figure = Amount | Growth | Share | Rank


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def rule_list(name: str) -> str:
    """One list of figure_rules.csv as a regex alternation."""
    return _alternation([r["word"] for r in load_table("figure_rules.csv", ("list", "word")) if r["list"] == name])


@dataclass(frozen=True)
class _Patterns:
    cue: regex.Pattern
    amount: regex.Pattern
    growth: regex.Pattern
    growth_more: regex.Pattern
    share: regex.Pattern
    rank: regex.Pattern
    per_unit: regex.Pattern
    ordinal: regex.Pattern
    units: dict[str, tuple[str, str]]
    pre_bounds: dict[str, str]
    post_bounds: dict[str, str]
    growth_sign: dict[str, int]
    doubling: dict[str, float]
    share_not_total: regex.Pattern


@cache
def patterns() -> _Patterns:
    units = {r["word"]: (r["unit"], r["kind"]) for r in load_table("units.csv", ("word", "unit", "kind"))}
    bounds = load_table("bounds.csv", ("word", "position", "bound"))
    pre = {r["word"]: r["bound"] for r in bounds if r["position"] == "pre"}
    post = {r["word"]: r["bound"] for r in bounds if r["position"] == "post"}
    signs = {r["word"]: int(r["sign"]) for r in load_table("growth_words.csv", ("word", "sign"))}
    doubling = {}
    for row in load_table("figure_rules.csv", ("list", "word", "why")):
        if row["list"] == "doubling":
            for word in row["word"].split("|"):
                doubling[word] = float(row["why"])
    unit_alt = _alternation(list(units))
    post_alt = _alternation(list(post))
    growth_alt = _alternation(list(signs))
    amount = regex.compile(
        rf"(?P<pre>{_alternation(list(pre))})?(?P<num>{NUMERAL})(?:{RANGE_TO}(?P<high>{NUMERAL}))?(?P<approx>余|多)?"
        rf"(?P<scale>{SCALE})?(?P<approx2>余|多)?(?P<unit>{unit_alt})?(?P<post>{post_alt})?"
    )
    pre_alt = _alternation(list(pre))
    # 增长8.5%, 增长近20%, 增长超1倍, 增长两成, 增长4.5%—5%
    rate = (rf"(?P<pre>{pre_alt})?(?P<num>{NUMERAL})"
            rf"(?:%?{RANGE_TO}(?P<high>{NUMERAL})(?P<pct>%)|(?P<pct>%|{PER_UNIT_MULTIPLE}))")
    growth = regex.compile(
        rf"(?P<notyoy>{rule_list('growth_not_yoy')})?(?:{rule_list('growth_base')})?(?:分别)?"
        rf"(?:(?P<dir>{growth_alt})了?|(?P<rate>{rule_list('growth_rate_noun')})(?:为|达到|达)?)"
        rf"(?:{rate}|(?P<double>{_alternation(list(doubling))}))"
        rf"(?P<post>{post_alt})?(?!个百分点|\d)"
        rf"|(?P<double2>{_alternation(list(doubling))})"
    )
    growth_more = regex.compile(rf"(?:、|和|及|与|,)(?:(?P<dir>{growth_alt})了?)?{rate}(?P<post>{post_alt})?(?!个百分点)")
    share = regex.compile(
        rf"(?:{rule_list('share_lead')})(?P<of>[^,;:%。]{{0,16}}?)(?P<pre>超过|达到|达|为|近|约)?"
        rf"(?P<num>{NUMERAL})%(?P<post>{post_alt})?"
    )
    rank = regex.compile(
        rf"(?:{rule_list('rank_lead')})(?P<scope>{rule_list('rank_scope')})(?:第(?P<num>{NUMERAL})|(?P<first>首位))位?"
    )
    # What every figure holds, so that the four scans run only on sentences that have it (four
    # in five have none): an amount's numeral with a scale or unit after it, a growth's % or
    # 倍 or 成 or doubling word, a share's %, a rank's 第 or 首位, a bare scale's 亿 or unit (逾万户)
    cue = regex.compile(rf"[%倍第亿]|首位|{_alternation(list(doubling))}|{NUMERAL_END}(?:{PER_UNIT_MULTIPLE})"
                        rf"|{NUMERAL_END}(?:余|多){{0,2}}(?:{SCALE}|{unit_alt})|(?:{SCALE})(?:{unit_alt})")
    return _Patterns(
        cue=cue,
        amount=amount,
        growth=growth,
        growth_more=growth_more,
        share=share,
        rank=rank,
        per_unit=regex.compile(rule_list("per_unit_in_clause")),
        ordinal=regex.compile(rf"(?:{rule_list('ordinal_before')})$"),
        units=units,
        pre_bounds=pre,
        post_bounds=post,
        growth_sign=signs,
        doubling=doubling,
        share_not_total=regex.compile(rule_list("share_not_total")),
    )


# ①…⑳, ⑴…⒇, ❶…❿ open the items of an enumerated list: each item is a clause of its own
LIST_MARKS = "\u2460-\u2473\u2474-\u2487\u2776-\u277f"
_CLAUSE_BREAK = regex.compile(rf"[,:;。{LIST_MARKS}]")
# a comma-level clause's end: what the resolvers mean by "its own clause"
CLAUSE_END = regex.compile(r"[,:;。()]")
_COUNTED_NOUN = regex.compile(r"[^,:;。、]{0,12}?(?:项目|企业|市场主体|公司|机构|平台)")


def break_before(text: str, pattern: regex.Pattern, pos: int) -> int:
    """Where the text after the last match of ``pattern`` (one character class) before ``pos``
    starts, else 0. The matches are found once per text: a long unpunctuated text is not
    rescanned for every figure."""
    ends = _match_ends(pattern, text)
    n = bisect.bisect_right(ends, pos)
    return ends[n - 1] if n else 0


@lru_cache(maxsize=64)  # a sentence's figures ask about the same few patterns
def _match_ends(pattern: regex.Pattern, text: str) -> list[int]:
    return [m.end() for m in pattern.finditer(text)]


def _clause_start(sentence: str, pos: int) -> int:
    return break_before(sentence, _CLAUSE_BREAK, pos)


def _bound(pre: str | None, post: str | None, approx_suffix: bool, p: _Patterns) -> str:
    if post:
        return p.post_bounds[post]
    if approx_suffix:
        return "at_least"
    if pre:
        return p.pre_bounds[pre]
    return "exact"


def _amounts(sentence: str, p: _Patterns) -> list[Amount]:
    found = []
    # most sentences hold no per-unit word: then no clause of theirs does (its words look at
    # nothing past the figure they precede)
    per_unit = p.per_unit.search(sentence)
    for m in p.amount.finditer(sentence):
        unit_word, scale = m["unit"], m["scale"] or ""
        if not unit_word and not scale:
            continue
        num_start = m.start("num")
        if p.ordinal.search(sentence, max(0, num_start - 2), num_start):
            continue
        if (per_unit is not None and per_unit.start() < num_start
                and p.per_unit.search(sentence, max(per_unit.start(), _clause_start(sentence, num_start)), num_start)):
            continue
        value = parse_amount(m["num"], scale)
        if value is None:
            continue
        high = _range_high(value, parse_amount(m["high"], scale)) if m["high"] else None
        if unit_word:
            unit, kind = p.units[unit_word]
        elif (m.end() < len(sentence) and _WORD_CHAR.match(sentence, m.end()) and sentence[m.end()] not in "的,"
              and not _MILESTONE.match(sentence, m.end())):
            # 3000亿立方米, 5万吨: a scale followed by a unit we do not track
            continue
        else:
            unit, kind = "CNY", "scaled"
        noun = ""
        if kind == "count":
            nm = _COUNTED_NOUN.match(sentence, m.end())
            noun = nm.group(0) if nm else ""
        # the figure as written: from the number to its unit (or scale), without bound words
        end = next(m.end(g) for g in ("unit", "approx2", "scale") if m[g])
        found.append(Amount(
            start=num_start, end=end, text=sentence[num_start:end], value=value, unit=unit, kind=kind,
            bound="range" if high else _bound(m["pre"], m["post"], bool(m["approx"] or m["approx2"]), p), noun=noun,
            tail=m.end(), high=high,
        ))
    for m in _BARE_SCALE.finditer(sentence) if not _SCALE_CHARS.isdisjoint(sentence) else ():
        # 突破万亿元, 近千亿元, 逾万家: a milestone written with its scale word alone is one of that scale
        group = "scale" if m["scale"] else "count_scale"
        unit, kind = (p.units[m["unit"]] if m["unit"] else ("CNY", "scaled"))
        nm = _COUNTED_NOUN.match(sentence, m.end()) if kind == "count" else None
        found.append(Amount(start=m.start(group), end=m.end(), text=sentence[m.start(group):m.end()],
                            value=float(_SCALE_ONE[m[group]]), unit=unit, kind=kind,
                            bound=p.pre_bounds.get(m["pre"], "exact"), noun=nm.group(0) if nm else "", tail=m.end()))
    return sorted(found, key=lambda a: a.start)


_WORD_CHAR = regex.compile(r"[\p{Han}A-Za-z]")
# 迈上5万亿台阶: a scale before a milestone word is money, not a unit we do not track
_MILESTONE = regex.compile(r"台阶|大关|关口")
_SCALE_ONE = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "万": 10**4, "千": 10**3, "百": 10**2}
_SCALE_CHARS = frozenset("亿万千百")
# a money milestone (突破千亿元, 近万亿) or a count of a round number (逾万家, 超千户, 近万人次)
_BARE_SCALE = regex.compile(
    r"(?P<pre>突破|超过|超|达到|达|迈上|跨上|跨越|逾|将近|近)"
    r"(?:(?P<scale>万亿|千亿|百亿)(?P<unit>元|美元)?|(?P<count_scale>万|千|百)(?P<unit>人次|家|户|个|项|宗))(?![级以\d])")


def _growth_value(num: str | None, pct_sign: str | None, double: str | None, p: _Patterns) -> float | None:
    if double:
        return p.doubling[double]
    if pct_sign != "%":
        return parse_multiple(num + pct_sign)
    return parse_percent(num + "%")


def _growth_bound(m: regex.Match, value: float, p: _Patterns) -> tuple[str, float | None]:
    """The bound of a growth whose value (its low end, unsigned) is ``value``, and its high end:
    增长4.5%—5% a range; 增长20%以上 by the word after it, 增长近20% by the word before the
    number; else exact."""
    high = _range_high(value, _growth_value(m["high"], m["pct"], None, p)) if m["high"] else None
    if high is not None:
        return "range", high
    if m["post"]:
        return p.post_bounds[m["post"]], None
    return (p.pre_bounds[m["pre"]] if m["pre"] else "exact"), None


# the dash or word between the ends of a range (4.5%—5%, 3至5个); 〜 and full-width forms are
# mapped to ASCII before the rules see the text
RANGE_TO = r"(?:[—–~\-]|至|到)"


def _range_high(low: float | None, high: float | None) -> float | None:
    """The high end of a range, where it is one (5至3 is not)."""
    return high if low is not None and high is not None and high > low else None


def _growths(sentence: str, p: _Patterns) -> list[Growth]:
    found: list[Growth] = []
    pos = 0
    while True:
        m = p.growth.search(sentence, pos)
        if not m:
            return found
        pos = m.end()
        if m["notyoy"]:
            continue
        double = m["double"] or m["double2"]
        value = _growth_value(m["num"], m["pct"], double, p)
        if value is None:
            continue
        sign = p.growth_sign.get(m["dir"] or "", 1)
        start = m.start("dir") if m["dir"] else (m.start("rate") if m["rate"] else m.start())
        first_sign = sign
        more = []
        while (n := p.growth_more.match(sentence, pos)) is not None:
            if n["dir"]:
                sign = p.growth_sign[n["dir"]]
            v = _growth_value(n["num"], n["pct"], None, p)
            if v is None:
                break
            bound, high = _growth_bound(n, v, p)
            more.append((n.start() + 1, n.end(), sign * v, bound, None if high is None else sign * high))
            pos = n.end()
        listed = bool(more) or "分别" in m.group(0)
        bound, high = _growth_bound(m, value, p)
        found.append(Growth(start, m.end(), sentence[start:m.end()], first_sign * value, bound, listed,
                            None if high is None else first_sign * high))
        found += [Growth(s, e, sentence[s:e], v, b, True, h) for s, e, v, b, h in more]


def _shares(sentence: str, p: _Patterns) -> list[Share]:
    found = []
    for m in p.share.finditer(sentence):
        if p.share_not_total.search(m["of"] or ""):
            continue
        value = parse_percent(m["num"] + "%")
        if value is None:
            continue
        bound = p.post_bounds[m["post"]] if m["post"] else ("at_least" if m["pre"] == "超过" else "exact")
        found.append(Share(m.start("num"), m.end("num") + 1, sentence[m.start("num"):m.end("num") + 1], value, bound,
                           m.start()))
        end = m.end()
        while (more := _SHARE_MORE.match(sentence, end)) and (value := parse_percent(more["num"] + "%")) is not None:
            # 比重从40.3%提高到45.4%, 比重分别达56.2%、34.7%: the same share again, later or of the next item
            found.append(Share(more.start("num"), more.end("num") + 1, sentence[more.start("num"):more.end("num") + 1],
                               value, p.post_bounds[more["post"]] if more["post"] else "exact", m.start(), continues=True))
            end = more.end()
    return found


_SHARE_MORE = regex.compile(
    rf"(?:、|和|(?:提高|提升|上升|增加|扩大|下降|降低|回落|降)(?:到|至)|增至|降至)(?P<num>{NUMERAL})%(?P<post>以上|左右)?")


def _ranks(sentence: str, p: _Patterns) -> list[Rank]:
    found = []
    for m in p.rank.finditer(sentence):
        value = 1.0 if m["first"] else parse_amount(m["num"], "")
        if value is None or value != int(value) or not 0 < value < 1000:
            continue
        found.append(Rank(m.start(), m.end(), m.group(0), int(value), m["scope"]))
    return found


def _overlaps(amount: Amount, starts: list[int], reach: list[int]) -> bool:
    """Whether a span starting before the amount's end runs past its start."""
    n = bisect.bisect_left(starts, amount.end)
    return n > 0 and reach[n - 1] > amount.start


def find_figures(sentence: str) -> list[Figure]:
    """Every figure in ``sentence``, in order; growth and share spans never overlap an amount."""
    p = patterns()
    if not p.cue.search(sentence):
        return []
    growths = _growths(sentence, p)
    shares = _shares(sentence, p)
    taken = sorted((f.start, f.end) for f in (*growths, *shares))
    starts = [s for s, _ in taken]
    reach = list(itertools.accumulate((e for _, e in taken), max))  # furthest end so far
    amounts = [a for a in _amounts(sentence, p) if not _overlaps(a, starts, reach)]
    figures: list[Figure] = [*amounts, *growths, *shares, *_ranks(sentence, p)]
    return sorted(figures, key=lambda f: (f.start, f.end))
