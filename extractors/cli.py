"""Extract economic figures from Chinese news and work reports into tidy tables.

    cn-econ-extract [PATH ...] [--manifest FILE] [--out DIR] [--workers N] [--no-cache]
                    [--corrections FILE] [--dask ADDRESS|local] [--partition-by KEY,...]
                    [--max-file-mb N] [--formats LIST] [--labels en|zh] [--review-limit N]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import extractors

from .inputs import DEFAULT_MAX_FILE_MB

# Kept here (a test checks it equals exports.review.DEFAULT_LIMIT): importing the exports
# loads DuckDB and pyarrow, which --help and --version do not need.
DEFAULT_REVIEW_LIMIT = 300


def main(argv: list[str] | None = None, root: Path | None = None, started: float | None = None) -> int:
    """The command line; ``root`` holds the default ``seeds/`` and ``outputs/`` (default: the
    current folder); ``started`` (a perf_counter reading) is when the run began (default: now)."""
    started = time.perf_counter() if started is None else started
    root = Path() if root is None else root  # relative: the summary names outputs as the user would
    parser = argparse.ArgumentParser(prog="cn-econ-extract", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (searched for *.txt); default seeds/ in the current folder")
    parser.add_argument("--version", action="store_true", help="print the package and rules versions and exit")
    parser.add_argument("--manifest", type=Path, help="CSV: file,publisher,published,city,province,title")
    parser.add_argument("--out", type=Path, default=root / "outputs", help="output folder (default outputs/ in the current folder)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the machine's cores); 1 runs in this process")
    parser.add_argument("--no-cache", action="store_true",
                        help="extract every file again, ignoring (and not touching) OUT/.cache")
    parser.add_argument("--corrections", type=Path, metavar="FILE",
                        help="CSV of an analyst's decisions (confirm/reject/edit/add), applied on this run; "
                             "review.html downloads one")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="send the work to a Dask scheduler (tcp://host:8786), or 'local' for a LocalCluster")
    parser.add_argument("--partition-by", metavar="KEYS", default="",
                        help="also write OUT/observations/KEY=…/part-0.parquet (e.g. city,year)")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help=f"larger input files are not read but reported in errors.csv (default {DEFAULT_MAX_FILE_MB:g})")
    parser.add_argument("--formats", default="all",
                        help="comma-separated outputs: parquet,csv,xlsx,duckdb,series,datapackage,review or all "
                             "(default); Parquet is always written")
    parser.add_argument("--labels", choices=("en", "zh"), default="en",
                        help="language of observations.xlsx: sheet names, headers, indicator names and code values")
    parser.add_argument("--review-limit", type=int, default=DEFAULT_REVIEW_LIMIT, metavar="N",
                        help=f"documents shown in review.html (default {DEFAULT_REVIEW_LIMIT}; 0: all)")
    args = parser.parse_args(argv)
    if args.version:
        from .vocab import rules_version

        print(f"cn-econ-extract {extractors.__version__} (rules {rules_version()})")
        return 0
    for what, path in (("manifest", args.manifest), ("corrections file", args.corrections)):
        if path is not None and not path.is_file():
            parser.error(f"{what} not found: {path}")
    if args.workers < 1:
        parser.error("--workers must be at least 1")

    from .batch import NoInput
    from .corrections import CorrectionsError
    from .exports import parse_formats
    from .partitions import PARTITION_KEYS
    from .tables import OutputError

    try:
        parse_formats(args.formats)
    except ValueError as e:
        parser.error(str(e))
    partition_by = tuple(k.strip() for k in args.partition_by.split(",") if k.strip())
    unknown = [k for k in partition_by if k not in PARTITION_KEYS]
    if unknown:
        parser.error(f"--partition-by: unknown key(s) {', '.join(unknown)}; choose from {', '.join(PARTITION_KEYS)}")
    try:
        summary = extractors.run(args.paths or [root / "seeds"], args.out, manifest=args.manifest,
                                 workers=args.workers, formats=args.formats, corrections=args.corrections,
                                 use_cache=not args.no_cache, labels=args.labels, review_limit=args.review_limit,
                                 partition_by=partition_by, max_file_mb=args.max_file_mb, dask=args.dask,
                                 progress=_progress if sys.stderr.isatty() else None)
    except NoInput as e:
        print(f"error: nothing to read, {args.out} left as it was: {e}", file=sys.stderr)
        return 1
    except CorrectionsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OutputError as e:  # already names the folder and the cause
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write tables to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # e.g. --dask without the dask extra installed
        print(f"error: {e}", file=sys.stderr)
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the progress line
    print(f"{summary.documents} documents, {summary.observations} observations, {summary.errors} errors "
          f"in {time.perf_counter() - started:.2f} s ({summary.files_extracted} files extracted, {summary.files_cached} from cache)"
          f" -> {args.out}")
    return 0


def _progress(done: int, total: int, name: str) -> None:
    print(f"\r[{done}/{total}] {name[:40]:<40}", end="", file=sys.stderr)
