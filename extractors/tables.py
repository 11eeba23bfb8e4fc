"""Write the observations, documents and errors tables as Parquet and CSV, atomically."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .model import Observation

OBSERVATION_COLUMNS = {
    "obs_id": "string", "doc_id": "string", "source_file": "string", "publisher": "category",
    "published": "date", "province": "category", "city": "category", "region": "category",
    "region_level": "category", "subject": "string", "indicator": "category", "indicator_text": "string",
    "period_start": "date", "period_end": "date", "period_type": "category", "period_text": "string",
    "value": "float", "unit": "category", "value_text": "string", "bound": "category",
    "yoy_pct": "float", "share_pct": "float", "rank": "int", "rank_scope": "string",
    "status": "category", "sentence": "string", "char_start": "int", "char_end": "int", "rule": "category",
}
DOCUMENT_COLUMNS = {
    "doc_id": "string", "source_file": "string", "publisher": "category", "published": "date",
    "city": "category", "province": "category", "title": "string", "kind": "category",
    "char_start": "int", "char_end": "int", "n_observations": "int", "meta_source": "string",
}
ERROR_COLUMNS = {"source_file": "string", "stage": "category", "reason": "string"}


def _frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for name, kind in columns.items():
        if kind == "date":
            df[name] = pd.to_datetime(df[name]).dt.date
        elif kind == "float":
            df[name] = pd.to_numeric(df[name]).astype("float64")
        elif kind == "int":
            df[name] = pd.array(df[name], dtype="Int64")
        elif kind == "category":
            df[name] = pd.Categorical(df[name], categories=sorted({v for v in df[name] if isinstance(v, str)}))
        else:
            df[name] = df[name].astype("object")
    return df


def _parquet_bytes(df: pd.DataFrame, columns: dict[str, str]) -> bytes:
    fields = []
    for name, kind in columns.items():
        arrow_type = {"date": pa.date32(), "float": pa.float64(), "int": pa.int64(), "string": pa.string(),
                      "category": pa.dictionary(pa.int32(), pa.string())}[kind]
        fields.append(pa.field(name, arrow_type))
    table = pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(df.columns)
    for row in df.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _atomic_write_all(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temp name first, then rename them all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    temps = {}
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
            temps[name] = tmp
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for name, tmp in temps.items():
            os.replace(tmp, out_dir / name)
    except OSError:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def write_tables(out_dir: Path, observations: list[Observation], documents: list[dict], errors: list[dict]) -> None:
    obs_rows = sorted((asdict(o) for o in observations),
                      key=lambda r: (r["source_file"], r["char_start"], r["char_end"], r["indicator"], r["obs_id"]))
    doc_rows = sorted(documents, key=lambda r: (r["source_file"], r["char_start"]))
    err_rows = sorted(errors, key=lambda r: (r["source_file"], r["stage"], r["reason"]))
    files = {}
    for stem, rows, columns in (("observations", obs_rows, OBSERVATION_COLUMNS),
                                ("documents", doc_rows, DOCUMENT_COLUMNS),
                                ("errors", err_rows, ERROR_COLUMNS)):
        df = _frame(rows, columns)
        files[f"{stem}.parquet"] = _parquet_bytes(df, columns)
        files[f"{stem}.csv"] = _csv_bytes(df)
    _atomic_write_all(Path(out_dir), files)
