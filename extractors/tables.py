"""Write the observations, documents and errors tables as Parquet and CSV, streamed and atomically.

Column order and types follow ../shared/spec/SCHEMA.md. Both formats are byte-for-byte
deterministic for the same rows: rows arrive in a fixed order (see ``batch.py``), each Parquet
row group's dictionary (categorical) columns list their values in sorted order, and nothing
run-dependent (time, host, random id) is written. CSV files are UTF-8 with a BOM,
comma-separated, minimally quoted (RFC 4180), with ``\\r\\n`` line ends, ISO dates and plain
decimal numbers.

Rows are streamed: ``TableSet`` writes each batch of rows as a Parquet row group and appends it
to the CSV, into a staging folder inside the output folder (``.run.*.tmp``), so memory stays
bounded by one row group whatever the input size. Derived files can be written into the same
staging folder (``finish``); ``commit`` then swaps everything staged in at once (or none).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import metadata
from itertools import repeat
from operator import is_not
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .cells import ESCAPE, FORMULA_TRIGGERS
from .ids import public_obs_id
from .model import Observation

# Column kinds: "string", "category" (dictionary-encoded), "date", "float", "int" (int64,
# never null) and "int32" (nullable).
OBSERVATION_COLUMNS: dict[str, str] = {
    "obs_id": "string", "doc_id": "string", "source_file": "string", "publisher": "category",
    "published": "date", "province": "category", "city": "category", "region": "category",
    "region_level": "category", "subject": "string", "indicator": "category", "indicator_text": "string",
    "period_start": "date", "period_end": "date", "period_type": "category", "period_text": "string",
    "value": "float", "unit": "category", "value_text": "string", "bound": "category",
    "value_high": "float", "yoy_pct_high": "float",  # the high ends of a range (bound range)
    "yoy_pct": "float", "share_pct": "float", "rank": "int32", "rank_scope": "string",
    "status": "category", "sentence": "string", "char_start": "int", "char_end": "int", "rule": "category",
    "review": "category",  # set by the corrections stage: confirmed, corrected, added; null when untouched
}
DOCUMENT_COLUMNS: dict[str, str] = {
    "doc_id": "string", "source_file": "string", "publisher": "category", "published": "date",
    "city": "category", "province": "category", "title": "string", "kind": "category",
    "char_start": "int", "char_end": "int", "n_observations": "int", "meta_source": "string",
}
ERROR_COLUMNS: dict[str, str] = {"source_file": "string", "stage": "category", "reason": "string"}
TABLES: dict[str, dict[str, str]] = {
    "observations": OBSERVATION_COLUMNS, "documents": DOCUMENT_COLUMNS, "errors": ERROR_COLUMNS}

_ARROW_TYPES = {
    "string": pa.string(), "category": pa.dictionary(pa.int32(), pa.string()), "date": pa.date32(),
    "float": pa.float64(), "int": pa.int64(), "int32": pa.int32(),
}
# How pandas describes each kind of column in the Parquet files' pandas metadata (as
# pa.Table.from_pandas writes it for an empty frame), so pandas reads Int64/Int32 and categories
# back; written here because importing pandas costs a third of a second at every start
_PANDAS_COLUMNS: dict[str, tuple[str, str, dict | None]] = {
    "string": ("unicode", "object", None), "category": ("categorical", "int8", {"num_categories": 0, "ordered": False}),
    "date": ("date", "object", None), "float": ("float64", "float64", None),
    "int": ("int64", "Int64", None), "int32": ("int32", "Int32", None),
}
CSV_LINE_END = "\r\n"
# rows held before a row group is written: about 7 kB each as Python objects, so this bounds memory
ROW_GROUP_ROWS = 10_000


class OutputError(OSError):
    """The output folder cannot be created or written; no table was changed."""


def observation_row(o: Observation) -> dict:
    """An observation as a table row, with its public id (``extractors.ids``)."""
    row = {name: getattr(o, name) for name in OBSERVATION_COLUMNS}
    row["obs_id"] = public_obs_id(o.obs_id)
    return row


def observation_key(row: dict) -> tuple:
    return (row["source_file"], row["char_start"], row["char_end"], row["indicator"], row["obs_id"])


def document_key(row: dict) -> tuple:
    return (row["source_file"], row["char_start"])


def error_key(row: dict) -> tuple:
    return (row["source_file"], row["stage"], row["reason"])


def write_tables(out_dir: Path, observations: list[Observation], documents: list[dict],
                 errors: list[dict]) -> dict[str, Path]:
    """Write the six table files into ``out_dir`` from rows in memory (sorted here).

    Returns the written paths keyed by file name. Raises OutputError naming the folder when it
    cannot be written; then no table was changed.
    """
    with TableSet(Path(out_dir)) as tables:
        for stem, rows, key in (("observations", map(observation_row, observations), observation_key),
                                ("documents", documents, document_key), ("errors", errors, error_key)):
            tables.add(stem, [row_tuple(row, stem) for row in sorted(rows, key=key)])
        return tables.commit()


def row_tuple(row: dict, stem: str) -> tuple:
    """A row as the table writer takes it: its values in the table's column order."""
    return tuple(row.get(name) for name in TABLES[stem])


