"""Loads the rule vocabulary kept as data files under ``extractors/data/<lang>/``.

Every table is a UTF-8 CSV with a header row. Lines whose first cell starts with ``#`` are
comments (skipped before parsing, so a comment may hold commas). A table is validated against the columns its caller requires when it is loaded, so a
typo in a data file fails loudly at start-up rather than silently dropping a rule.
"""
from __future__ import annotations

import csv
import hashlib
from importlib import metadata
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LANG = "zh"


class VocabularyError(ValueError):
    """A rule data file is missing, malformed or lacks a required column."""


def data_path(name: str, lang: str = LANG) -> Path:
    return DATA_DIR / lang / name


@cache
def _read(path: Path) -> tuple[tuple[str, ...], tuple[dict[str, str], ...]]:
    if not path.is_file():
        raise VocabularyError(f"rule file not found: {path}")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(line for line in f if not line.lstrip().startswith("#"))
        header = next(reader, None)
        if not header:
            raise VocabularyError(f"{path}: empty file, expected a header row")
        header = [h.strip() for h in header]
        rows = []
        for row_no, cells in enumerate(reader, start=1):
            if not cells or not "".join(cells).strip():
                continue
            if len(cells) > len(header):
                raise VocabularyError(f"{path}: data row {row_no} has {len(cells)} cells, the header {len(header)}")
            cells += [""] * (len(header) - len(cells))
            rows.append({h: c.strip() for h, c in zip(header, cells)})
    return tuple(header), tuple(rows)


def load_table(name: str, required: tuple[str, ...] = (), lang: str = LANG) -> tuple[dict[str, str], ...]:
    """Rows of ``data/<lang>/<name>`` as dicts; raises VocabularyError if a required column is missing."""
    path = data_path(name, lang)
    header, rows = _read(path)
    missing = [c for c in required if c not in header]
    if missing:
        raise VocabularyError(f"{path}: missing column(s) {', '.join(missing)}")
    return rows


def rules_version() -> str:
    """A hash of every rule data file and of the extraction code (every module of this package).

    It changes whenever any rule or any code that applies rules changes, so it can key caches of
    extraction results and be shown as provenance. The versions of the libraries that parse text
    (regex, cn2an) are included too, as an upgrade of either can change a result. Asked again
    while no file's size or time has changed (a run asks for it, then its workbook), it is not
    hashed again.
    """
    package = DATA_DIR.parent
    # a prebuilt index (gazetteer.index, 4 MB) is made from the data files beside it and loaded
    # only while it matches them: hashing them covers it
    sources = [p for p in sorted(DATA_DIR.rglob("*")) + sorted(package.rglob("*.py"))
               if p.suffix != ".index" and p.is_file()]
    stamp = tuple((str(p), s.st_size, s.st_mtime_ns) for p in sources for s in (p.stat(),))
    if stamp in _VERSIONS:
        return _VERSIONS[stamp]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for library in ("regex", "cn2an"):
        digest.update(f"{library}=={metadata.version(library)}".encode())
    _VERSIONS.clear()
    _VERSIONS[stamp] = digest.hexdigest()[:16]
    return _VERSIONS[stamp]


_VERSIONS: dict[tuple, str] = {}  # the last version, by the files' (path, size, mtime) it was made from
