"""Hive-partitioned copy of the observations (``city=株洲市/year=2024/part-0.parquet``).

DuckDB (``read_parquet('obs/**/*.parquet', hive_partitioning=true)``), Spark and BI tools read
the folder as one dataset. ``year`` is the year of ``period_end``, else of ``published``; a
null key goes to ``__HIVE_DEFAULT_PARTITION__`` as Spark does. pyarrow percent-encodes values in
folder names (``city=%E6%A0%AA%E6%B4%B2%E5%B8%82``); DuckDB, Spark and pyarrow decode them back.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .tables import OBSERVATION_COLUMNS

YEAR = "year"
# keys a user may partition by: the derived year and the observations' code columns
PARTITION_KEYS = (YEAR, *(name for name, kind in OBSERVATION_COLUMNS.items() if kind == "category"))


def write_partitions(observations_parquet: str, folder: Path, keys: tuple[str, ...]) -> None:
    """Write the rows of ``observations_parquet`` into ``folder`` partitioned by ``keys`` (in that order)."""
    check_keys(keys)
    source = pq.ParquetFile(observations_parquet)
    first = _keyed(pa.Table.from_batches([], source.schema_arrow.remove_metadata()), keys)
    partitioning = ds.partitioning(pa.schema([first.schema.field(k) for k in keys]), flavor="hive")
    ds.write_dataset(
        _batches(source, keys), folder, schema=first.schema, format="parquet", partitioning=partitioning,
        basename_template="part-{i}.parquet", use_threads=False, existing_data_behavior="overwrite_or_ignore",
    )


def check_keys(keys: tuple[str, ...]) -> None:
    unknown = [k for k in keys if k not in PARTITION_KEYS]
    if unknown:
        raise ValueError(f"cannot partition by {', '.join(unknown)}; choose from {', '.join(PARTITION_KEYS)}")


def _batches(source: pq.ParquetFile, keys: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    for group in range(source.num_row_groups):
        table = source.read_row_group(group).replace_schema_metadata(None)
        yield from _keyed(table, keys).to_batches()


def _keyed(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """The table with the partition keys as plain columns (year added; dictionary keys decoded)."""
    if YEAR in keys:
        year = pc.coalesce(pc.year(table["period_end"]), pc.year(table["published"])).cast(pa.int32())
        table = table.append_column(YEAR, year)
    for key in keys:
        if key != YEAR:
            table = table.set_column(table.schema.get_field_index(key), key, table[key].cast(pa.string()))
    return table
