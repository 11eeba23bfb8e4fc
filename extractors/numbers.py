"""Numerals, scale words, percents and multiples in normalised Chinese text.

The regex fragments (NUMERAL, SCALE, PERCENT, MULTIPLE) are sources for the ``regex`` module,
meant to be embedded in larger patterns; the ``parse_*`` functions turn a matched span into a
value. Arithmetic goes through ``decimal.Decimal`` so that 74.51亿 is exactly 7451000000.0.
Input text is already normalised: ASCII digits, ``.``, ``%`` and ``,``.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import regex

from .vocab import load_table


def _chars(rows: tuple[dict[str, str], ...], *roles: str) -> str:
    """The characters of the given roles, escaped for use inside a character class."""
    return "".join(regex.escape(r["char"]) for r in rows if r["role"] in roles)


def _words(words: list[str]) -> str:
    """An alternation of literal words, longest first so that 万亿 wins over 万."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMERAL_ROWS = load_table("numerals.csv", required=("char", "role"))
_DIGIT = _chars(_NUMERAL_ROWS, "digit")
_LEAD_UNIT = _chars(_NUMERAL_ROWS, "unit_lead")  # 十 may open a numeral (十五); 百/千 may not
_UNIT = _chars(_NUMERAL_ROWS, "unit", "unit_lead")
_GROUP = _chars(_NUMERAL_ROWS, "group")
_POINT = _chars(_NUMERAL_ROWS, "point")
_PERCENT_PREFIX = _words([r["char"] for r in _NUMERAL_ROWS if r["role"] == "percent"])
_PERCENT_SIGN = _chars(_NUMERAL_ROWS, "percent_sign")

# Thousands commas only between full 3-digit groups; no match starting inside another number.
_ARABIC = r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# A Chinese numeral never ends in 万/亿 (a trailing one is a scale word) and never starts
# with 百/千 (百分之, 千万 are not numerals by themselves).
_CHINESE = (
    rf"[{_DIGIT}{_LEAD_UNIT}](?:[{_DIGIT}{_UNIT}{_GROUP}]*[{_DIGIT}{_UNIT}])?"
    rf"(?:[{_POINT}][{_DIGIT}]+)?"
)
NUMERAL: str = rf"(?:{_ARABIC}|{_CHINESE})"
# the character every NUMERAL ends with
NUMERAL_END: str = rf"[\d{_DIGIT}{_UNIT}]"
# NUMERAL that does not start inside another numeral (in 三十三年, not at the second 三).
NUMERAL_BOUNDED: str = rf"(?<![\d.{_DIGIT}{_UNIT}{_GROUP}]){NUMERAL}"

_SCALES: dict[str, Decimal] = {
    r["word"]: Decimal(r["multiplier"]) for r in load_table("scales.csv", required=("word", "multiplier"))
}
SCALE: str = rf"(?:{_words(list(_SCALES))})"

PERCENT: str = rf"(?:{NUMERAL}[{_PERCENT_SIGN}]|(?:{_PERCENT_PREFIX}){NUMERAL})"

_MULTIPLE_ROWS = load_table("multiples.csv", required=("word", "kind", "yoy_pct"))
_FIXED_MULTIPLES = {r["word"]: float(r["yoy_pct"]) for r in _MULTIPLE_ROWS if r["kind"] == "fixed"}
_PER_UNIT = {r["word"]: Decimal(r["yoy_pct"]) for r in _MULTIPLE_ROWS if r["kind"] == "per_unit"}
# the words a numeral is multiplied by to give a growth in percent (倍, 成)
PER_UNIT_MULTIPLE: str = rf"(?:{_words(list(_PER_UNIT))})"
MULTIPLE: str = rf"(?:{_words(list(_FIXED_MULTIPLES))}|{NUMERAL}{PER_UNIT_MULTIPLE})"

_ARABIC_RE = regex.compile(_ARABIC)
_CHINESE_RE = regex.compile(_CHINESE)
# A Chinese numeral with a place value or a decimal point; without one (二〇二三, 一二) it is
# read digit by digit, which in running text is a year or a code, not an amount.
_HAS_PLACE_RE = regex.compile(rf"[{_UNIT}{_GROUP}{_POINT}]")
_QUANTITY_RE = regex.compile(rf"(?P<num>{NUMERAL})(?P<scale>{SCALE})?")
_PERCENT_RE = regex.compile(
    rf"(?:(?P<num>{NUMERAL})[{_PERCENT_SIGN}]|(?:{_PERCENT_PREFIX})(?P<num>{NUMERAL}))"
)
_PER_UNIT_RE = regex.compile(rf"(?P<num>{NUMERAL})(?P<word>{_words(list(_PER_UNIT))})")


@lru_cache(maxsize=8192)  # the same few numerals (1, 2.5, 三) recur on every page
def _numeral_decimal(s: str) -> Decimal | None:
    """Exact value of one numeral as matched by NUMERAL, or None."""
    if _ARABIC_RE.fullmatch(s):
        return Decimal(s.replace(",", ""))
    if not _CHINESE_RE.fullmatch(s) or (len(s) > 1 and not _HAS_PLACE_RE.search(s)):
        return None
    try:
        value = _cn2an()(s, "smart")
    except (ValueError, KeyError, IndexError):  # cn2an rejects malformed numerals this way
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@cache
def _cn2an() -> Callable[[str, str], int | float]:
    """cn2an's converter, imported at the first Chinese numeral: the import compiles its
    patterns (about 0.1 s), which a run over Arabic figures only never needs."""
    import cn2an

    return cn2an.cn2an


def parse_numeral(s: str) -> float | None:
    """Value of a numeral (``107.5``, ``1,234``, ``一百五十九``, ``两``); None if ``s`` is not one."""
    value = _numeral_decimal(s)
    return None if value is None else float(value)


def parse_amount(numeral: str, scale: str = "") -> float | None:
    """``numeral`` × ``scale`` (``"1.2", "万亿"`` → 1.2e12); None if either part is not recognised."""
    value = _numeral_decimal(numeral)
    if value is None:
        return None
    if scale:
        multiplier = _SCALES.get(scale)
        if multiplier is None:
            return None
        value *= multiplier
    return float(value)


def parse_quantity(s: str) -> float | None:
    """Value of a numeral with an optional scale word written together (``1.2万亿``, ``三千五百万``)."""
    m = _QUANTITY_RE.fullmatch(s)
    return parse_amount(m["num"], m["scale"] or "") if m else None


def parse_percent(s: str) -> float | None:
    """Value of a percent (``45.7%``, ``45.7％``, ``百分之四十五点七``), in percent."""
    m = _PERCENT_RE.fullmatch(s)
    return parse_numeral(m["num"]) if m else None


def parse_multiple(s: str) -> float | None:
    """Growth stated as a multiple, in percent: ``1.5倍`` → 150, ``翻番`` → 100, ``翻两番`` → 300."""
    if s in _FIXED_MULTIPLES:
        return _FIXED_MULTIPLES[s]
    m = _PER_UNIT_RE.fullmatch(s)
    if not m:
        return None
    value = _numeral_decimal(m["num"])
    return None if value is None else float(value * _PER_UNIT[m["word"]])
