"""observations.xlsx: the tables as one workbook for Excel, WPS and LibreOffice.

Sheets: observations, series, documents, errors, indicators (the dictionary) and about (what the
workbook is, then each sheet's row counts). Every sheet opens on what an analyst reads first
(region, subject, indicator name, period, value, value_yi, unit, growth, status, source), with
codes, ids and offsets at the right; has a frozen, filterable header row, column widths fitted to
the header and the first rows, dates as real Excel dates; and prints landscape on A4, one page
wide, with the header row on every page. ``--labels zh`` gives Chinese sheet names, headers,
indicator names and code values (``data/zh/code_labels.csv``).

Text is written as text cells (xlsxwriter never turns a string into a formula), so unlike the
CSV it needs no ``'`` guard: a sentence starting with ``=`` shows, filters and sorts as written.

Money: an Excel number format can divide only by powers of 1000, so 亿 (1e8) cannot be a mere
display format. The exact ``value`` (yuan / dollars) stays as it is, and a ``value_yi`` column
beside it holds value / 1e8 for money rows, so sums and pivots in 亿元 need no formula.

Excel stops at 1,048,576 rows per sheet and 32,767 characters per cell. A longer table is cut:
the sheet holds the first rows and, in its last row, a note saying how many rows are missing and
where the full table is. A longer text is cut too, and ends with a note saying so. The about
sheet counts both. The workbook is written by xlsxwriter in constant-memory mode (rows go
straight to disk), with a fixed creation date so that the same tables give the same bytes.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..tables import text_batch
from ..vocab import rules_version
from .dictionary import (INDICATOR_COLUMNS, MONEY_UNITS, SERIES_COLUMNS, TABLES, YI, YI_UNITS, code_labels,
                         indicator_rows, label, sheet_name)
from .files import replacing
from .series import series_batches

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CHARS = 32_767  # per cell; Excel and xlsxwriter cut anything longer
FIXED_CREATED = datetime(2000, 1, 1)  # docProps date: a constant keeps the file byte-identical
BATCH_ROWS = 10_000
WIDTH_SAMPLE = 200  # rows looked at to fit column widths
MIN_WIDTH, MAX_WIDTH, WIDE_TEXT = 6, 40, 80
WIDE_COLUMNS = ("sentence", "notes", "typical_wording", "obs_ids", "title", "reason")
NUMBER_FORMATS = {
    "value": "#,##0", "value_yi": "0.00##", "yoy_pct": "0.0#", "share_pct": "0.0#",
    "date": "yyyy-mm-dd", "int": "0",
}
# Sheet column order: what a reader looks at first, then the table's other columns in their
# own order, then codes already shown by name, ids and offsets.
LEADING = ("region", "subject", "indicator_name", "period_start", "period_end", "period_type", "period_text",
           "year", "value", "value_yi", "unit", "bound", "yoy_pct", "share_pct", "status", "title", "publisher",
           "published", "source_file")
TRAILING = ("province", "city", "region_level", "indicator", "indicator_text", "value_obs_id", "yoy_obs_id",
            "obs_ids", "obs_id", "doc_id", "char_start", "char_end", "rule", "meta_source")
WORKBOOK_ONLY = {"indicator_name": "string", "value_yi": "float"}  # derived columns of observations/series
A4 = 9  # xlsxwriter's paper code


@dataclass
class Sheet:
    table: str
    columns: dict[str, str]  # name -> kind, in sheet order, including the workbook-only columns
    rows: int
    batches: Callable[[], Iterable[pa.RecordBatch]]  # opened only when the sheet is written
    full_table: str  # where to find all rows (and full texts) when the sheet is cut


@dataclass
class Shown:
    """What the about sheet says about one sheet."""

    name: str
    rows: int
    shown: int
    cells_cut: int
    note: str


def write_xlsx(out_dir: Path, con: duckdb.DuckDBPyConnection, labels: str, max_rows: int = EXCEL_MAX_ROWS,
               sources: Mapping[str, Path] | None = None) -> None:
    series_rows = con.sql("SELECT count(*) FROM series").fetchall()[0][0]
    sheets = [
        _parquet_sheet(out_dir, "observations"),
        Sheet("series", _sheet_columns(SERIES_COLUMNS, derived=True), series_rows, lambda: series_batches(con),
              "series.parquet / series.csv / indicators.duckdb"),
        _parquet_sheet(out_dir, "documents"),
        _parquet_sheet(out_dir, "errors"),
        _indicator_sheet(),
    ]
    with replacing(out_dir / "observations.xlsx") as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        book.set_properties({"created": FIXED_CREATED})
        styles = _Styles(book)
        shown = [_write_sheet(book, styles, sheet, labels, max_rows) for sheet in sheets]
        _write_about(book, styles, shown, labels, sources or {})
        book.close()


def _sheet_columns(columns: dict[str, str], derived: bool) -> dict[str, str]:
    every = {**columns, **(WORKBOOK_ONLY if derived else {})}
    order = ([c for c in LEADING if c in every] + [c for c in every if c not in LEADING and c not in TRAILING]
             + [c for c in TRAILING if c in every])
    return {name: every[name] for name in order}


def _parquet_sheet(out_dir: Path, table: str) -> Sheet:
    source = pq.ParquetFile(out_dir / f"{table}.parquet")
    return Sheet(table, _sheet_columns(TABLES[table], derived=table == "observations"), source.metadata.num_rows,
                 lambda: source.iter_batches(BATCH_ROWS), f"{table}.parquet / {table}.csv / indicators.duckdb")


def _indicator_sheet() -> Sheet:
    batch = text_batch({c: [r[c] for r in indicator_rows()] for c in INDICATOR_COLUMNS})
    return Sheet("indicators", INDICATOR_COLUMNS, batch.num_rows, lambda: [batch], "indicators.csv")


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.note = book.add_format({"italic": True, "font_color": "#C00000"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {key: book.add_format({"num_format": fmt}) for key, fmt in NUMBER_FORMATS.items()}

    def number(self, name: str, kind: str):
        return self.formats.get(name) or self.formats.get(kind)


def _rows(batches: Iterable[pa.RecordBatch], columns: dict[str, str], labels: str) -> Iterator[dict[str, object]]:
    """Rows as the sheet shows them: derived columns filled, code values labelled (``--labels zh``)."""
    names = {r["code"]: r["name_zh" if labels == "zh" else "name_en"] for r in indicator_rows()}
    shown_codes = {name: codes for name in columns if (codes := code_labels(name, labels))}
    for batch in batches:
        data = {name: batch.column(name).to_pylist() for name in columns if name not in WORKBOOK_ONLY}
        for i in range(batch.num_rows):
            row = {name: values[i] for name, values in data.items()}
            if "value_yi" in columns:
                money = row["value"] is not None and row["unit"] in MONEY_UNITS
                row["value_yi"] = row["value"] / YI if money else None
            if "indicator_name" in columns:
                row["indicator_name"] = names.get(row["indicator"])
            for name, codes in shown_codes.items():
                row[name] = codes.get(row[name], row[name])
            yield row


def _write_sheet(book: xlsxwriter.Workbook, styles: _Styles, sheet: Sheet, labels: str, max_rows: int) -> Shown:
    ws = book.add_worksheet(sheet_name(sheet.table, labels))
    capacity = max_rows - 1  # the header takes one row
    cut = sheet.rows > capacity
    shown = capacity - 1 if cut else sheet.rows  # keep the last row for the note
    rows = _rows(sheet.batches(), sheet.columns, labels)
    sample = list(islice(rows, min(WIDTH_SAMPLE, shown)))
    headers = [label(sheet.table, name, labels) for name in sheet.columns]
    for col, (name, kind) in enumerate(sheet.columns.items()):
        ws.set_column(col, col, _width(name, kind, headers[col], sample))
    for col, text in enumerate(headers):
        ws.write_string(0, col, text, styles.header)
    written = cells_cut = 0
    cut_note = f"full text in {sheet.full_table}"
    for written, row in enumerate(islice(chain(sample, rows), shown), start=1):
        for col, (name, kind) in enumerate(sheet.columns.items()):
            cells_cut += _write_cell(ws, written, col, row[name], name, kind, styles, cut_note)
    note = ""
    if cut:
        note = (f"{sheet.rows - shown:,} more rows not shown: a sheet holds at most {max_rows:,} rows; "
                f"the full table is in {sheet.full_table}")
        ws.write_string(shown + 1, 0, note, styles.note)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(written, 1), len(sheet.columns) - 1)
    _print_setup(ws)
    return Shown(sheet_name(sheet.table, labels), sheet.rows, shown, cells_cut, note)


def _write_cell(ws: Worksheet, row: int, col: int, value: object, name: str, kind: str, styles: _Styles,
                cut_note: str) -> int:
    """Write one cell; returns 1 when its text had to be cut at Excel's limit, else 0."""
    if value is None or (isinstance(value, float) and value != value):
        return 0
    if kind in ("string", "category"):
        text, cut = _fit(str(value), cut_note)
        ws.write_string(row, col, text)  # a string cell, never a formula: shown exactly as written
        return cut
    if kind == "date":
        ws.write_datetime(row, col, value, styles.formats["date"])
    elif kind == "bool":
        ws.write_boolean(row, col, bool(value))
    else:
        ws.write_number(row, col, value, styles.number(name, kind))
    return 0