class TableSet:
    """The three tables of one run, streamed into a staging folder in ``out_dir`` and swapped in by ``commit``.

    Rows must be added in their final order. Leaving the ``with`` block without ``commit``
    (e.g. on an exception) deletes the staging folder and leaves the old files untouched.
    """

    def __init__(self, out_dir: Path, row_group_rows: int = ROW_GROUP_ROWS,
                 on_prepared: Callable[[object, str, pa.Table], None] | None = None) -> None:
        """``on_prepared(tag, stem, table)``: see ``add``."""
        self.out_dir = out_dir
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.staging = Path(temp_folder(out_dir, STAGING))
        except OSError as e:
            raise OutputError(f"cannot create output folder {out_dir}: {e.strerror or e}") from e
        self._writers: dict[str, _TableWriter] = {}
        try:
            for stem, columns in TABLES.items():
                self._writers[stem] = _TableWriter(self.staging, stem, columns, row_group_rows, on_prepared)
        except OSError as e:
            self.close()
            raise OutputError(f"cannot write tables to {out_dir}: {e.strerror or e}") from e

    def __enter__(self) -> TableSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, stem: str, rows: Iterable[tuple] | pa.Table, tag: object = None) -> None:
        """Append rows to a table: tuples of values in column order (see ``row_tuple``) or a
        prepared table (``prepared_table``). Tuples added with a ``tag`` are handed back
        prepared, once, as ``on_prepared(tag, stem, table)``."""
        try:
            self._writers[stem].add(rows, tag)
        except OSError as e:
            raise OutputError(f"cannot write tables to {self.out_dir}: {e.strerror or e}") from e

    def finish(self) -> Path:
        """Complete the six table files (durably); returns the staging folder that holds them
        under their own names, where derived files may be added before ``commit``."""
        try:
            for writer in self._writers.values():
                writer.finish()
        except OSError as e:
            raise OutputError(f"cannot write tables to {self.out_dir}: {e.strerror or e}") from e
        return self.staging

    def commit(self, remove: Iterable[str] = ()) -> dict[str, Path]:
        """Swap every staged file and folder in and delete the ``remove`` names from ``out_dir``
        (outputs not chosen this time, so the folder never mixes runs): all of it, or none."""
        self.finish()
        drop = set(remove)
        staged = {name: str(self.staging / name) for name in sorted(os.listdir(self.staging))
                  if not name.startswith(".") and name not in drop}
        swap_in(self.out_dir, staged, sorted(drop))
        self.close()
        return {name: self.out_dir / name for name in staged}

    def close(self) -> None:
        for writer in self._writers.values():
            writer.discard()
        self._writers = {}
        _remove([str(self.staging)])


