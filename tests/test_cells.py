"""Spreadsheet-facing text cells never start like a formula; ordinary text is left alone."""
from __future__ import annotations

import csv
import io

import pytest

from extractors.tables import csv_bytes


def _written(values: list) -> list[str]:
    """The text cells of a CSV table as the writer writes them, read back by the csv module."""
    raw = csv_bytes({"sentence": values, "value": [1.0] * len(values)}, {"sentence": "string", "value": "float"})
    return [row[0] for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))][1:]


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
    assert _written([text]) == [shown]


def test_a_null_cell_is_empty() -> None:
    assert _written([None, "-1"]) == ["", "'-1"]


def test_csv_neutralises_text_but_not_numbers() -> None:
    columns = {"sentence": "string", "value": "float"}
    raw = csv_bytes({"sentence": ["=1+1", "增长-3%"], "value": [-3.5, 2.0]}, columns)
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[1:3] == ["'=1+1,-3.5", "增长-3%,2"]
