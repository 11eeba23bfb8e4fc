"""Stream Arrow record batches into the project's CSV dialect and into Parquet, atomically.

The CSV dialect is that of the core tables (``extractors.tables``): UTF-8 with a BOM, RFC 4180
minimal quoting, ``\\r\\n`` line ends, ISO dates, plain decimals, empty cell for null, and text
cells neutralised against spreadsheet formula injection.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..tables import csv_header, csv_lines
from .files import replacing

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(), "category": pa.string(), "date": pa.date32(), "float": pa.float64(),
    "int": pa.int64(), "int32": pa.int32(), "bool": pa.bool_(),
}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    return pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in columns.items()])


def write_csv(target: Path, columns: dict[str, str], batches: Iterable[pa.RecordBatch]) -> int:
    """Write the batches as CSV; returns the number of data rows."""
    rows = 0
    with replacing(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(csv_header(columns))
            for batch in batches:
                if batch.num_rows:
                    f.write(csv_lines([batch.column(name) for name in columns], list(columns.values())))
                rows += batch.num_rows
    return rows


def write_parquet(target: Path, columns: dict[str, str], batches: Iterable[pa.RecordBatch]) -> None:
    schema = arrow_schema(columns)
    with replacing(target) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            for batch in batches:
                writer.write_table(pa.Table.from_batches([batch]).select(list(columns)).cast(schema))