class _TableWriter:
    """One table: rows buffered up to a row group, then written to the Parquet and CSV temp files.

    Rows come as Python tuples or as a prepared table (``prepared_table``, e.g. from the cache).
    Tuples are prepared a row group's worth at a time, in one pass for many files; ``on_prepared``
    is then told each tagged batch of tuples' share of the result (the cache stores it)."""

    def __init__(self, folder: Path, stem: str, columns: dict[str, str], row_group_rows: int,
                 on_prepared: Callable[[object, str, pa.Table], None] | None = None) -> None:
        self.stem = stem
        self.columns = columns
        self.row_group_rows = row_group_rows
        self.on_prepared = on_prepared
        self.waiting: list[tuple[list[tuple], object]] = []  # tuples not yet prepared, with their tag
        self.prepared: list[pa.Table] = []
        self.rows = 0  # buffered in both
        self.schema = arrow_schema(columns)
        # the staging folder is this run's own: files go straight to their names in it
        self.temps = {"parquet": str(folder / f"{stem}.parquet"), "csv": str(folder / f"{stem}.csv")}
        self.parquet: pq.ParquetWriter | None = None
        self.csv_file: io.BufferedWriter | None = None
        try:
            self.parquet = pq.ParquetWriter(self.temps["parquet"], self.schema)
            self.csv_file = open(self.temps["csv"], "wb")
            self.csv_file.write(csv_header(columns))
        except OSError:
            self.discard()
            raise

    def add(self, rows: Iterable[tuple] | pa.Table, tag: object = None) -> None:
        if isinstance(rows, pa.Table):
            self._prepare_waiting()
            self.prepared.append(rows)
        else:
            rows = list(rows)
            if not rows and tag is not None and self.on_prepared is not None:
                self.on_prepared(tag, self.stem, prepared_schema(self.columns).empty_table())
            self.waiting.append((rows, tag))
        self.rows += len(rows)
        if self.rows >= self.row_group_rows:
            self._write_groups(last=False)

    def _prepare_waiting(self) -> None:
        rows = [row for batch, _ in self.waiting for row in batch]
        if rows:
            table = prepared_table(rows, self.columns)
            start = 0
            for batch, tag in self.waiting:
                if batch and tag is not None and self.on_prepared is not None:
                    self.on_prepared(tag, self.stem, table.slice(start, len(batch)))
                start += len(batch)
            self.prepared.append(table)
        self.waiting = []

    def _write_groups(self, last: bool) -> None:
        """Write every full row group buffered (groups of a fixed size, so files end up the
        same), and with ``last`` the rest."""
        self._prepare_waiting()
        if not self.prepared:
            return
        table = pa.concat_tables(self.prepared)
        start, size = 0, self.row_group_rows
        while len(table) - start >= size or (last and start < len(table)):
            self._write(table.slice(start, size).combine_chunks())
            start += size
        self.prepared = [table.slice(start)] if start < len(table) else []
        self.rows = len(table) - start

    def _write(self, group: pa.Table) -> None:
        arrays = [_dictionary_encoded(group.column(name).chunk(0)) if kind == "category" else group.column(name)
                  for name, kind in self.columns.items()]
        self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.csv_file.write(string_bytes(group.column(CSV_LINE).chunk(0)))

    def finish(self) -> dict[str, str]:
        """Flush and close both files (durably); returns their temp paths."""
        if self.parquet is not None:
            self._write_groups(last=True)
            self.parquet.close()
            self.parquet = None
            _fsync_file(self.temps["parquet"])
            self.csv_file.flush()
            os.fsync(self.csv_file.fileno())
            self.csv_file.close()
            self.csv_file = None
        return self.temps

    def discard(self) -> None:
        """Close and delete the temp files; a close that fails (disk full) must not keep them."""
        for handle in (self.parquet, self.csv_file):
            if handle is not None:
                try:
                    handle.close()
                except OSError:
                    pass
        self.parquet = self.csv_file = None
        _remove(self.temps.values())


# The prepared form of rows: the table's columns with categories as plain text (a row group's
# dictionary is built when it is written, from all its rows) and, last, each row's CSV line.
CSV_LINE = "_csv_line"


def prepared_schema(columns: dict[str, str]) -> pa.Schema:
    return pa.schema([pa.field(name, pa.string() if kind == "category" else _ARROW_TYPES[kind])
                      for name, kind in columns.items()] + [pa.field(CSV_LINE, pa.string())])


