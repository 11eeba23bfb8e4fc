"""The CSV writer (Arrow kernels, a column at a time) writes the bytes Python's csv module writes
for the same cells: minimal quoting, quotes doubled, \r\n line ends, a BOM and header, text
neutralised against formula injection, ISO dates, plain decimals, empty cells for null."""
from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.cells import ESCAPE, FORMULA_TRIGGERS
from extractors.tables import CSV_LINE_END, csv_bytes, format_float

_TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab增长亿,"\r\n =+-@\t\'#')), max_size=8))
_COLUMNS = {"text": "string", "kind": "category", "day": "date", "value": "float", "n": "int32", "count": "int"}
_ROWS = st.lists(st.tuples(
    _TEXT, st.one_of(st.none(), st.sampled_from(["actual", "=target", "a,b", 'say "x"'])),
    st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31))),
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)),
    st.one_of(st.none(), st.integers(-2**31, 2**31 - 1)), st.integers(0, 2**40)), max_size=30)


def _reference(rows: list[tuple], columns: dict[str, str]) -> bytes:
    """The stdlib's csv.writer over cells formatted one at a time."""
    def cell(value: object, kind: str) -> str:
        if value is None:
            return ""
        if kind in ("string", "category"):
            return ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value
        if kind == "float":
            return format_float(value)
        return value.isoformat() if kind == "date" else str(value)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows([cell(v, kind) for v, kind in zip(row, columns.values())] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(_ROWS)
def test_the_csv_is_what_the_csv_module_writes(rows: list[tuple]) -> None:
    values = {name: [row[i] for row in rows] for i, name in enumerate(_COLUMNS)}
    assert csv_bytes(values, _COLUMNS) == _reference(rows, _COLUMNS)


def test_a_cell_is_quoted_for_a_comma_a_quote_or_a_line_break_only() -> None:
    raw = csv_bytes({"a": ["x,y", 'say "hi"', "two\nlines", "=SUM(A1)", None], "b": [1.0, 2.5, None, 1e15, 0.1]},
                    {"a": "string", "b": "float"})
    assert raw.decode("utf-8-sig").split("\r\n") == [
        "a,b", '"x,y",1', '"say ""hi""",2.5', '"two\nlines",', "'=SUM(A1),1000000000000000", ",0.1", ""]
