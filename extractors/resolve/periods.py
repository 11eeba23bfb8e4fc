"""Finds period wordings (2018年, 1至3月, 一季度, 去年, 近三年, “十三五”时期, 5月11日) and
resolves them to dates.

All wording lives in data files: ``periods.csv`` (words by kind), ``five_year_plans.csv`` and
``period_patterns.csv`` (the patterns, in priority order, each naming the resolver below that
turns its match into a Period). The patterns are compiled into one scanner at import time.

Years are resolved as follows: an explicit year wins; a relative word (今年, 去年) counts from
the topic year (``year_hint``, else the reference date's year); a bare part of a year (1至3月,
一季度) takes ``year_hint``, else the latest year in which it has ended by the reference date;
a bare day takes the year that puts it closest to the reference date (events are announced
ahead and reported after). Without any of these the dates stay None and the type is kept.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import regex

from ..model import Period
from ..numbers import NUMERAL_BOUNDED, parse_numeral
from ..vocab import VocabularyError, load_table

# Longest span a "within N years" or "past N years" wording may name; a larger N is a date
# or an unrelated number (力争2025年), not a span.
_MAX_SPAN_YEARS = 10
_MAX_RANGE_YEARS = 20
# How far a period wording may reach before its first and after its last anchor word
# (“十三五”时期, 力争用2—3年时间, 5月1日至5日), with room for the look-ahead after it.
_REACH_BEFORE = 16
_REACH_AFTER = 20


@dataclass(frozen=True)
class PeriodMention:
    start: int  # span in the given text
    end: int
    text: str  # the wording, e.g. 1至3月, 一季度, 去年, 2018年
    period: Period  # resolved
    carries: bool = True  # whether it governs the following sentences too
    # no year written (2019年, 今年) or carried from the sentences before: a part of a year
    # (上半年, 全年) was then taken in the latest year in which it had ended
    year_guessed: bool = False


_YEAR_PARTS = ("year", "half", "quarter", "month", "ytd")


def not_yet_ended(mention: PeriodMention, ref: date) -> Period | None:
    """The same part of the year in ``ref``'s year, when ``mention``'s year was guessed as the
    year before (the part has not ended this year): what a goal or an estimate is about."""
    period = mention.period
    if (not mention.year_guessed or period.type not in _YEAR_PARTS or period.start is None
            or period.end is None or period.end.year != ref.year - 1 or period.start.year != period.end.year):
        return None
    return Period(period.start.replace(year=ref.year), _month_end(ref.year, period.end.month), period.type, period.text)


@dataclass(frozen=True)
class _Part:
    """A part of a year named by a word, and for relative words the shift from the topic year."""

    start_month: int
    end_month: int
    type: str
    offset: int = 0
    counts_from: str = ""  # rel_year words: "topic" or "now"


@dataclass(frozen=True)
class _Context:
    ref: date | None
    year_hint: int | None
    hint_stated: bool  # the hint is a year written out (2019年), not one derived from 去年

    @property
    def topic_year(self) -> int | None:
        if self.year_hint is not None:
            return self.year_hint
        return self.ref.year if self.ref else None


_WORD_ROWS = load_table(
    "periods.csv", required=("word", "kind", "start_month", "end_month", "offset", "type", "counts_from")
)
_PLANS: dict[str, tuple[int, int]] = {
    r["name"]: (int(r["start_year"]), int(r["end_year"]))
    for r in load_table("five_year_plans.csv", required=("name", "start_year", "end_year"))
}


def _parts(kind: str) -> dict[str, _Part]:
    return {
        r["word"]: _Part(int(r["start_month"]), int(r["end_month"]), r["type"], int(r["offset"] or 0),
                         r["counts_from"])
        for r in _WORD_ROWS
        if r["kind"] == kind
    }


_REL = _parts("rel_year")
_REL_DAY = {r["word"]: int(r["offset"]) for r in _WORD_ROWS if r["kind"] == "rel_day"}
_SUB = _parts("sub")
_SINCE_WORDS = frozenset(r["word"] for r in _WORD_ROWS if r["kind"] == "since")


# --- small date helpers ---------------------------------------------------------------


def _int(s: str | None) -> int | None:
    """An integer numeral (Arabic or Chinese), else None."""
    value = parse_numeral(s) if s else None
    return int(value) if value is not None and value == int(value) else None


def _year_value(s: str) -> int:
    """A year as matched by the YEAR fragment: 2018 or 二〇一八 (read digit by digit)."""
    if s.isascii():
        return int(s)
    return int("".join(str(_int(c)) for c in s))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):  # 3月99999999999999999999日 overflows C int
        return None


def _stated_year(g: dict[str, str], ctx: _Context) -> int | None:
    """The year the wording itself gives: explicit, or relative to the topic year."""
    if "y" in g:
        return _year_value(g["y"])
    if "rel" in g:
        part = _REL[g["rel"]]
        if part.counts_from == "now" and not (part.offset == 0 and ctx.hint_stated) and ctx.ref is not None:
            return ctx.ref.year + part.offset
        if ctx.topic_year is not None:
            return ctx.topic_year + part.offset
    return None


def _stated_or_hinted_year(g: dict[str, str], ctx: _Context) -> int | None:
    """The year the wording states, else the topic year an earlier sentence set, else None."""
    if "y" in g or "rel" in g:
        return _stated_year(g, ctx)
    return ctx.year_hint


def _year_for_months(g: dict[str, str], ctx: _Context, end_month: int) -> int | None:
    """Year of a part of a year ending in ``end_month``: stated, else hint, else the latest ended."""
    if (known := _stated_or_hinted_year(g, ctx)) is not None or ctx.ref is None:
        return known
    return ctx.ref.year if _month_end(ctx.ref.year, end_month) <= ctx.ref else ctx.ref.year - 1


def _year_for_day(g: dict[str, str], ctx: _Context, month: int, day: int) -> int | None:
    """Year of a bare day: stated, else hint, else the year putting it closest to the reference."""
    if (known := _stated_or_hinted_year(g, ctx)) is not None or ctx.ref is None:
        return known
    ref = ctx.ref
    candidates = [d for y in (ref.year - 1, ref.year, ref.year + 1) if (d := _safe_date(y, month, day))]
    return min(candidates, key=lambda d: abs((d - ref).days)).year if candidates else None


def _months_period(year: int | None, m1: int, m2: int, type_: str) -> Period:
    if year is None:
        return Period(None, None, type_)
    return Period(date(year, m1, 1), _month_end(year, m2), type_)


def _valid_month(*months: int | None) -> bool:
    return all(m is not None and 1 <= m <= 12 for m in months)


def _valid_day(month: int | None, day: int | None) -> bool:
    """A month and day that exist in some year (checked against a leap year, for 2月29日)."""
    return _valid_month(month) and day is not None and _safe_date(2000, month, day) is not None


def _range_type(m1: int, m2: int) -> str:
    """A span of months from January is year-to-date (the whole year if it runs to December)."""
    if m1 != 1:
        return "month"
    return "year" if m2 == 12 else "ytd"


# --- resolvers: one per pattern kind; None means "not a period after all" ---------------------

_Resolver = Callable[[dict[str, str], _Context], Period | None]


def _plan(g: dict[str, str], ctx: _Context) -> Period | None:
    start, end = _PLANS[g["plan"]]
    if g["suffix"] in _SINCE_WORDS and ctx.ref is not None:
        # "十四五"以来 written during the plan covers its completed years only.
        end = max(start, min(end, ctx.ref.year - 1))
    return Period(date(start, 1, 1), date(end, 12, 31), "multi_year")


def _year_range(g: dict[str, str], ctx: _Context) -> Period | None:
    y1, y2 = _year_value(g["y1"]), _year_value(g["y2"])
    if not 0 < y2 - y1 <= _MAX_RANGE_YEARS:
        return None
    return Period(date(y1, 1, 1), date(y2, 12, 31), "multi_year")


def _asof_now(g: dict[str, str], ctx: _Context) -> Period | None:
    if ctx.ref is None:
        return Period(None, None, "as_of")
    return Period(date(ctx.ref.year, 1, 1), ctx.ref, "as_of")


def _asof_day(g: dict[str, str], ctx: _Context) -> Period | None:
    month, day = _int(g["m"]), _int(g["d"])
    if not _valid_day(month, day):
        return None
    year = _year_for_months(g, ctx, month) if "y" in g or "rel" in g else _cutoff_year(ctx, month, day)
    if year is None:
        return Period(None, None, "as_of")
    end = _safe_date(year, month, day)
    return Period(date(year, 1, 1), end, "as_of") if end else None


def _cutoff_year(ctx: _Context, month: int, day: int) -> int | None:
    """Year of a cut-off date (截至5月11日): hint, else the latest year not after the reference."""
    if ctx.year_hint is not None:
        return ctx.year_hint
    if ctx.ref is None:
        return None
    same_year = _safe_date(ctx.ref.year, month, day)
    return ctx.ref.year if same_year and same_year <= ctx.ref else ctx.ref.year - 1


def _month_end_period(g: dict[str, str], ctx: _Context) -> Period | None:
    month = _int(g["m"])
    if not _valid_month(month):
        return None
    return _months_period(_year_for_months(g, ctx, month), 1, month, "as_of")


def _year_end(g: dict[str, str], ctx: _Context) -> Period | None:
    return _months_period(_stated_year(g, ctx), 1, 12, "as_of")


def _since(g: dict[str, str], ctx: _Context) -> Period | None:
    counts_from_now = "y" not in g and ("rel" not in g or _REL[g["rel"]].counts_from == "now")
    if counts_from_now and ctx.ref is not None:
        # 今年以来, 今年来: up to now, so "this year" is the year of the reference date
        year = ctx.ref.year + (_REL[g["rel"]].offset if "rel" in g else 0)
    else:
        year = _stated_year(g, ctx) if "y" in g or "rel" in g else ctx.topic_year
    if year is None:
        return Period(None, None, "as_of")
    end = ctx.ref if ctx.ref is not None and ctx.ref.year >= year else None
    return Period(date(year, 1, 1), end, "as_of")


def _day_range(g: dict[str, str], ctx: _Context) -> Period | None:
    m1, d1, d2 = _int(g["m1"]), _int(g["d1"]), _int(g["d2"])
    m2 = _int(g["m2"]) if "m2" in g else m1
    if not (_valid_day(m1, d1) and _valid_day(m2, d2)):
        return None
    year = _year_for_day(g, ctx, m1, d1)
    if year is None:
        return Period(None, None, "day")
    start, end = _safe_date(year, m1, d1), _safe_date(year, m2, d2)
    return Period(start, end, "day") if start and end and start < end else None


def _day(g: dict[str, str], ctx: _Context) -> Period | None:
    month, day = _int(g["m"]), _int(g["d"])
    if not _valid_day(month, day):
        return None
    year = _year_for_day(g, ctx, month, day)
    if year is None:
        return Period(None, None, "day")
    when = _safe_date(year, month, day)
    return Period(when, when, "day") if when else None


def _month_range(g: dict[str, str], ctx: _Context) -> Period | None:
    m1, m2 = _int(g["m1"]), _int(g["m2"])
    if not _valid_month(m1, m2) or m1 >= m2:
        return None
    return _months_period(_year_for_months(g, ctx, m2), m1, m2, _range_type(m1, m2))


def _first_months(g: dict[str, str], ctx: _Context) -> Period | None:
    n = _int(g["n"])
    if n is None or not 2 <= n <= 12:
        return None
    return _months_period(_year_for_months(g, ctx, n), 1, n, _range_type(1, n))


def _sub(g: dict[str, str], ctx: _Context) -> Period | None:
    part = _SUB[g["sub"]]
    year = _year_for_months(g, ctx, part.end_month)
    return _months_period(year, part.start_month, part.end_month, part.type)


def _month(g: dict[str, str], ctx: _Context) -> Period | None:
    month = _int(g["m"])
    if not _valid_month(month):
        return None
    return _months_period(_year_for_months(g, ctx, month), month, month, "month")


def _year(g: dict[str, str], ctx: _Context) -> Period | None:
    year = _year_value(g["y"])
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def _rel(g: dict[str, str], ctx: _Context) -> Period | None:
    part = _REL[g["rel"]]
    return _months_period(_stated_year(g, ctx), part.start_month, part.end_month, part.type)


def _rel_day(g: dict[str, str], ctx: _Context) -> Period | None:
    """昨天, 今日: a day counted from the reference date (the dateline); nothing without one."""
    if ctx.ref is None:
        return None
    day = date.fromordinal(ctx.ref.toordinal() + _REL_DAY[g["relday"]])
    return Period(day, day, "day")


def _recent(g: dict[str, str], ctx: _Context) -> Period | None:
    n = _int(g["n"])
    if n is None or not 2 <= n <= _MAX_SPAN_YEARS:
        return None
    if ctx.ref is None:
        return Period(None, None, "multi_year")
    last = ctx.ref.year - 1  # the years just past, ending with the last complete one
    return Period(date(last - n + 1, 1, 1), date(last, 12, 31), "multi_year")


def _span(g: dict[str, str], ctx: _Context) -> Period | None:
    n = _int(g["n2"]) if "n2" in g else _int(g["n1"])  # 用2—3年时间: the upper bound
    if n is None or not 1 <= n <= _MAX_SPAN_YEARS:
        return None
    first = ctx.ref.year if ctx.ref is not None else ctx.year_hint
    if first is None:
        return Period(None, None, "multi_year")
    return Period(date(first, 1, 1), date(first + n - 1, 12, 31), "multi_year")


_RESOLVERS: dict[str, _Resolver] = {
    "plan": _plan,
    "year_range": _year_range,
    "asof_now": _asof_now,
    "asof_day": _asof_day,
    "month_end": _month_end_period,
    "year_end": _year_end,
    "since": _since,
    "day_range": _day_range,
    "day": _day,
    "month_range": _month_range,
    "first_months": _first_months,
    "sub": _sub,
    "month": _month,
    "year": _year,
    "rel": _rel,
    "rel_day": _rel_day,
    "recent": _recent,
    "span": _span,
}


# --- building the scanner ---------------------------------------------------------------

_PLACEHOLDER_RE = regex.compile(r"%([A-Z_]+)%")
_GROUP_NAME_RE = regex.compile(r"\(\?P<(\w+)>")


def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    def replace(m: regex.Match) -> str:
        if m[1] not in fragments:
            raise VocabularyError(f"period_patterns.csv: unknown placeholder %{m[1]}%")
        return fragments[m[1]]

    return _PLACEHOLDER_RE.sub(replace, pattern)


_Scanner = tuple[regex.Pattern, list[tuple[str, _Resolver, bool]], tuple[regex.Pattern, regex.Pattern], regex.Pattern]


def _build_scanner() -> _Scanner:
    """The combined pattern, each branch's group prefix and resolver, the base checks and the
    deadline check."""
    fragments: dict[str, str] = {"N": NUMERAL_BOUNDED, "PLAN": _alternation(list(_PLANS))}
    by_kind: dict[str, list[str]] = {}
    for r in _WORD_ROWS:
        by_kind.setdefault(r["kind"].upper(), []).append(r["word"])
    fragments.update({kind: _alternation(words) for kind, words in by_kind.items()})

    branches: list[str] = []
    rules: list[tuple[str, _Resolver, bool]] = []
    for row in load_table("period_patterns.csv", required=("name", "resolver", "carries", "pattern")):
        pattern = _expand(row["pattern"], fragments)
        if row["resolver"] == "fragment":
            fragments[row["name"]] = pattern
            continue
        if row["resolver"] not in _RESOLVERS:
            raise VocabularyError(f"period_patterns.csv: unknown resolver {row['resolver']!r}")
        prefix = f"r{len(rules)}_"
        # Each rule's groups get its own prefix, so that all rules fit in one pattern.
        branches.append(f"(?P<r{len(rules)}>" + _GROUP_NAME_RE.sub(rf"(?P<{prefix}\1>", pattern) + ")")
        if row["carries"] not in ("yes", "no"):
            raise VocabularyError(f"period_patterns.csv: carries must be yes or no, not {row['carries']!r}")
        # the rule's own groups, (name in its row, name in the combined pattern): a match of the
        # combined pattern reads only these, not the hundreds of groups of all rules
        groups = tuple((name, prefix + name) for name in dict.fromkeys(_GROUP_NAME_RE.findall(pattern)))
        rules.append((groups, _RESOLVERS[row["resolver"]], row["carries"] == "yes"))
    scanner = regex.compile("|".join(branches))
    # A period right after 比/较 or right before 同期/相比 is a comparison base: the whole
    # wording is dropped (checked after matching, so that no shorter part of it is kept).
    base = (regex.compile(f"(?<=(?:{fragments['BASE_BEFORE']})[“\"]?)"), regex.compile(fragments["BASE_AFTER"]))
    return scanner, rules, base, regex.compile(f"(?<={fragments['DEADLINE_BEFORE']})")


_SCANNER, _RULES, (_BASE_BEFORE_RE, _BASE_AFTER_RE), _DEADLINE_BEFORE_RE = _build_scanner()
_ANCHOR_RE = regex.compile(_alternation([r["word"] for r in _WORD_ROWS if r["kind"] == "anchor"]))


def _windows(text: str) -> Iterator[tuple[int, int]]:
    """Stretches of text around anchor words, merged; periods are only looked for there."""
    start = end = -1
    for m in _ANCHOR_RE.finditer(text):
        lo, hi = max(0, m.start() - _REACH_BEFORE), min(len(text), m.end() + _REACH_AFTER)
        if lo > end:
            if end >= 0:
                yield start, end
            start = lo
        end = hi
    if end >= 0:
        yield start, end


def _resolve(m: regex.Match, ctx: _Context) -> tuple[Period, bool, bool] | None:
    """The match's period, whether it carries, and whether its year was guessed."""
    index = int(m.lastgroup[1:])
    names, resolver, carries = _RULES[index]
    groups = {name: value for name, group in names if (value := m.group(group)) is not None}
    period = resolver(groups, ctx)
    if period is None:
        return None
    guessed = ctx.year_hint is None and not _YEAR_GROUPS & groups.keys()
    return Period(period.start, period.end, period.type, m.group()), carries, guessed