def _fit(text: str, cut_note: str) -> tuple[str, int]:
    """The text, or its start plus a note saying it was cut, within Excel's cell limit."""
    if len(text) <= EXCEL_MAX_CHARS:
        return text, 0
    note = f" …[cut: {len(text):,} characters, a cell holds {EXCEL_MAX_CHARS:,}; {cut_note}]"
    return text[:EXCEL_MAX_CHARS - len(note)] + note, 1


def _print_setup(ws: Worksheet) -> None:
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    ws.repeat_rows(0)


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


def _about_lines(sources: Mapping[str, Path], labels: str) -> list[tuple[str, str]]:
    """What the workbook is: (item, text) lines at the top of the about sheet."""
    folders = sorted({str(Path(path).resolve().parent) for path in sources.values()})
    shown = "; ".join(folders[:5]) + (f"; and {len(folders) - 5} more" if len(folders) > 5 else "")
    money = ", ".join(f"{unit}: {name}" for unit, name in YI_UNITS.items())
    if labels == "zh":
        return [
            ("内容", "从中文新闻、网页文章和政府工作报告中按规则抽取的经济数据（cn-econ-extract）。观测值表每行是一个来源陈述的一个数字；时间序列表把多篇文章重复报道的同一数字合并为一行。"),
            ("来源文件夹", f"{shown or '未知'}（{len(sources)} 个输入文件）"),
            ("规则版本", rules_version()),
            ("单位", "数值按该行的单位计：元（CNY）、美元（USD）、个（count）、人次（person_time）；同比增长和占比为百分数。"),
            ("数值与数值(亿)", f"数值(亿) = 数值 / 100,000,000，只用于金额行（{money}）。不同单位的行不可相加：按单位筛选后再求和。"),
            ("完整表格", "本工作簿所在文件夹中的 observations/documents/errors/series 的 .parquet 和 .csv 文件，以及 indicators.duckdb；超长的表或单元格在此处被截断，截断处都有说明。"),
            ("文本", "文本单元格按原文显示（不加 ' 前缀）；CSV 文件中以 = + - @ 开头的文本前加 '，以防被当作公式。"),
        ]
    return [
        ("what", "Economic figures extracted by rule from Chinese news pages, web articles and government work "
                 "reports (cn-econ-extract). One row of observations = one figure as stated in one source; "
                 "series collapses the same figure reported by several articles into one row."),
        ("source folder", f"{shown or 'unknown'} ({len(sources)} input files)"),
        ("rules version", rules_version()),
        ("units", "value is in the row's unit: CNY in yuan, USD in US dollars, count, person_time; "
                  "yoy_pct and share_pct in percent."),
        ("value vs value_yi", f"value_yi = value / 100,000,000, for money rows only ({money}). Never add rows of "
                              "different units: filter on unit first."),
        ("full tables", "observations/documents/errors/series as .parquet and .csv, and indicators.duckdb, in "
                        "this workbook's folder; a table or cell too long for a sheet is cut here, and says so."),
        ("text", "text cells show the text as written (no ' guard); the CSV files prefix text starting "
                 "with = + - @ with ' so that spreadsheets do not run it as a formula."),
    ]


