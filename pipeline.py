"""Extract economic figures from Chinese news and work reports into tidy tables.

    python pipeline.py [PATH ...] [--manifest FILE] [--out DIR] [--workers N] [--no-cache]
                       [--dask ADDRESS|local] [--partition-by KEY,...] [--max-file-mb N]
                       [--formats LIST] [--labels en|zh] [--review-limit N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()  # before the heavy imports below (pandas, pyarrow, duckdb): part of the run

from extractors.batch import default_workers, run_batch
from extractors.exports import FORMATS, parse_formats, write_exports
from extractors.exports.review import DEFAULT_LIMIT
from extractors.inputs import DEFAULT_MAX_FILE_MB
from extractors.partitions import PARTITION_KEYS
from extractors.tables import OutputError


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    """Run the pipeline; ``started`` (a perf_counter reading) is when the run began, default now."""
    started = time.perf_counter() if started is None else started
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders (searched for *.txt); default seeds/ in the current folder")
    parser.add_argument("--manifest", type=Path, help="CSV: file,publisher,published,city,province,title")
    parser.add_argument("--out", type=Path, default=Path("outputs"),
                        help="output folder (default outputs/ in the current folder)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker processes (default: the machine's cores); 1 runs in this process")
    parser.add_argument("--no-cache", action="store_true",
                        help="extract every file again, ignoring (and not touching) OUT/.cache")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="send the work to a Dask scheduler (tcp://host:8786), or 'local' for a LocalCluster")
    parser.add_argument("--partition-by", metavar="KEYS", default="",
                        help=f"also write OUT/observations/KEY=…/part-0.parquet; keys from {', '.join(PARTITION_KEYS)}")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help=f"larger input files are not read but reported in errors.csv (default {DEFAULT_MAX_FILE_MB:g})")
    parser.add_argument("--formats", default="all",
                        help=f"comma-separated outputs: {','.join(FORMATS)} or all (default); Parquet is always written")
    parser.add_argument("--labels", choices=("en", "zh"), default="en", help="language of observations.xlsx: sheet names, headers, indicator names and code values")
    parser.add_argument("--review-limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"documents shown in review.html (default {DEFAULT_LIMIT}; 0: all)")
    args = parser.parse_args(argv)
    paths = args.paths or [Path("seeds")]
    try:
        formats = parse_formats(args.formats)
    except ValueError as e:
        parser.error(str(e))
    if args.manifest is not None and not args.manifest.is_file():
        parser.error(f"manifest not found: {args.manifest}")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    partition_by = tuple(k.strip() for k in args.partition_by.split(",") if k.strip())
    unknown = [k for k in partition_by if k not in PARTITION_KEYS]
    if unknown:
        parser.error(f"--partition-by: unknown key(s) {', '.join(unknown)}; choose from {', '.join(PARTITION_KEYS)}")
    try:
        summary = run_batch(paths, args.manifest, args.out, workers=args.workers, use_cache=not args.no_cache,
                            dask=args.dask, partition_by=partition_by, max_file_mb=args.max_file_mb)
        write_exports(args.out, formats, args.labels, summary.sources, args.review_limit)
    except OutputError as e:  # already names the folder and the cause
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write tables to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # e.g. --dask without the dask extra installed
        print(f"error: {e}", file=sys.stderr)
        return 2
    if summary.files_read == 0:
        print("error: no input file could be read (see errors.csv)", file=sys.stderr)
        return 1
    print(f"{summary.documents} documents, {summary.observations} observations, {summary.errors} errors "
          f"in {time.perf_counter() - started:.2f} s ({summary.files_extracted} files extracted, {summary.files_cached} from cache)"
          f" -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(started=STARTED))
