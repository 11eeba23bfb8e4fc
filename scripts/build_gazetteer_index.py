"""Build extractors/data/zh/gazetteer.index, the gazetteer's tables prebuilt from its data files.

Usage:
    python scripts/build_gazetteer_index.py            # after editing gazetteer*.csv, place_*.csv, ...
    python scripts/build_gazetteer_index.py --check    # exit 1 if the index is stale

Every process would otherwise build the tables from about 43,000 CSV rows at its first place
look-up (half a second); loading the index takes a few hundredths. The index names the digest
of what it was built from (``extractors.resolve.regions.sources_digest``: the data files, the
module that builds it and the fields of Place), and ``gazetteer()`` uses it only while that
digest matches. The output depends on nothing but those sources: a rebuild is byte-identical.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.resolve.regions import INDEX_PATH, index_bytes, index_from_data_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped index instead of writing; exit 1 if it differs")
    args = parser.parse_args()
    data = index_bytes(index_from_data_files())
    if args.check:
        if not INDEX_PATH.is_file() or INDEX_PATH.read_bytes() != data:
            print(f"{INDEX_PATH} is stale: run python scripts/build_gazetteer_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX_PATH.write_bytes(data)
    print(f"wrote {INDEX_PATH} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