def prepared_table(rows: list[tuple], columns: dict[str, str]) -> pa.Table:
    """Rows (values in column order) in the form the table writer and the cache keep them."""
    if not rows:
        return prepared_schema(columns).empty_table()
    values = dict(zip(columns, map(list, zip(*rows))))
    arrays = [_arrow_column(values[name], kind) for name, kind in columns.items()]
    lines = csv_line_array(arrays, list(columns.values()))
    plain = [array.dictionary.take(array.indices) if kind == "category" else array
             for array, kind in zip(arrays, columns.values())]
    return pa.Table.from_arrays(plain + [lines], schema=prepared_schema(columns))


def prepared_rows(table: pa.Table, columns: dict[str, str]) -> list[tuple]:
    """The rows of a prepared table as tuples in column order (what ``prepared_table`` took)."""
    return list(zip(*(table.column(name).to_pylist() for name in columns))) if len(table) else []


def _dictionary_encoded(text: pa.Array) -> pa.DictionaryArray:
    """A category column as the tables store it: its distinct values in sorted order (code point
    order, as Python sorts them: UTF-8's byte order is the same), indices into them."""
    import pyarrow.compute as pc

    values = pc.drop_null(pc.unique(text))
    values = values.take(pc.sort_indices(values))
    return pa.DictionaryArray.from_arrays(pc.index_in(text, value_set=values).cast(pa.int32()), values)


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """The table's Arrow schema, carrying pandas metadata so pandas restores nullable ints and categories."""
    described = [{"name": name, "field_name": name, "pandas_type": _PANDAS_COLUMNS[kind][0],
                  "numpy_type": _PANDAS_COLUMNS[kind][1], "metadata": _PANDAS_COLUMNS[kind][2]}
                 for name, kind in columns.items()]
    pandas = {"index_columns": [], "column_indexes": [], "columns": described, "attributes": {},
              "creator": {"library": "pyarrow", "version": pa.__version__}, "pandas_version": _pandas_version()}
    return pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in columns.items()],
                     metadata={"pandas": json.dumps(pandas)})


@cache
def _pandas_version() -> str:
    return metadata.version("pandas")


def arrow_table(values: dict[str, list], columns: dict[str, str], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([_arrow_column(values[name], kind) for name, kind in columns.items()],
                                schema=schema)


def text_batch(values: dict[str, list[str | None]]) -> pa.RecordBatch:
    """Columns of text as a record batch of string columns: what ``pa.RecordBatch.from_pydict``
    makes of them, without importing pandas (see ``_arrow_column``)."""
    return pa.RecordBatch.from_arrays([_arrow_column(column, "string") for column in values.values()],
                                      names=list(values))


# Columns are built from buffers rather than with pa.array: pyarrow's conversion of Python lists
# imports pandas at its first call (to check whether the list is a pandas object), a third of a
# second at every start. The arrays are equal, so are the Parquet bytes.
def _arrow_column(column: list, kind: str) -> pa.Array:
    if kind == "float":
        values = np.array(column, dtype=np.float64)  # None is NaN, and a NaN is a null, as pandas writes it
        return _from_buffers(pa.float64(), ~np.isnan(values), values)
    valid = np.fromiter(map(is_not, column, repeat(None)), dtype=bool, count=len(column)) if None in column else None
    if kind == "string":
        return _strings(column, valid)
    if kind == "category":
        categories = sorted({v for v in column if v is not None})
        code = {v: i for i, v in enumerate(categories)}
        code[None] = 0  # a null's index is a placeholder, never read
        indices = np.fromiter(map(code.__getitem__, column), dtype=np.int32, count=len(column))
        return pa.DictionaryArray.from_arrays(_from_buffers(pa.int32(), valid, indices), _strings(categories, None))
    if valid is not None:
        column = [_NULL_PLACEHOLDER[kind] if v is None else v for v in column]
    if kind == "date":  # date32: days since 1970-01-01
        days = np.fromiter(map(date.toordinal, column), dtype=np.int32, count=len(column)) - _EPOCH_ORDINAL
        return _from_buffers(pa.date32(), valid, days)
    if kind == "int":
        return _from_buffers(pa.int64(), valid, np.array(column, dtype=np.int64))
    return _from_buffers(pa.int32(), valid, np.array(column, dtype=np.int32))


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NULL_PLACEHOLDER: dict[str, object] = {"date": date(1970, 1, 1), "int": 0, "int32": 0}


def _strings(column: list, valid: np.ndarray | None) -> pa.Array:
    encoded = list(map(str.encode, column)) if valid is None else [b"" if v is None else v.encode() for v in column]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int32, count=len(encoded)), out=offsets[1:])
    return _from_buffers(pa.string(), valid, offsets, pa.py_buffer(b"".join(encoded)))


