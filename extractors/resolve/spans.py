"""A figure inside a span of years (“十四五”时期, 五年来): which year or span it is about.

Rules in data/zh/span_rules.csv (ANNOTATION.md v2, "Work reports"). Input: the figure's
indicator, whether it states a level, its clause before it and the span period the context
gives it. Output: the period to use, or None when the figure is a growth over the span that
gets no row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import regex

from ..model import Period
from ..vocab import VocabularyError, load_table

_WRITTEN_YEAR = regex.compile(r"(?:19|20)\d\d")
_KINDS = ("level_code", "total_word", "span_compare", "from_word")


@dataclass(frozen=True)
class _Rules:
    level_codes: frozenset[str]
    total: regex.Pattern
    compare: regex.Pattern
    from_level: regex.Pattern


@cache
def _rules() -> _Rules:
    rows = load_table("span_rules.csv", ("kind", "pattern"))
    by_kind: dict[str, list[str]] = {k: [] for k in _KINDS}
    for r in rows:
        if r["kind"] not in by_kind:
            raise VocabularyError(f"span_rules.csv: unknown kind {r['kind']!r}")
        by_kind[r["kind"]].append(r["pattern"])
    return _Rules(frozenset(by_kind["level_code"]), regex.compile("|".join(by_kind["total_word"])),
                  regex.compile("|".join(by_kind["span_compare"])), regex.compile("|".join(by_kind["from_word"])))


def _year(y: int, text: str) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year", text)


def in_span(period: Period, code: str, has_level: bool, lead: str, is_share: bool = False) -> Period | None:
    """``period`` (a multi_year span) as it applies to one figure; ``lead`` is the figure's own
    clause before it; ``is_share``: the figure is a share (占…比重从17.9%提升到35.5%), which like an
    annual level is the state reached. Returns the span, one of its years, or None for a growth
    over the span."""
    if period.type != "multi_year" or period.start is None or period.end is None:
        return period
    rules = _rules()
    if rules.from_level.search(lead):
        # 从11.37万亿元提高到…: the level the span started from; a plan's span (“十四五”) starts
        # from the year before its first, a span of written years (2020年到2025年) from its first
        base = period.start.year if _WRITTEN_YEAR.search(period.text) else period.start.year - 1
        return _year(base, period.text)
    if not has_level:
        return period if rules.compare.search(lead) else None
    if (code in rules.level_codes or is_share) and not rules.total.search(lead):
        return _year(period.end.year, period.text)  # a level reached: the span's last year
    return period
