"""The series table: one row per region/subject/indicator/period/unit/status, for pivot tables.

Several articles often report the same figure (a city's first-quarter trade appears in the
daily paper, the provincial paper and the work report). Rows with the same key collapse into
one series row by a fixed rule:

* key: region, subject, indicator, period_start, period_end, unit, status. A growth-only row has
  no unit; it joins the key of the level rows of the same region/subject/indicator/period/status
  when those are all in one unit, otherwise it keeps an empty unit.
* rows without a period (period_start or period_end empty) or with neither a value nor a growth
  rate (a share alone) cannot be placed on a time axis and are left out.
* preference order of the rows of one key: rows with a level first, then ``bound = exact``, then
  the most recently published article (later reports revise earlier ones), then the earliest
  position in the source (an article gives its headline total before the parts), then obs_id. ``value`` (and its bound and period_type) comes from the first row with a level,
  ``yoy_pct`` from the first row with a growth rate; their obs_ids are kept, as are all the
  collapsed obs_ids, the number of rows and articles, and a ``conflict`` flag when the rows
  disagree on the level or on the growth.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from .dictionary import SERIES_COLUMNS
from .tablefiles import write_csv, write_parquet

_SAME = ("region", "subject", "indicator", "period_start", "period_end", "status")
SERIES_ORDER = ("region NULLS FIRST, subject NULLS FIRST, indicator, period_start, period_end, "
                "unit NULLS FIRST, status")
_KEY = ("region", "subject", "indicator", "period_start", "period_end", "unit_key", "status")

SERIES_SQL = f"""
WITH base AS (
    SELECT * FROM observations
    WHERE period_start IS NOT NULL AND period_end IS NOT NULL
      AND (value IS NOT NULL OR yoy_pct IS NOT NULL)
),
level_units AS (
    SELECT {", ".join(_SAME)}, CASE WHEN count(DISTINCT unit) = 1 THEN min(unit) END AS only_unit
    FROM base WHERE value IS NOT NULL
    GROUP BY {", ".join(_SAME)}
),
keyed AS (
    SELECT b.*, coalesce(b.unit, u.only_unit) AS unit_key
    FROM base b LEFT JOIN level_units u
      ON {" AND ".join(f"b.{c} IS NOT DISTINCT FROM u.{c}" for c in _SAME)}
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY {", ".join(_KEY)}
        ORDER BY value IS NULL, bound IS DISTINCT FROM 'exact', published DESC NULLS LAST,
                 source_file, char_start, obs_id
    ) AS pref
    FROM keyed
)
SELECT
    region,
    arg_min(region_level, pref) AS region_level,
    arg_min(province, pref) AS province,
    arg_min(city, pref) AS city,
    subject, indicator, period_start, period_end,
    coalesce(arg_min(period_type, pref) FILTER (WHERE value IS NOT NULL), arg_min(period_type, pref)) AS period_type,
    year(period_end)::BIGINT AS year,
    unit_key AS unit,
    status,
    arg_min(value, pref) FILTER (WHERE value IS NOT NULL) AS value,
    arg_min(bound, pref) FILTER (WHERE value IS NOT NULL) AS bound,
    arg_min(yoy_pct, pref) FILTER (WHERE yoy_pct IS NOT NULL) AS yoy_pct,
    count(*)::BIGINT AS n_rows,
    count(DISTINCT doc_id)::BIGINT AS n_sources,
    count(DISTINCT value) > 1 OR count(DISTINCT yoy_pct) > 1 AS conflict,
    arg_min(obs_id, pref) FILTER (WHERE value IS NOT NULL) AS value_obs_id,
    arg_min(obs_id, pref) FILTER (WHERE yoy_pct IS NOT NULL) AS yoy_obs_id,
    string_agg(obs_id, ' ' ORDER BY obs_id) AS obs_ids
FROM ranked
GROUP BY {", ".join(_KEY)}
ORDER BY {SERIES_ORDER}
"""
BATCH_ROWS = 50_000


def build_series(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table ``series`` from the table or view ``observations``."""
    con.execute(f"CREATE OR REPLACE TABLE series AS {SERIES_SQL}")


def series_batches(con: duckdb.DuckDBPyConnection):
    """The series rows in their fixed order, as Arrow record batches."""
    cols = ", ".join(SERIES_COLUMNS)
    return con.sql(f"SELECT {cols} FROM series ORDER BY {SERIES_ORDER}").to_arrow_reader(BATCH_ROWS)


def write_series(out_dir: Path, con: duckdb.DuckDBPyConnection) -> None:
    write_parquet(out_dir / "series.parquet", SERIES_COLUMNS, series_batches(con))
    write_csv(out_dir / "series.csv", SERIES_COLUMNS, series_batches(con))
