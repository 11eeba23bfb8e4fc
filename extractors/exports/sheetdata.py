"""SpreadsheetML rows (``<row>``/``<c>`` elements) built from Arrow columns by Arrow's string kernels.

xlsxwriter writes a cell per Python call (about 7 µs each: the 2.3 M cells of the benchmark
corpus took 16 s), so ``xlsx.py`` lets it lay out the workbook and writes the data rows with
this module instead, a column of a record batch at a time. The XML is the one xlsxwriter writes
in constant-memory mode: inline strings, control characters as ``_xHHHH_`` (and a literal
``_xHHHH_`` guarded as ``_x005F_xHHHH_``), ``xml:space="preserve"`` on text that starts or ends
with whitespace, numbers with 16 significant digits, dates as Excel serial numbers. The rare
texts that need a Python pass (too long for a cell, or holding a character to escape) get one;
every other step is a vectorised kernel.

No Python value is converted by pyarrow here (``pa.array``, ``pa.scalar`` or a plain constant in
a compute call): its first conversion imports pandas, a fifth of a second at every run. Lists
become arrays through ``tables.text_batch`` and constants are built from their bytes (``const``).
"""
from __future__ import annotations

import re
import struct
from collections.abc import Callable
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

from ..tables import text_batch

EXCEL_MAX_CHARS = 32_767  # per cell, in UTF-16 code units as Excel counts them
# texts that need the Python pass: control characters, a literal _xHHHH_, the non-characters
# U+FFFE/U+FFFF (RE2 syntax; the same sets as xlsxwriter's escapes below); and texts with anything
# to escape at all (those or XML's & < >)
_NEEDS_PYTHON = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
_ANY_ESCAPE = r"[&<>\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
_ESCAPED_LITERAL = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
# Python's \s (which xlsxwriter tests for xml:space) minus the control characters escaped above
SPACE = r"\t\n \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
_EDGE_SPACE = f"^[{SPACE}]|[{SPACE}]$"
_EXACT_INT = 2 ** 53  # integers below this are exact as floats: 16 significant digits print them in full
TEXT_KINDS = ("string", "category")
_EXCEL_1970 = 25_568  # days from Excel's day 0 (1899-12-31) to 1970-01-01, before its 1900 leap-day bug
_FAKE_LEAP_DAY = 59  # Excel counts a 29 February 1900: serial numbers after it are one higher


_PACKED = {pa.int32(): "<i", pa.int64(): "<q", pa.float64(): "<d"}  # struct formats of the number constants


@cache
def const(value: str | int | float | None, arrow_type: pa.DataType = pa.string()) -> pa.Scalar:
    """An Arrow scalar built from its bytes (None: the type's null), not converted by pyarrow."""
    if value is None:
        return pa.nulls(1, arrow_type)[0]
    if pa.types.is_string(arrow_type):
        data = value.encode()
        return pa.Array.from_buffers(arrow_type, 1, [None, pa.py_buffer(struct.pack("<2i", 0, len(data))),
                                                     pa.py_buffer(data)])[0]
    return pa.Array.from_buffers(arrow_type, 1, [None, pa.py_buffer(struct.pack(_PACKED[arrow_type], value))])[0]


def texts(values: list[str | None]) -> pa.Array:
    """A string array of ``values``, not converted by pyarrow."""
    return text_batch({"text": values}).column(0)


def fit(text: str, cut_note: str) -> tuple[str, bool]:
    """The text, or its start plus a note saying it was cut, within Excel's cell limit; and whether it was cut."""
    units = len(text.encode("utf-16-le")) // 2
    if units <= EXCEL_MAX_CHARS:
        return text, False
    note = f" …[cut: {len(text):,} characters, a cell holds {EXCEL_MAX_CHARS:,}; {cut_note}]"
    keep = (EXCEL_MAX_CHARS - len(note)) * 2
    return text[:keep].encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore") + note, True


def _escape_controls(text: str) -> str:
    text = _ESCAPED_LITERAL.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def _text_bodies(text: pa.Array, cut_note: str) -> tuple[pa.Array, list[bool] | None]:
    """``<is>`` contents of a string array; and which texts were cut (None: none was)."""
    # a text over the cell limit is over it in UTF-8 bytes too (a UTF-16 unit takes one or more)
    too_long = pc.greater(pc.binary_length(text), const(EXCEL_MAX_CHARS, pa.int32()))
    cut = None
    if pc.any(too_long).as_py() or pc.any(pc.match_substring_regex(text, _ANY_ESCAPE)).as_py():
        slow = pc.or_(too_long, pc.match_substring_regex(text, _NEEDS_PYTHON))
        if pc.any(slow).as_py():
            values, cut = text.to_pylist(), [False] * len(text)
            for i, is_slow in enumerate(slow.to_pylist()):
                if is_slow:
                    values[i], cut[i] = fit(values[i], cut_note)
                    values[i] = _escape_controls(values[i])
            text = texts(values)
        escaped = pc.replace_substring(pc.replace_substring(pc.replace_substring(text, "&", "&amp;"), "<", "&lt;"),
                                       ">", "&gt;")
    else:
        escaped = text  # the common case: nothing to cut or escape
    opening = pc.if_else(pc.match_substring_regex(text, _EDGE_SPACE), const('<t xml:space="preserve">'), const("<t>"))
    return pc.binary_join_element_wise(opening, escaped, const("</t>"), const("")), cut


