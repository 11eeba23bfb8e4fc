"""Extract economic figures from Chinese news and work reports into tidy tables.

    python pipeline.py [PATH ...] [--manifest FILE] [--out DIR] [--workers N] [--no-cache]
                       [--dask ADDRESS|local] [--partition-by KEY,...] [--max-file-mb N]
                       [--formats LIST] [--labels en|zh] [--review-limit N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractors.batch import NoInput, default_workers, run_batch
from extractors.exports import FORMATS, parse_formats
from extractors.exports.review import DEFAULT_LIMIT
from extractors.inputs import DEFAULT_MAX_FILE_MB
from extractors.partitions import PARTITION_KEYS
from extractors.tables import OutputError

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (searched for *.txt); default seeds/")
    parser.add_argument("--manifest", type=Path, help="CSV: file,publisher,published,city")
    parser.add_argument("--out", type=Path, default=HERE / "outputs", help="output folder (default outputs/)")
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
    parser.add_argument("--labels", choices=("en", "zh"), default="en", help="column headers of observations.xlsx")
    parser.add_argument("--review-limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"documents shown in review.html (default {DEFAULT_LIMIT}; 0: all)")
    args = parser.parse_args(argv)
    paths = args.paths or [HERE / "seeds"]
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
                            dask=args.dask, partition_by=partition_by, max_file_mb=args.max_file_mb,
                            formats=formats, labels=args.labels, review_limit=args.review_limit)
    except NoInput as e:
        print(f"error: nothing to read, {args.out} left as it was: {e}", file=sys.stderr)
        return 1
    except OutputError as e:  # already names the file or folder and the cause
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write tables to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # e.g. --dask without the dask extra installed
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{summary.documents} documents, {summary.observations} observations, {summary.errors} errors "
          f"in {summary.seconds:.2f} s ({summary.files_extracted} files extracted, {summary.files_cached} from cache)"
          f" -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
