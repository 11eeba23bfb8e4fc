"""Spreadsheet-facing text cells never start like a formula; ordinary text is left alone."""
from __future__ import annotations

import pytest

from extractors.cells import neutralised_cells
from extractors.tables import csv_bytes


@pytest.mark.parametrize("text, shown", [
    ("=HYPERLINK(\"http://x\",\"点击\")", "'=HYPERLINK(\"http://x\",\"点击\")"),
    ("+86 731", "'+86 731"),
    ("-3.2%", "'-3.2%"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("全市外贸进出口总值107.5亿元", "全市外贸进出口总值107.5亿元"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_neutralise(text: str, shown: str) -> None:
    assert neutralised_cells([text]) == [shown]


def test_a_null_cell_is_empty_and_other_values_are_written_as_text() -> None:
    assert neutralised_cells([None, 12, "-1"]) == ["", "12", "'-1"]


def test_csv_neutralises_text_but_not_numbers() -> None:
    columns = {"sentence": "string", "value": "float"}
    raw = csv_bytes({"sentence": ["=1+1", "增长-3%"], "value": [-3.5, 2.0]}, columns)
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[1:3] == ["'=1+1,-3.5", "增长-3%,2"]
