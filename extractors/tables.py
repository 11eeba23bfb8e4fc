"""Write the observations, documents and errors tables as Parquet and CSV, atomically.

Column order and types follow ../shared/spec/SCHEMA.md. Both formats are byte-for-byte
deterministic for the same rows: rows are sorted on fixed keys, dictionary (categorical) columns
list their values in sorted order, and nothing run-dependent (time, host, random id) is
written. CSV files are UTF-8 with a BOM, comma-separated, minimally quoted (RFC 4180), with
``\\r\\n`` line ends, ISO dates and plain decimal numbers.
"""
from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .cells import neutralise
from .model import Observation

# Column kinds: "string", "category" (dictionary-encoded), "date", "float", "int" (int64,
# never null) and "int32" (nullable).
OBSERVATION_COLUMNS: dict[str, str] = {
    "obs_id": "string", "doc_id": "string", "source_file": "string", "publisher": "category",
    "published": "date", "province": "category", "city": "category", "region": "category",
    "region_level": "category", "subject": "string", "indicator": "category", "indicator_text": "string",
    "period_start": "date", "period_end": "date", "period_type": "category", "period_text": "string",
    "value": "float", "unit": "category", "value_text": "string", "bound": "category",
    "yoy_pct": "float", "share_pct": "float", "rank": "int32", "rank_scope": "string",
    "status": "category", "sentence": "string", "char_start": "int", "char_end": "int", "rule": "category",
}
DOCUMENT_COLUMNS: dict[str, str] = {
    "doc_id": "string", "source_file": "string", "publisher": "category", "published": "date",
    "city": "category", "province": "category", "title": "string", "kind": "category",
    "char_start": "int", "char_end": "int", "n_observations": "int", "meta_source": "string",
}
ERROR_COLUMNS: dict[str, str] = {"source_file": "string", "stage": "category", "reason": "string"}

_ARROW_TYPES = {
    "string": pa.string(), "category": pa.dictionary(pa.int32(), pa.string()), "date": pa.date32(),
    "float": pa.float64(), "int": pa.int64(), "int32": pa.int32(),
}
CSV_LINE_END = "\r\n"


class OutputError(OSError):
    """The output folder cannot be created or written; no table was changed."""


def write_tables(out_dir: Path, observations: list[Observation], documents: list[dict],
                 errors: list[dict]) -> dict[str, Path]:
    """Write the six table files into ``out_dir``: all of them replace the old ones, or none does.

    Returns the written paths keyed by file name. Raises OutputError naming the folder when it
    cannot be written.
    """
    obs_rows = sorted(({name: getattr(o, name) for name in OBSERVATION_COLUMNS} for o in observations),
                      key=lambda r: (r["source_file"], r["char_start"], r["char_end"], r["indicator"], r["obs_id"]))
    doc_rows = sorted(documents, key=lambda r: (r["source_file"], r["char_start"]))
    err_rows = sorted(errors, key=lambda r: (r["source_file"], r["stage"], r["reason"]))
    files: dict[str, bytes] = {}
    for stem, rows, columns in (("observations", obs_rows, OBSERVATION_COLUMNS),
                                ("documents", doc_rows, DOCUMENT_COLUMNS),
                                ("errors", err_rows, ERROR_COLUMNS)):
        values = {name: [row.get(name) for row in rows] for name in columns}
        files[f"{stem}.parquet"] = parquet_bytes(values, columns)
        files[f"{stem}.csv"] = csv_bytes(values, columns)
    return _replace_all(Path(out_dir), files)


def parquet_bytes(values: dict[str, list], columns: dict[str, str]) -> bytes:
    """One table as Parquet with an explicit Arrow schema (and stable pandas metadata)."""
    frame = pd.DataFrame({name: _pandas_column(values[name], kind) for name, kind in columns.items()})
    schema = pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in columns.items()])
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _pandas_column(column: list, kind: str) -> pd.api.extensions.ExtensionArray | np.ndarray:
    if kind == "category":
        return pd.Categorical(column, categories=sorted({v for v in column if v is not None}))
    if kind == "float":
        return np.array([math.nan if v is None else v for v in column], dtype=np.float64)
    if kind in ("int", "int32"):
        return pd.array(column, dtype="Int64" if kind == "int" else "Int32")
    return pd.array(column, dtype=object)


def csv_bytes(values: dict[str, list], columns: dict[str, str]) -> bytes:
    """One table as CSV: BOM, header row, one line per row, empty cell for null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    cells = [list(map(_FORMATTERS[kind], values[name])) for name, kind in columns.items()]
    writer.writerows(zip(*cells))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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


def _format_text(value: object) -> str:
    return "" if value is None else neutralise(str(value))


def _format_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _format_int(value: int | None) -> str:
    return "" if value is None else str(int(value))


_FORMATTERS: dict[str, Callable[[object], str]] = {
    "string": _format_text, "category": _format_text, "date": _format_date,
    "float": format_float, "int": _format_int, "int32": _format_int,
}


def _replace_all(out_dir: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Stage every file under a temp name, then swap them all in; on failure restore the old set."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create output folder {out_dir}: {e.strerror or e}") from e
    _remove_stale(out_dir, files)
    temps: dict[str, str] = {}
    backups: dict[str, str] = {}
    done: list[str] = []
    try:
        for name, data in files.items():
            temps[name] = _write_temp(out_dir, name, data)
        for name in files:
            if (out_dir / name).exists():
                backups[name] = _backup(out_dir, name)
        for name, tmp in temps.items():
            os.replace(tmp, out_dir / name)
            done.append(name)
        _fsync_dir(out_dir)
    except OSError as e:
        _roll_back(out_dir, done, backups)
        _remove(temps.values())
        raise OutputError(f"cannot write tables to {out_dir}: {e.strerror or e}") from e
    finally:
        _remove(backups.values())
    return {name: out_dir / name for name in files}


def _remove_stale(out_dir: Path, names: Iterable[str]) -> None:
    """Best effort: drop the temp and backup files a killed run left (``.errors.csv.k2j3.tmp``), only ours."""
    for name in names:
        for suffix in (".tmp", ".old"):
            for stale in out_dir.glob(f".{name}.*{suffix}"):
                try:
                    stale.unlink()
                except OSError:
                    pass


def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def _write_temp(out_dir: Path, name: str, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600 files; tables are as readable as any file
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        _remove([tmp])
        raise
    return tmp


def _backup(out_dir: Path, name: str) -> str:
    """A second name for the current file, so it can be put back if a later swap fails."""
    fd, backup = tempfile.mkstemp(prefix=f".{name}.", suffix=".old", dir=out_dir)
    os.close(fd)
    os.unlink(backup)
    try:
        os.link(out_dir / name, backup)  # cheap and keeps the live file in place
    except OSError:
        shutil.copy2(out_dir / name, backup)  # file systems without hard links
    return backup


def _roll_back(out_dir: Path, done: list[str], backups: dict[str, str]) -> None:
    for name in done:
        if name in backups:
            os.replace(backups.pop(name), out_dir / name)
        else:
            _remove([str(out_dir / name)])  # a table the folder did not have before


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
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
