"""Whole sentences in, expected rows out: the cases live in tests/cases/sentences.toml."""
from __future__ import annotations

import math
import tomllib
from datetime import date
from pathlib import Path

import pytest

from extractors.extract import MAX_SENTENCE, extract_text
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


def test_a_long_stretch_without_punctuation_is_read_in_pieces_with_every_figure_whole() -> None:
    # 60 clauses of two figures each, no punctuation at all: several MAX_SENTENCE pieces
    text = "本报讯 " + " ".join(f"全市进出口总值{100 + i}亿元同比增长{i % 9}.5% 新签项目{10 + i}个" for i in range(60))
    rows = extract_text(text, SourceMeta(source_file="case.txt", published=date(2025, 3, 1),
                                         published_precision="day", city="株洲市"))
    trade = {r.value: r.yoy_pct for r in rows if r.indicator == "trade_total"}
    signed = {r.value for r in rows if r.indicator == "projects_signed"}
    assert len(text) > 3 * MAX_SENTENCE
    assert trade == {(100 + i) * 1e8: i % 9 + 0.5 for i in range(60)}
    assert signed == {float(10 + i) for i in range(60)}
    assert all(len(r.sentence) <= MAX_SENTENCE for r in rows)