def _from_buffers(arrow_type: pa.DataType, valid: np.ndarray | None, values: np.ndarray, *data: pa.Buffer) -> pa.Array:
    """An array of the items ``values`` holds (or, for strings, delimits), null where ``valid`` is
    False; a validity bitmap only where some item is null, as pa.array makes it."""
    length = len(values) - 1 if data else len(values)
    bitmap = None if valid is None or valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(arrow_type, length, [bitmap, pa.py_buffer(values), *data])


def parquet_bytes(values: dict[str, list], columns: dict[str, str]) -> bytes:
    """One table as Parquet with an explicit Arrow schema (and stable pandas metadata)."""
    schema = arrow_schema(columns)
    sink = io.BytesIO()
    pq.write_table(arrow_table(values, columns, schema), sink)
    return sink.getvalue()


def csv_bytes(values: dict[str, list], columns: dict[str, str]) -> bytes:
    """One table as CSV: BOM, header row, one line per row, empty cell for null."""
    table = arrow_table(values, columns, arrow_schema(columns))
    return csv_header(columns) + bytes(csv_lines(table.columns, list(columns.values())))


def csv_header(columns: Iterable[str]) -> bytes:
    """The BOM (which Excel and WPS need to read the file as UTF-8) and the header line."""
    out = io.StringIO()
    csv.writer(out, lineterminator=CSV_LINE_END, quoting=csv.QUOTE_MINIMAL).writerow(columns)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _class_of(chars: Iterable[str]) -> str:
    """A regex (RE2, as Arrow's kernels take it) character class of exactly these characters."""
    if any(len(c) != 1 for c in chars):
        raise ValueError(f"not single characters: {chars!r}")
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


_FORMULA_START = "^" + _class_of(FORMULA_TRIGGERS)
_NEEDS_QUOTES = _class_of(',"\r\n')  # what csv.QUOTE_MINIMAL quotes a cell for, with \r\n line ends


def csv_lines(arrays: list[pa.Array | pa.ChunkedArray], kinds: list[str]) -> memoryview:
    """The rows of these columns (of the column kinds ``kinds``) as CSV lines in UTF-8, each
    ending with CSV_LINE_END (see ``csv_line_array``), as one buffer."""
    return string_bytes(csv_line_array(arrays, kinds))


def csv_line_array(arrays: list[pa.Array | pa.ChunkedArray], kinds: list[str]) -> pa.Array:
    """Each row of these columns as its CSV line: the bytes Python's csv.writer (QUOTE_MINIMAL)
    writes, with CSV_LINE_END, built by Arrow's string kernels a column at a time (a cell at a
    time in Python was most of a cached run). Text cells are neutralised against formula
    injection (cells.py); dates are ISO, numbers plain (``format_float``), a null is an empty cell."""
    import pyarrow.compute as pc  # only runs that write CSV pay for its import

    if len(arrays) < 2:
        raise ValueError("csv_lines: a table of one column would need csv's quoting of an empty row")
    cells = [_csv_cells(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array, kind, pc)
             for array, kind in zip(arrays, kinds)]
    return pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, _text(",")), _text(""), _text(CSV_LINE_END))


def string_bytes(lines: pa.Array) -> memoryview:
    """The UTF-8 of a string array's items, run together (no copy)."""
    if not len(lines):
        return memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    return memoryview(lines.buffers()[2])[offsets[lines.offset]:offsets[lines.offset + len(lines)]]


