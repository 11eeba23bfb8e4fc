"""Table-driven tests for extractors.resolve.periods (cases in tests/cases/periods.toml)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extractors.resolve.periods import find_periods

CASES = tomllib.loads((Path(__file__).parent / "cases" / "periods.toml").read_text(encoding="utf-8"))["case"]


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    mentions = find_periods(case["text"], case.get("ref"), case.get("year_hint"), case.get("hint_stated", True))
    got = [
        {"text": m.text, "start": m.period.start, "end": m.period.end, "type": m.period.type}
        for m in mentions
    ]
    want = [
        {"text": e["text"], "start": e.get("start"), "end": e.get("end"), "type": e["type"]}
        for e in case["expected"]
    ]
    assert got == want
    for m in mentions:  # spans point at the wording, and the period carries it too
        assert case["text"][m.start:m.end] == m.text == m.period.text


def test_case_count() -> None:
    assert len(CASES) >= 60
