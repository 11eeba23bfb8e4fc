"""Hive-partitioned copy of the observations (``city=株洲市/year=2024/part-0.parquet``).

DuckDB (``read_parquet('obs/**/*.parquet', hive_partitioning=true)``), Spark and BI tools read
the folder as one dataset. ``year`` is the year of ``period_end``, else of ``published``.

A missing key is written as an empty value (``city=``), and a row with no date at all as
``year=0``, never as Hive's ``__HIVE_DEFAULT_PARTITION__``: pyarrow, and so
``pandas.read_parquet(folder)``, cannot read a dataset with such a null partition ("Cannot yet
unify dictionaries with nulls"), while pandas, pyarrow, polars and DuckDB all read ``city=`` as
an empty string and ``year=0`` as the number 0. pyarrow percent-encodes values in folder names
(``city=%E6%A0%AA%E6%B4%B2%E5%B8%82``); all of those readers decode them back.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .tables import OBSERVATION_COLUMNS

YEAR = "year"
NO_YEAR = 0  # the year key of a row with neither period_end nor published
NO_VALUE = ""  # the key of a row whose key column is empty
# keys a user may partition by: the derived year and the observations' code columns
PARTITION_KEYS = (YEAR, *(name for name, kind in OBSERVATION_COLUMNS.items() if kind == "category"))


def write_partitions(observations_parquet: str, folder: Path, keys: tuple[str, ...]) -> None:
    """Write the rows of ``observations_parquet`` into ``folder`` partitioned by ``keys`` (in that order).

    ``folder`` and everything in it get the permissions of any new file or folder (the umask).
    """
    import pyarrow.dataset as ds  # with pyarrow.compute and pandas: only a partitioned run needs them

    check_keys(keys)
    source = pq.ParquetFile(observations_parquet)
    first = _keyed(pa.Table.from_batches([], source.schema_arrow.remove_metadata()), keys)
    partitioning = ds.partitioning(pa.schema([first.schema.field(k) for k in keys]), flavor="hive")
    ds.write_dataset(
        _batches(source, keys), folder, schema=first.schema, format="parquet", partitioning=partitioning,
        basename_template="part-{i}.parquet", use_threads=False, existing_data_behavior="overwrite_or_ignore",
    )
    _follow_umask(folder)


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
    import pyarrow.compute as pc

    if YEAR in keys:
        year = pc.coalesce(pc.year(table["period_end"]), pc.year(table["published"]), NO_YEAR).cast(pa.int32())
        table = table.append_column(YEAR, year)
    for key in keys:
        if key != YEAR:
            value = pc.fill_null(table[key].cast(pa.string()), NO_VALUE)
            table = table.set_column(table.schema.get_field_index(key), key, value)
    return table


def _follow_umask(folder: Path) -> None:
    """A temp folder is created 0700 (mkdtemp); give it, like its subfolders, the umask's mode."""
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)
