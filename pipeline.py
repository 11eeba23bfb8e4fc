"""Extract economic figures from Chinese news and work reports into tidy tables.

    python pipeline.py [PATH ...] [--manifest FILE] [--out DIR] [--max-file-mb N]
                       [--formats LIST] [--labels en|zh] [--review-limit N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extractors.batch import run_batch
from extractors.exports import FORMATS, parse_formats, write_exports
from extractors.exports.review import DEFAULT_LIMIT
from extractors.inputs import DEFAULT_MAX_FILE_MB, collect_files
from extractors.tables import OutputError

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (searched for *.txt); default seeds/")
    parser.add_argument("--manifest", type=Path, help="CSV: file,publisher,published,city")
    parser.add_argument("--out", type=Path, default=HERE / "outputs", help="output folder (default outputs/)")
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
    try:
        summary = run_batch(paths, args.manifest, args.out, args.max_file_mb)
        sources = {path.name: path for path in collect_files(paths)[0]}  # names are unique among inputs
        write_exports(args.out, formats, args.labels, sources, args.review_limit)
    except OutputError as e:  # already names the folder and the cause
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write tables to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    if summary.files_read == 0:
        print("error: no input file could be read (see errors.csv)", file=sys.stderr)
        return 1
    print(f"{summary.documents} documents, {summary.observations} observations, {summary.errors} errors "
          f"in {summary.seconds:.2f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
