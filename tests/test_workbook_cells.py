"""The workbook's data rows, built by Arrow kernels (extractors/exports/sheetdata.py), are the XML
xlsxwriter writes for the same cells in constant-memory mode: escapes, whitespace, numbers,
dates, booleans and cut texts, checked against xlsxwriter itself."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pyarrow as pa
import xlsxwriter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractors.exports.sheetdata import EXCEL_MAX_CHARS, SPACE, fit, relabel, row_elements, xml_bytes

NOTE = "full text in observations.parquet"
# characters the escapes and the whitespace test care about, and some ordinary ones
TRICKY = st.sampled_from(["\x00", "\x01", "\x0b", "\r", "\x1f", "\t", "\n", " ", "\u3000", "\xa0", "\u2028", "\ufffe",
                          "\uffff", "_x0041_", "_x00e9_", "&", "<", ">", '"', "'", "=", "é", "亿", "𠀀", "a", "1"])
TEXT = st.one_of(st.none(), st.lists(TRICKY, max_size=6).map("".join), st.text(max_size=12))
FLOAT = st.one_of(st.none(), st.floats(allow_infinity=False), st.sampled_from([0.1 + 0.2, 42.9, 1e20, -0.0, 5e-324]))
INT = st.one_of(st.none(), st.integers(-2**62, 2**62), st.integers(-2**53, 2**53))
DATE = st.one_of(st.none(), st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)),
                 st.sampled_from([date(1899, 12, 31), date(1900, 2, 28), date(1900, 3, 1)]))
ROWS = st.lists(st.tuples(TEXT, FLOAT, INT, DATE, st.one_of(st.none(), st.booleans())), min_size=1, max_size=8)
COLUMNS = (("string", pa.string()), ("float", pa.float64()), ("int", pa.int64()), ("date", pa.date32()),
           ("bool", pa.bool_()))


def xlsxwriter_rows(rows: list[tuple]) -> tuple[bytes, int, int]:
    """sheetData of xlsxwriter's constant-memory sheet for the rows (written from sheet row 1),
    and the style numbers of its number and date formats."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    number, day = book.add_format({"num_format": "0.0#"}), book.add_format({"num_format": "yyyy-mm-dd"})
    styles = number._get_xf_index(), day._get_xf_index()
    ws = book.add_worksheet()
    for r, (text, real, integer, when, flag) in enumerate(rows, start=1):
        ws.write_string(r, 0, "id")  # a row of empty cells only is not written by xlsxwriter
        if text is not None:
            ws.write_string(r, 1, fit(text, NOTE)[0])
        if real is not None and real == real:  # NaN: empty cell
            ws.write_number(r, 2, real, number)
        if integer is not None:
            ws.write_number(r, 3, integer, number)
        if when is not None:
            ws.write_datetime(r, 4, when, day)
        if flag is not None:
            ws.write_boolean(r, 5, flag)
    book.close()
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    return re.search(rb"<sheetData>(.*)</sheetData>", sheet, re.S).group(1), *styles


def arrow_rows(rows: list[tuple], number: int, day: int) -> tuple[bytes, int]:
    columns = [(pa.array(["id"] * len(rows)), "string", None)]
    for i, (kind, arrow_type) in enumerate(COLUMNS):
        style = {"float": number, "int": number, "date": day}.get(kind)
        columns.append((pa.array([row[i] for row in rows], arrow_type), kind, style))
    elements, cut = row_elements(columns, 1, NOTE)
    return xml_bytes(elements).to_pybytes(), cut


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
@example([("\x00_x0041_ a&b ", 0.1 + 0.2, 2**60 + 1, date(1900, 2, 28), True)])
@example([(" \u3000", float("nan"), -5, date(1899, 12, 31), False), (None, None, None, None, None)])
def test_rows_are_the_xml_xlsxwriter_writes(rows: list[tuple]) -> None:
    expected, number, day = xlsxwriter_rows(rows)
    assert arrow_rows(rows, number, day) == (expected, 0)


def test_a_text_over_the_cell_limit_is_cut_with_a_note_counted_in_utf16_units() -> None:
    long, astral = "进出口" * 12_000, "𠀀" * 20_000  # 36,000 characters; 20,000 characters of two UTF-16 units
    rows = [(long, None, None, None, None), (astral, None, None, None, None), ("short", None, None, None, None)]
    expected, number, day = xlsxwriter_rows(rows)
    assert arrow_rows(rows, number, day) == (expected, 2)
    for text in (long, astral):
        shown, cut = fit(text, NOTE)
        assert cut and len(shown.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS and shown.startswith(text[:1000])
        assert shown.endswith(f"[cut: {len(text):,} characters, a cell holds 32,767; {NOTE}]")
    assert fit("𠀀" * 16_383, NOTE) == ("𠀀" * 16_383, False)  # 32,766 units fit


def test_code_columns_are_escaped_once_per_value_and_keep_their_nulls() -> None:
    codes = pa.array(["a&b", None, "a&b", "x"]).dictionary_encode()
    plain = pa.array(["a&b", None, "a&b", "x"])
    assert row_elements([(codes, "category", None)], 0, NOTE)[0] == row_elements([(plain, "string", None)], 0, NOTE)[0]
    assert relabel(codes, {"a&b": "甲"}.get).to_pylist() == ["甲", None, "甲", None]


def test_the_whitespace_class_is_pythons_minus_the_escaped_controls() -> None:
    python = {chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))}
    escaped = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))}
    ours = set()
    for part in re.findall(r"\\x\{([0-9A-F]+)\}-\\x\{([0-9A-F]+)\}|\\x\{([0-9A-F]+)\}|(\\[tn]| )", SPACE):
        low, high, one, plain = part
        if low:
            ours |= {chr(c) for c in range(int(low, 16), int(high, 16) + 1)}
        else:
            ours.add(chr(int(one, 16)) if one else {"\\t": "\t", "\\n": "\n", " ": " "}[plain])
    assert ours == python - escaped