def _text_cells(ref: str, rows: pa.Array, values: pa.Array, cut_note: str) -> tuple[pa.Array, int]:
    """Inline-string cells (never formulas) of a string column; also the number of texts cut.

    A dictionary-encoded (code) column is escaped once per distinct value."""
    if pa.types.is_dictionary(values.type):
        bodies, cut = _text_bodies(values.dictionary, cut_note)
        rows_cut = 0 if cut is None else sum(cut[i] for i in values.indices.to_pylist() if i is not None)
        bodies = bodies.take(values.indices)
    else:
        bodies, cut = _text_bodies(values, cut_note)
        rows_cut = 0 if cut is None else sum(cut)
    cells = pc.binary_join_element_wise(const(f'<c r="{ref}'), rows, const('" t="inlineStr"><is>'), bodies,
                                        const("</is></c>"), const(""))
    return cells, rows_cut


def _number_text(values: pa.Array, kind: str) -> pa.Array:
    """What goes into a number cell's <v>, null where the sheet shows an empty cell."""
    if kind == "date":
        days = pc.add(pc.cast(values, pa.int32()), const(_EXCEL_1970, pa.int32()))
        leap = pc.greater(days, const(_FAKE_LEAP_DAY, pa.int32()))
        return pc.cast(pc.if_else(leap, pc.add(days, const(1, pa.int32())), days), pa.string())
    if pa.types.is_integer(values.type):
        low, high = pc.min_max(values).values()
        if -_EXACT_INT < (low.as_py() or 0) and (high.as_py() or 0) < _EXACT_INT:
            return pc.cast(values, pa.string())
    if pa.types.is_floating(values.type):
        if pc.any(pc.is_inf(values)).as_py():
            raise ValueError("a number cell cannot hold an infinite value")
        values = pc.if_else(pc.is_nan(values), const(None, values.type), values)  # NaN: an empty cell, as null
    return texts([None if v is None else f"{v:.16G}" for v in values.to_pylist()])


def _value_cells(ref: str, rows: pa.Array, values: pa.Array, kind: str, style: int | None) -> pa.Array:
    if kind == "bool":
        return pc.binary_join_element_wise(const(f'<c r="{ref}'), rows, const('" t="b"><v>'),
                                           pc.if_else(values, const("1"), const("0")), const("</v></c>"), const(""))
    styled = f'" s="{style}"><v>' if style is not None else '"><v>'
    return pc.binary_join_element_wise(const(f'<c r="{ref}'), rows, const(styled), _number_text(values, kind),
                                       const("</v></c>"), const(""))


def row_elements(columns: list[tuple[pa.Array, str, int | None]], first_row: int, cut_note: str
                 ) -> tuple[pa.Array, int]:
    """The ``<row>`` elements of a batch whose first row is sheet row ``first_row`` (0-based).

    ``columns``: (values, kind, xf index of the number format or None) in sheet order. Returns one
    string per row and the number of texts cut at Excel's cell limit.
    """
    n = len(columns[0][0])
    numbers = np.arange(first_row + 1, first_row + 1 + n, dtype=np.int64)
    rows = pc.cast(pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(numbers)]), pa.string())
    cells, cut = [], 0
    for col, (values, kind, style) in enumerate(columns):
        ref = xl_col_to_name(col)
        if kind in TEXT_KINDS:
            cell, was_cut = _text_cells(ref, rows, values, cut_note)
            cut += was_cut
        else:
            cell = _value_cells(ref, rows, values, kind, style)
        cells.append(pc.fill_null(cell, const("")))  # no value: no cell
    return pc.binary_join_element_wise(const('<row r="'), rows, const('">'), *cells, const("</row>"), const("")), cut


def xml_bytes(elements: pa.Array) -> pa.Buffer:
    """The strings of an Arrow string array, concatenated, without copying them into Python."""
    if not len(elements):
        return pa.py_buffer(b"")
    _, offsets, data = elements.buffers()
    ends = pa.Array.from_buffers(pa.int32(), len(elements) + 1, [None, offsets], offset=elements.offset)
    return data[ends[0].as_py():ends[-1].as_py()]


def relabel(values: pa.Array, label: Callable[[str], str | None]) -> pa.Array:
    """``label`` applied to each distinct value once (code columns hold a handful of values)."""
    encoded = pc.dictionary_encode(values)
    return pa.DictionaryArray.from_arrays(encoded.indices, texts([label(v) for v in encoded.dictionary.to_pylist()]))