def _csv_cells(array: pa.Array, kind: str, pc) -> pa.Array:
    """One column's cells as strings, none null."""
    if kind == "float":
        return _strings([format_float(v) for v in array.to_pylist()], None)
    if isinstance(array, pa.DictionaryArray):  # each distinct value is written once, then taken
        return pc.fill_null(pc.take(_csv_cells(array.dictionary, kind, pc), array.indices), _text(""))
    text = array.cast(pa.string())  # ISO dates, integers; true/false
    if kind in ("string", "category"):
        formula = pc.match_substring_regex(text, _FORMULA_START)
        text = pc.if_else(formula, pc.binary_join_element_wise(_text(ESCAPE), text, _text("")), text)
        quoted = pc.binary_join_element_wise(_text('"'), pc.replace_substring(text, '"', '""'), _text('"'), _text(""))
        text = pc.if_else(pc.match_substring_regex(text, _NEEDS_QUOTES), quoted, text)
    return pc.fill_null(text, _text(""))


@cache
def _text(value: str) -> pa.StringScalar:
    """A string scalar made from buffers: pyarrow's conversion of a Python str imports pandas
    (a fifth of a second) at its first call, as pa.array does (see _arrow_column)."""
    return _strings([value], None)[0]


def format_float(value: float | None) -> str:
    """Shortest round-trip decimal, never scientific, no trailing ``.0``: 1.075e10 -> 10750000000."""
    if value is None or value != value:
        return ""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


STAGING = "run"  # the staging folder of a run: OUT/.run.*.tmp


def remove_stale(out_dir: Path, names: Iterable[str]) -> None:
    """Best effort: drop the temp files, folders and backups a killed run left; only those of
    the output ``names`` (and the staging folder), never other hidden files of the folder."""
    for name in [*names, STAGING]:
        for pattern in (f".{name}.*.tmp", f".{name}.*.tmp.wal", f".{name}.*.old"):
            for stale in out_dir.glob(pattern):
                try:
                    shutil.rmtree(stale) if stale.is_dir() and not stale.is_symlink() else stale.unlink()
                except OSError:
                    pass


def temp_folder(out_dir: Path, name: str) -> str:
    return tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)


def swap_in(out_dir: Path, temps: dict[str, str], remove: Iterable[str] = ()) -> None:
    """Rename every staged file (or folder) to its name and move the ``remove`` names away; on
    failure put the old set back. Raises OutputError naming the file and the cause."""
    backups: dict[str, str] = {}  # name -> a second name of the old file or folder
    placed: list[str] = []
    name = ""
    try:
        for name, tmp in temps.items():
            if os.path.lexists(out_dir / name):
                backups[name] = _backup(out_dir, name)
            os.replace(tmp, out_dir / name)
            placed.append(name)
        for name in remove:
            if os.path.lexists(out_dir / name):
                backups[name] = _backup(out_dir, name, move=True)
        _fsync_dir(out_dir)
    except OSError as e:
        _roll_back(out_dir, placed, backups)
        _remove(temps.values())
        raise OutputError(f"cannot write {out_dir / name}: {e.strerror or e}") from e
    finally:
        _remove(backups.values())


def _backup(out_dir: Path, name: str, move: bool = False) -> str:
    """A second name for the current file or folder, so it can be put back if a later swap fails;
    ``move`` (and any folder, which a rename cannot replace) takes it away from its name."""
    target = out_dir / name
    fd, backup = tempfile.mkstemp(prefix=f".{name}.", suffix=".old", dir=out_dir)
    os.close(fd)
    os.unlink(backup)
    if move or (target.is_dir() and not target.is_symlink()):
        os.rename(target, backup)
        return backup
    try:
        os.link(target, backup)  # cheap and keeps the live file in place
    except OSError:
        shutil.copy2(target, backup)  # file systems without hard links
    return backup


def _roll_back(out_dir: Path, placed: list[str], backups: dict[str, str]) -> None:
    for name in placed:
        _remove([str(out_dir / name)])
        if name in backups:
            os.replace(backups.pop(name), out_dir / name)
    for name, backup in list(backups.items()):
        if not os.path.lexists(out_dir / name):  # moved away, its new version never came
            os.rename(backups.pop(name), out_dir / name)


def _fsync_file(path: str) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(out_dir: Path) -> None:
    """Make the renames durable; not every platform can open a folder for this."""
    try:
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(paths: Iterable[str]) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
