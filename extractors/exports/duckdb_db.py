"""The DuckDB database every export reads from, and the ``indicators.duckdb`` file for BI tools.

The core tables are read from the Parquet files in the output folder, so DuckDB (not Python)
holds and sorts them and spills to disk when an archive is larger than memory. When the
``duckdb`` format is chosen the same database is a file: tables observations, documents, errors,
indicators and series, plus two views for BI tools:

* ``series_wide``: series with the indicator's names and family, the value in 亿 (1e8) and that
  figure's unit (``unit_yi``: 亿元 or 亿美元, so no query adds yuan to dollars unawares);
* ``observations_full``: observations with the indicator's names and the article's title.

The file is written in DuckDB's v1.0.0 storage format (``STORAGE_VERSION``), which every DuckDB
since 1.0 reads: the DuckDB 1.x command line, Python package and the ODBC/JDBC drivers of BI tools
cannot open the newer 2.x format.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from ..tables import text_batch
from .dictionary import INDICATOR_COLUMNS, MONEY_UNITS, YI, YI_UNITS, indicator_rows
from .files import replacing
from .series import build_series

CORE_TABLES = ("observations", "documents", "errors")
_MONEY = ", ".join(f"'{u}'" for u in MONEY_UNITS)
# the oldest storage format of DuckDB 1.x: readable by DuckDB 1.0 and later, 2.x included
STORAGE_VERSION = "v1.0.0"
VIEWS = {
    "series_wide": f"""
        SELECT s.region, s.region_level, s.province, s.city, s.subject, s.indicator,
               i.name_zh AS indicator_name_zh, i.name_en AS indicator_name_en, i.family,
               s.period_start, s.period_end, s.period_type, s.year, s.status, s.unit,
               s.value, CASE WHEN s.unit IN ({_MONEY}) THEN s.value / {YI} END AS value_yi,
               CASE s.unit {" ".join(f"WHEN '{u}' THEN '{name}'" for u, name in YI_UNITS.items())} END AS unit_yi,
               s.bound, s.yoy_pct, s.n_rows, s.n_sources, s.conflict, s.value_obs_id, s.yoy_obs_id, s.obs_ids
        FROM series s LEFT JOIN indicators i ON i.code = s.indicator""",
    "observations_full": """
        SELECT o.*, i.name_zh AS indicator_name_zh, i.name_en AS indicator_name_en, d.title
        FROM observations o
        LEFT JOIN indicators i ON i.code = o.indicator
        LEFT JOIN documents d ON d.doc_id = o.doc_id""",
}


@contextmanager
def analysis_db(out_dir: Path, keep_file: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a database of the core tables, the indicator list and the series.

    With ``keep_file`` the database is ``indicators.duckdb`` (written atomically, when the block
    exits without error), holding copies of the tables; otherwise it is a temporary file whose
    core tables are views of the Parquet files, dropped at the end. Past 64 MB of Parquet the
    database is built, closed and opened again read-only: closing hands back the memory DuckDB
    took to load the tables and group the series, which would otherwise stay taken while the
    workbook is written.
    """
    with tempfile.TemporaryDirectory(prefix=".exports.", suffix=".tmp", dir=out_dir) as spill:
        if keep_file:
            with replacing(out_dir / "indicators.duckdb") as tmp:
                with _built(tmp, out_dir, spill, materialise=True) as con:
                    yield con
        else:
            with _built(Path(spill, "analysis.duckdb"), out_dir, spill, materialise=False) as con:
                yield con


# Below this much Parquet, what DuckDB took to load the tables is small: the exports go on with
# the same connection instead of paying for a second one (a sixtieth of a second).
_REOPEN_BYTES = 64 << 20


@contextmanager
def _built(database: Path, out_dir: Path, spill: str, materialise: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    con = _connect(str(database), spill)
    try:
        _load(con, out_dir, materialise)
        con.execute("CHECKPOINT")
        if sum(os.path.getsize(out_dir / f"{table}.parquet") for table in CORE_TABLES) < _REOPEN_BYTES:
            yield con
            return
    finally:
        con.close()
    con = _connect(str(database), spill, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _connect(database: str, spill: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    # One thread: the machine is shared, and a single writer keeps row order and file layout stable.
    return duckdb.connect(database, read_only=read_only,
                          config={"threads": 1, "temp_directory": spill, "preserve_insertion_order": True,
                                  "storage_compatibility_version": STORAGE_VERSION})


def _load(con: duckdb.DuckDBPyConnection, out_dir: Path, materialise: bool) -> None:
    for table in CORE_TABLES:
        path = str(out_dir / f"{table}.parquet").replace("'", "''")
        select = f"SELECT * FROM read_parquet('{path}')"
        if materialise:  # in the files' row order (insertion order is kept): streamed, no sort
            con.execute(f"CREATE TABLE {table} AS {select}")
        else:
            con.execute(f"CREATE VIEW {table} AS {select}")
    indicators = pa.Table.from_batches([text_batch({c: [r[c] for r in indicator_rows()] for c in INDICATOR_COLUMNS})])
    con.register("indicator_rows", indicators)
    con.execute("CREATE TABLE indicators AS SELECT * FROM indicator_rows ORDER BY code")
    con.unregister("indicator_rows")
    build_series(con)
    for name, sql in VIEWS.items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
