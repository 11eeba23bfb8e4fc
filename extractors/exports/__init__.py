"""Derived outputs, written after the core run from the core tables' Parquet files.

``write_exports(out_dir, formats, labels, sources)`` is the one entry point. Formats:

========== ===================================================================
parquet    observations/documents/errors Parquet (the core run always writes them)
csv        observations/documents/errors CSV (written by the core run)
series     series.parquet and series.csv
xlsx       observations.xlsx
duckdb     indicators.duckdb
datapackage datapackage.json (+ indicators.csv); implies csv and series
review     review.html
========== ===================================================================

Files of a format that was not chosen are removed from the output folder, so the folder never
mixes files from different runs.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .datapackage import write_datapackage
from .duckdb_db import analysis_db
from .review import DEFAULT_LIMIT, write_review
from .series import write_series
from .xlsx import write_xlsx

FORMATS = ("parquet", "csv", "xlsx", "duckdb", "series", "datapackage", "review")
FILES = {
    "csv": ("observations.csv", "documents.csv", "errors.csv"),
    "series": ("series.parquet", "series.csv"),
    "xlsx": ("observations.xlsx",),
    "duckdb": ("indicators.duckdb",),
    "datapackage": ("datapackage.json", "indicators.csv"),
    "review": ("review.html",),
}
IMPLIED = {"datapackage": ("csv", "series")}  # the package describes those CSV files


def parse_formats(text: str) -> tuple[str, ...]:
    """``"xlsx,review"`` -> the chosen formats in canonical order, with implied ones and parquet added.

    ``all`` means every format. Raises ValueError naming an unknown format.
    """
    asked = {f.strip() for f in text.split(",") if f.strip()}
    if "all" in asked:
        asked = set(FORMATS)
    unknown = sorted(asked - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)} or all")
    asked.add("parquet")
    for fmt in list(asked):
        asked.update(IMPLIED.get(fmt, ()))
    return tuple(f for f in FORMATS if f in asked)


def write_exports(out_dir: Path, formats: Iterable[str], labels: str = "en",
                  sources: Mapping[str, Path] | None = None, review_limit: int = DEFAULT_LIMIT,
                  corrections: Path | None = None) -> list[Path]:
    """Write the derived files of ``formats`` into ``out_dir``, which holds the core tables' Parquet.

    ``sources`` maps each input file's name (the tables' ``source_file``) to its path, for the
    review page, which also starts from the decisions of ``corrections`` (the file the run
    applied). Returns the paths written.
    """
    out_dir = Path(out_dir)
    chosen = set(parse_formats(",".join(formats)))
    for fmt, names in FILES.items():
        if fmt not in chosen:
            for name in names:
                (out_dir / name).unlink(missing_ok=True)
    with analysis_db(out_dir, keep_file="duckdb" in chosen) as con:
        if "series" in chosen:
            write_series(out_dir, con)
        if "xlsx" in chosen:
            write_xlsx(out_dir, con, labels, sources=sources)
        if "datapackage" in chosen:
            write_datapackage(out_dir, con)
        if "review" in chosen:
            write_review(out_dir, con, sources or {}, review_limit, corrections)
    return sorted(out_dir / name for fmt in chosen for name in FILES.get(fmt, ()))
