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
mixes files from different runs. Every file is written into a staging folder first and the set
is swapped in only when all of them are complete: a writer that fails (disk full, file-size
limit, its own error) leaves the previous set as it was and raises ExportError naming the file.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..outlock import folder_lock
from ..tables import STAGING, TABLES, OutputError, swap_in, remove_stale, temp_folder
from .files import ExportError
from .review import DEFAULT_LIMIT

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
CORE_PARQUET = tuple(f"{stem}.parquet" for stem in TABLES)
# every file and folder name a run may leave in the output folder (its temp files are named after them)
OUTPUT_NAMES = (*CORE_PARQUET, *(n for names in FILES.values() for n in names), "observations", "exports")


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


def not_chosen(formats: Iterable[str]) -> list[str]:
    """The files of the formats not in ``formats``: a run removes them from the output folder."""
    chosen = set(formats)
    return [name for fmt, names in FILES.items() if fmt not in chosen for name in names]


def write_exports(out_dir: Path, formats: Iterable[str], labels: str = "en",
                  sources: Mapping[str, Path] | None = None, review_limit: int = DEFAULT_LIMIT,
                  corrections: Path | None = None) -> list[Path]:
    """Write the derived files of ``formats`` into ``out_dir``, which holds the core tables' Parquet.

    ``sources`` maps each input file's name (the tables' ``source_file``) to its path, for the
    review page, which also starts from the decisions of ``corrections`` (the file the run
    applied). Returns the paths written. The new files replace the old ones together.
    """
    out_dir = Path(out_dir)
    chosen = parse_formats(",".join(formats))
    with folder_lock(out_dir):
        remove_stale(out_dir, OUTPUT_NAMES)
        staging = Path(temp_folder(out_dir, STAGING))
        try:
            for name in CORE_PARQUET:  # the exports read the tables beside them
                os.link(out_dir / name, staging / name)
            stage_exports(staging, chosen, labels, sources, review_limit, corrections)
            staged = {name: str(staging / name) for name in sorted(os.listdir(staging))
                      if not name.startswith(".") and name not in CORE_PARQUET}
            swap_in(out_dir, staged, [n for n in not_chosen(chosen) if n not in staged])
        except ExportError as e:
            raise OutputError(f"cannot write {out_dir / e.name}: {e.cause}") from e
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return sorted(out_dir / name for fmt in chosen for name in FILES.get(fmt, ()))


def stage_exports(folder: Path, formats: Iterable[str], labels: str = "en",
                  sources: Mapping[str, Path] | None = None, review_limit: int = DEFAULT_LIMIT,
                  corrections: Path | None = None) -> None:
    """Write the derived files of ``formats`` into ``folder`` (a staging folder holding the core
    tables' Parquet, and for ``csv`` their CSV). Raises ExportError naming the file that failed."""
    chosen = set(parse_formats(",".join(formats)))
    if chosen <= {"parquet", "csv"}:  # the core run wrote them: no database to build
        return
    from .datapackage import write_datapackage  # each writer loads DuckDB, pyarrow or xlsxwriter: only when run
    from .duckdb_db import analysis_db
    from .review import write_review
    from .series import write_series
    from .xlsx import write_xlsx

    database = "indicators.duckdb" if "duckdb" in chosen else "the DuckDB database of the exports"
    with _naming(database), analysis_db(folder, keep_file="duckdb" in chosen) as con:
        for fmt, write in (("series", lambda: write_series(folder, con)),
                           ("xlsx", lambda: write_xlsx(folder, con, labels, sources=sources)),
                           ("datapackage", lambda: write_datapackage(folder, con)),
                           ("review", lambda: write_review(folder, con, sources or {}, review_limit, corrections))):
            if fmt in chosen:
                with _naming(FILES[fmt][0]):
                    write()


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """Any failure inside is an ExportError for ``name``, unless it already names its file."""
    try:
        yield
    except ExportError:
        raise
    except Exception as e:  # noqa: BLE001 - duckdb, xlsxwriter and the OS each raise their own kinds
        raise ExportError(name, e) from e