_YEAR_GROUPS = frozenset(("y", "rel", "y1", "y2", "plan"))  # the groups that give a year


def find_periods(text: str, ref: date | None, year_hint: int | None = None,
                 hint_stated: bool = True) -> list[PeriodMention]:
    """Every period wording in ``text``, left to right, resolved against ``ref`` and ``year_hint``.

    ``ref`` is the date the text is written from (publication date, or the day a work report was
    delivered); ``year_hint`` is a year an earlier sentence made the topic, and governs bare
    month/quarter wordings and 全年/年内; ``hint_stated`` says it was written out as a year
    (2019年), in which case it governs 今年 too.
    """
    ctx = _Context(ref, year_hint, hint_stated)
    mentions: list[PeriodMention] = []
    pos = 0
    for start, end in _windows(text):
        pos = max(pos, start)
        while (m := _SCANNER.search(text, pos, end)) is not None:
            if _BASE_BEFORE_RE.match(text, m.start()) or _BASE_AFTER_RE.match(text, m.end()):
                pos = m.end()
                continue
            resolved = _resolve(m, ctx)
            if resolved is None:
                pos = m.start() + 1  # not a period here; a shorter wording may start further on
                continue
            period, carries, guessed = resolved
            carries = carries and not _DEADLINE_BEFORE_RE.match(text, m.start())
            mentions.append(PeriodMention(m.start(), m.end(), m.group(), period, carries, guessed))
            pos = m.end()
    return mentions
