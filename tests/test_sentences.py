"""Whole sentences in, expected rows out: the cases live in tests/cases/sentences.toml."""
from __future__ import annotations

import math
import tomllib
from datetime import date
from pathlib import Path

import pytest

from extractors.extract import extract_text
from extractors.model import SourceMeta

CASES = tomllib.loads((Path(__file__).parent / "cases" / "sentences.toml").read_text(encoding="utf-8"))["case"]


def _same(actual, expected) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return actual is not None and math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(actual, date):
        return actual.isoformat() == expected
    return (actual or "") == expected


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
        yield pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_sentence(case: dict) -> None:
    published = date.fromisoformat(case["published"]) if case.get("published") else None
    meta = SourceMeta(source_file="case.txt", publisher=case.get("publisher"), published=published,
                      published_precision=case.get("published_precision", "day") if published else "none", city=case.get("city"),
                      province=case.get("province"), title=case.get("title"))
    rows = extract_text(case["text"], meta)
    expected = case.get("rows", [])
    got = [{k: getattr(r, k) for k in exp} for r, exp in zip(rows, expected)]
    assert len(rows) == len(expected), f"{len(rows)} rows: {[(r.indicator, r.value, r.yoy_pct, r.subject) for r in rows]}"
    for i, (row, exp) in enumerate(zip(got, expected)):
        wrong = {k: (row[k], v) for k, v in exp.items() if not _same(row[k], v)}
        assert not wrong, f"row {i}: (got, expected) {wrong}"
