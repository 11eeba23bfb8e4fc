"""Table-driven tests for extractors.numbers (cases in tests/cases/numbers.toml) plus properties."""
from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import cn2an
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from extractors import numbers
from extractors.numbers import NUMERAL, SCALE, parse_amount, parse_quantity

CASES = tomllib.loads((Path(__file__).parent / "cases" / "numbers.toml").read_text(encoding="utf-8"))["case"]

_NUMERAL_RE = regex.compile(NUMERAL)
_QUANTITY_RE = regex.compile(rf"{NUMERAL}(?:{SCALE})?")


def _run(case: dict):
    func, text = case["func"], case["input"]
    if func == "amount":
        return parse_amount(text, case.get("scale", ""))
    if func == "numeral_spans":
        return [m.group() for m in _NUMERAL_RE.finditer(text)]
    if func == "quantity_spans":
        return [m.group() for m in _QUANTITY_RE.finditer(text)]
    return getattr(numbers, f"parse_{func}")(text)


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    got = _run(case)
    if case.get("none"):
        assert got is None
    elif isinstance(case["expected"], list):
        assert got == case["expected"]
    else:
        assert got == pytest.approx(float(case["expected"]), rel=1e-12)


def test_case_count() -> None:
    assert len(CASES) >= 50


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_arabic_integer_roundtrip(n: int) -> None:
    assert parse_quantity(str(n)) == n
    assert parse_quantity(f"{n:,}") == n


@given(st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["", "万", "亿", "万亿"]))
def test_arabic_decimal_with_scale_roundtrip(value: Decimal, scale: str) -> None:
    multiplier = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}[scale]
    assert parse_quantity(f"{value}{scale}") == float(value * multiplier)


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_chinese_roundtrip(n: int) -> None:
    assert parse_quantity(cn2an.an2cn(n)) == n
