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
sheet counts both.

xlsxwriter lays the workbook out (styles, widths, header rows, filters, print set-up, the about
sheet), in memory and with a fixed creation date so that the same tables give the same bytes.
The data rows are streamed from the tables batch by batch, built by Arrow's string kernels
(``sheetdata.py``) into temporary files, and spliced into xlsxwriter's sheets after the header
row when the package is zipped: xlsxwriter's per-cell calls took 16 s on the benchmark corpus.
"""
from __future__ import annotations

import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..tables import text_batch
from ..vocab import rules_version
from .dictionary import (INDICATOR_COLUMNS, MONEY_UNITS, SERIES_COLUMNS, TABLES, YI, YI_UNITS, code_labels,
                         indicator_rows, label, sheet_name)
from .files import replacing
from .series import series_batches
from .sheetdata import const, relabel, row_elements, texts, xml_bytes

EXCEL_MAX_ROWS = 1_048_576
FIXED_CREATED = datetime(2000, 1, 1)  # docProps date: a constant keeps the file byte-identical
BATCH_ROWS = 10_000
XML_ROWS = 2_000  # rows turned into XML at a time: fewer cost more kernel calls, more cost memory
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


@dataclass
class _Rows:
    """A sheet's data rows, as XML in ``path``, and the cell range of the whole sheet."""

    path: Path
    dimension: str = ""


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
    with replacing(out_dir / "observations.xlsx") as tmp, \
            tempfile.TemporaryDirectory(prefix=".observations.xlsx.", suffix=".tmp", dir=out_dir) as rows_dir:
        layout = io.BytesIO()
        book = xlsxwriter.Workbook(layout, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
        book.set_properties({"created": FIXED_CREATED})
        styles = _Styles(book)
        rows: dict[str, _Rows] = {}  # xlsxwriter's zip member of each sheet -> its data rows
        shown = []
        for number, sheet in enumerate(sheets, start=1):
            data = rows[f"xl/worksheets/sheet{number}.xml"] = _Rows(Path(rows_dir, f"sheet{number}.xml"))
            shown.append(_write_sheet(book, styles, sheet, labels, max_rows, data))
        _write_about(book, styles, shown, labels, sources or {})
        book.close()
        _package(layout, rows, tmp)


def _sheet_columns(columns: dict[str, str], derived: bool) -> dict[str, str]:
    every = {**columns, **(WORKBOOK_ONLY if derived else {})}
    order = ([c for c in LEADING if c in every] + [c for c in every if c not in LEADING and c not in TRAILING]
             + [c for c in TRAILING if c in every])
    return {name: every[name] for name in order}


def _parquet_sheet(out_dir: Path, table: str) -> Sheet:
    source = pq.ParquetFile(out_dir / f"{table}.parquet")
    # one decoding thread: Arrow's per-thread buffers cost more memory than the threads save time
    return Sheet(table, _sheet_columns(TABLES[table], derived=table == "observations"), source.metadata.num_rows,
                 lambda: source.iter_batches(BATCH_ROWS, use_threads=False),
                 f"{table}.parquet / {table}.csv / indicators.duckdb")


def _indicator_sheet() -> Sheet:
    batch = text_batch({c: [r[c] for r in indicator_rows()] for c in INDICATOR_COLUMNS})
    return Sheet("indicators", INDICATOR_COLUMNS, batch.num_rows, lambda: [batch], "indicators.csv")


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.note = book.add_format({"italic": True, "font_color": "#C00000"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {key: book.add_format({"num_format": fmt}) for key, fmt in NUMBER_FORMATS.items()}
        # The data cells are written outside xlsxwriter, so they need their formats' style numbers
        # now; xlsxwriter numbers a format when it is first asked for one and then keeps it.
        self.style_numbers = {key: fmt._get_xf_index() for key, fmt in self.formats.items()}

    def number(self, name: str, kind: str) -> int | None:
        """The style number of a number column's format (None: General)."""
        return self.style_numbers.get(name, self.style_numbers.get(kind))


def _display(batch: pa.RecordBatch, columns: dict[str, str], labels: str) -> dict[str, pa.Array]:
    """The columns as the sheet shows them: derived columns filled, code values labelled (``--labels zh``)."""
    shown = {name: batch.column(name) for name in columns if name not in WORKBOOK_ONLY}
    if "value_yi" in columns:
        money = pc.and_(pc.is_in(shown["unit"], value_set=texts(list(MONEY_UNITS))), pc.is_valid(shown["value"]))
        shown["value_yi"] = pc.if_else(money, pc.divide(shown["value"], const(float(YI), pa.float64())),
                                       const(None, pa.float64()))
    if "indicator_name" in columns:
        names = {r["code"]: r["name_zh" if labels == "zh" else "name_en"] for r in indicator_rows()}
        shown["indicator_name"] = relabel(shown["indicator"], names.get)
    for name in columns:
        if codes := code_labels(name, labels):
            shown[name] = relabel(shown[name], lambda code, codes=codes: codes.get(code, code))
    return {name: shown[name] for name in columns}


def _write_sheet(book: xlsxwriter.Workbook, styles: _Styles, sheet: Sheet, labels: str, max_rows: int,
                 rows: _Rows) -> Shown:
    """Lay the sheet out in ``book`` and write its data rows into ``rows``."""
    ws = book.add_worksheet(sheet_name(sheet.table, labels))
    capacity = max_rows - 1  # the header takes one row
    cut = sheet.rows > capacity
    shown = capacity - 1 if cut else sheet.rows  # keep the last row for the note
    cut_note = f"full text in {sheet.full_table}"
    formats = [(kind, styles.number(name, kind)) for name, kind in sheet.columns.items()]
    sample: list[dict[str, object]] = []
    written = cells_cut = 0
    with open(rows.path, "wb") as out:
        for batch in _pieces(sheet.batches(), shown):
            columns = _display(batch, sheet.columns, labels)
            if len(sample) < WIDTH_SAMPLE:
                sample += pa.table(columns).slice(0, WIDTH_SAMPLE - len(sample)).to_pylist()
            elements, cut_here = row_elements([(values, kind, style) for values, (kind, style)
                                               in zip(columns.values(), formats)], written + 1, cut_note)
            out.write(xml_bytes(elements))
            written += batch.num_rows
            cells_cut += cut_here
    headers = [label(sheet.table, name, labels) for name in sheet.columns]
    for col, (name, kind) in enumerate(sheet.columns.items()):
        ws.set_column(col, col, _width(name, kind, headers[col], sample))
    for col, text in enumerate(headers):
        ws.write_string(0, col, text, styles.header)
    note = ""
    if cut:
        note = (f"{sheet.rows - shown:,} more rows not shown: a sheet holds at most {max_rows:,} rows; "
                f"the full table is in {sheet.full_table}")
        ws.write_string(shown + 1, 0, note, styles.note)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(written, 1), len(sheet.columns) - 1)
    _print_setup(ws)
    rows.dimension = f"A1:{xl_col_to_name(len(sheet.columns) - 1)}{shown + 2 if cut else written + 1}"
    return Shown(sheet_name(sheet.table, labels), sheet.rows, shown, cells_cut, note)


def _pieces(batches: Iterable[pa.RecordBatch], limit: int) -> Iterator[pa.RecordBatch]:
    """The first ``limit`` rows in slices of at most XML_ROWS rows."""
    for batch in batches:
        for start in range(0, min(batch.num_rows, limit), XML_ROWS):
            yield batch.slice(start, min(XML_ROWS, limit - start))
        limit -= min(batch.num_rows, limit)
        if not limit:
            return


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def _package(layout: io.BytesIO, rows: Mapping[str, _Rows], target: Path) -> None:
    """Zip xlsxwriter's parts into ``target``, each sheet's data rows after its header row.

    Members keep xlsxwriter's order and its fixed time stamp (the zip default, 1980-01-01).
    Level 1 deflates in a third of the default level's time, for a file about a fifth larger.
    """
    with zipfile.ZipFile(layout) as parts, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for member in parts.namelist():
            xml = parts.read(member)
            sheet = rows.get(member)
            if sheet is None:
                with out.open(member, "w") as f:
                    f.write(xml)
                continue
            head, tail = _split_after_header(xml, member, sheet.dimension)
            size = len(head) + sheet.path.stat().st_size + len(tail)
            with out.open(member, "w", force_zip64=size * 1.05 > zipfile.ZIP64_LIMIT) as f, \
                    open(sheet.path, "rb") as data:
                f.write(head)
                shutil.copyfileobj(data, f, 1 << 20)
                f.write(tail)


def _split_after_header(xml: bytes, member: str, dimension: str) -> tuple[bytes, bytes]:
    """The sheet's XML up to the end of its header row, with ``dimension`` as its cell range,
    and the rest: the note row of a cut sheet, then the sheet's settings."""
    start = xml.find(b"<sheetData>")
    end = xml.find(b"</row>", start) + len(b"</row>")
    if start < 0 or end < len(b"</row>") or len(_DIMENSION.findall(xml, 0, start)) != 1:
        raise ValueError(f"unexpected worksheet layout from xlsxwriter in {member}")
    return _DIMENSION.sub(f'<dimension ref="{dimension}"/>'.encode(), xml[:end], count=1), xml[end:]


def _print_setup(ws: Worksheet) -> None:
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    ws.repeat_rows(0)


def _width(name: str, kind: str, header: str, sample: list[dict[str, object]]) -> float:
    if kind == "date":
        return 11
    cap = WIDE_TEXT if name in WIDE_COLUMNS else MAX_WIDTH
    # a character is at least one column wide: the first `cap` characters decide
    texts = [header] + [str(r[name])[:cap] for r in sample if r[name] is not None]
    widest = max(_display_width(t) for t in texts)
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
