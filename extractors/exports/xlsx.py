"""observations.xlsx: the tables as one workbook for Excel and WPS.

Sheets: observations, series, documents, errors, indicators (the dictionary) and about (row
counts and notes). Every sheet has a frozen, filterable header row, column widths fitted to the
header and the first rows, dates as real Excel dates, and text cells neutralised against formula
injection (``extractors.cells``).

Money: an Excel number format can divide only by powers of 1000, so 亿 (1e8) cannot be a mere
display format. The exact ``value`` (yuan / dollars) stays as it is, and a ``value_yi`` column
beside it holds value / 1e8 for money rows, so sums and pivots in 亿元 need no formula.

Excel stops at 1,048,576 rows per sheet. A longer table is cut: the sheet holds the first rows
and, in its last row, a note saying how many rows are missing and where the full table is; the
about sheet repeats it. The workbook is written by xlsxwriter in constant-memory mode (rows go
straight to disk), with a fixed creation date so that the same tables give the same bytes.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..cells import neutralise
from .dictionary import INDICATOR_COLUMNS, MONEY_UNITS, SERIES_COLUMNS, TABLES, YI, indicator_rows, label, sheet_name
from .files import replacing
from .series import series_batches

EXCEL_MAX_ROWS = 1_048_576
FIXED_CREATED = datetime(2000, 1, 1)  # docProps date: a constant keeps the file byte-identical
BATCH_ROWS = 10_000
WIDTH_SAMPLE = 200  # rows looked at to fit column widths
MIN_WIDTH, MAX_WIDTH, WIDE_TEXT = 6, 40, 80
WIDE_COLUMNS = ("sentence", "notes", "typical_wording", "obs_ids", "title", "reason")
NUMBER_FORMATS = {
    "value": "#,##0", "value_yi": "0.00##", "yoy_pct": "0.0#", "share_pct": "0.0#",
    "date": "yyyy-mm-dd", "int": "0",
}


@dataclass
class Sheet:
    table: str
    columns: dict[str, str]  # name -> kind, including the workbook-only value_yi
    rows: int
    batches: Callable[[], Iterable[pa.RecordBatch]]  # opened only when the sheet is written
    full_table: str  # where to find all rows when the sheet is cut


def write_xlsx(out_dir: Path, con: duckdb.DuckDBPyConnection, labels: str, max_rows: int = EXCEL_MAX_ROWS) -> None:
    series_rows = con.sql("SELECT count(*) FROM series").fetchall()[0][0]
    sheets = [
        _parquet_sheet(out_dir, "observations"),
        Sheet("series", _with_yi(SERIES_COLUMNS), series_rows, lambda: series_batches(con), "series.parquet / series.csv"),
        _parquet_sheet(out_dir, "documents"),
        _parquet_sheet(out_dir, "errors"),
        _indicator_sheet(),
    ]
    with replacing(out_dir / "observations.xlsx") as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        book.set_properties({"created": FIXED_CREATED})
        styles = _Styles(book)
        about = [_write_sheet(book, styles, sheet, labels, max_rows) for sheet in sheets]
        _write_about(book, styles, about, labels)
        book.close()


def _with_yi(columns: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, kind in columns.items():
        out[name] = kind
        if name == "value":
            out["value_yi"] = "float"
    return out


def _parquet_sheet(out_dir: Path, table: str) -> Sheet:
    source = pq.ParquetFile(out_dir / f"{table}.parquet")
    columns = _with_yi(TABLES[table]) if table == "observations" else TABLES[table]
    return Sheet(table, columns, source.metadata.num_rows, lambda: source.iter_batches(BATCH_ROWS),
                 f"{table}.parquet / {table}.csv / indicators.duckdb")


def _indicator_sheet() -> Sheet:
    batch = pa.RecordBatch.from_pydict({c: [r[c] for r in indicator_rows()] for c in INDICATOR_COLUMNS})
    return Sheet("indicators", INDICATOR_COLUMNS, batch.num_rows, lambda: [batch], "indicators.csv")


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.note = book.add_format({"italic": True, "font_color": "#C00000"})
        self.formats = {key: book.add_format({"num_format": fmt}) for key, fmt in NUMBER_FORMATS.items()}

    def number(self, name: str, kind: str):
        return self.formats.get(name) or self.formats.get(kind)


def _rows(batches: Iterable[pa.RecordBatch], columns: dict[str, str]) -> Iterator[dict[str, object]]:
    for batch in batches:
        data = {name: batch.column(name).to_pylist() for name in columns if name != "value_yi"}
        for i in range(batch.num_rows):
            row = {name: values[i] for name, values in data.items()}
            if "value_yi" in columns:
                money = row["value"] is not None and row["unit"] in MONEY_UNITS
                row["value_yi"] = row["value"] / YI if money else None
            yield row


def _write_sheet(book: xlsxwriter.Workbook, styles: _Styles, sheet: Sheet, labels: str, max_rows: int) -> list:
    ws = book.add_worksheet(sheet_name(sheet.table, labels))
    capacity = max_rows - 1  # the header takes one row
    cut = sheet.rows > capacity
    shown = capacity - 1 if cut else sheet.rows  # keep the last row for the note
    rows = _rows(sheet.batches(), sheet.columns)
    sample = list(islice(rows, min(WIDTH_SAMPLE, shown)))
    headers = [label(sheet.table, name, labels) for name in sheet.columns]
    for col, (name, kind) in enumerate(sheet.columns.items()):
        ws.set_column(col, col, _width(name, kind, headers[col], sample))
    for col, text in enumerate(headers):
        ws.write_string(0, col, text, styles.header)
    written = 0
    for written, row in enumerate(islice(chain(sample, rows), shown), start=1):
        for col, (name, kind) in enumerate(sheet.columns.items()):
            _write_cell(ws, written, col, row[name], name, kind, styles)
    note = ""
    if cut:
        note = (f"{sheet.rows - shown:,} more rows not shown: a sheet holds at most {max_rows:,} rows; "
                f"the full table is in {sheet.full_table}")
        ws.write_string(shown + 1, 0, note, styles.note)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(written, 1), len(sheet.columns) - 1)
    return [sheet_name(sheet.table, labels), sheet.rows, shown, note]


def _write_cell(ws: Worksheet, row: int, col: int, value: object, name: str, kind: str, styles: _Styles) -> None:
    if value is None or (isinstance(value, float) and value != value):
        return
    if kind in ("string", "category"):
        ws.write_string(row, col, neutralise(str(value)))
    elif kind == "date":
        ws.write_datetime(row, col, value, styles.formats["date"])
    elif kind == "bool":
        ws.write_boolean(row, col, bool(value))
    else:
        ws.write_number(row, col, value, styles.number(name, kind))


def _width(name: str, kind: str, header: str, sample: list[dict[str, object]]) -> float:
    if kind == "date":
        return 11
    texts = [header] + [str(r[name]) for r in sample if r[name] is not None]
    widest = max(_display_width(t) for t in texts)
    cap = WIDE_TEXT if name in WIDE_COLUMNS else MAX_WIDTH
    return max(MIN_WIDTH, min(cap, widest + 2))


def _display_width(text: str) -> int:
    """Columns a text takes on screen: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_about(book: xlsxwriter.Workbook, styles: _Styles, lines: list[list], labels: str) -> None:
    ws = book.add_worksheet(sheet_name("about", labels))
    columns = ("sheet", "rows", "rows_shown", "note")
    for col, name in enumerate(columns):
        ws.write_string(0, col, label("about", name, labels), styles.header)
    for row, (sheet, total, shown, note) in enumerate(lines, start=1):
        ws.write_string(row, 0, sheet)
        ws.write_number(row, 1, total, styles.formats["int"])
        ws.write_number(row, 2, shown, styles.formats["int"])
        if note:
            ws.write_string(row, 3, note)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 100)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(lines), len(columns) - 1)