def _write_about(book: xlsxwriter.Workbook, styles: _Styles, shown: list[Shown], labels: str,
                 sources: Mapping[str, Path]) -> None:
    ws = book.add_worksheet(sheet_name("about", labels))
    lines = _about_lines(sources, labels)
    for col, name in enumerate(("item", "text")):
        ws.write_string(0, col, label("about", name, labels), styles.header)
    for row, (item, text) in enumerate(lines, start=1):
        ws.write_string(row, 0, item)
        ws.write_string(row, 1, text, styles.wrap)
    top = len(lines) + 2  # a blank row, then the sheet table
    columns = ("sheet", "note", "rows", "rows_shown", "cells_cut")  # the wide note shares column B with the text
    for col, name in enumerate(columns):
        ws.write_string(top, col, label("about", name, labels), styles.header)
    for row, sheet in enumerate(shown, start=top + 1):
        ws.write_string(row, 0, sheet.name)
        if sheet.note:
            ws.write_string(row, 1, sheet.note, styles.wrap)
        ws.write_number(row, 2, sheet.rows, styles.formats["int"])
        ws.write_number(row, 3, sheet.shown, styles.formats["int"])
        ws.write_number(row, 4, sheet.cells_cut, styles.formats["int"])
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    ws.set_column(2, 4, 12)
    ws.freeze_panes(1, 0)
    _print_setup(ws)
