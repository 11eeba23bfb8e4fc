"""Read the optional manifest: what a user knows about each input file.

A CSV with a header row naming at least ``file``; ``publisher``, ``published``, ``city``,
``province`` and ``title`` are used when present and win over what the text suggests; other
columns are ignored. Bad rows become rows of the
errors table (stage "manifest") and the rest of the manifest still applies: an unparsable date
or one outside 1900–2100, a duplicate file (first row kept), a row with more non-empty or fewer
cells than the header, a row that matches no input file (``unused_rows``). A row is matched to
an input file by name, or by a relative path the file's path ends with (``Matcher``).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from pathlib import Path

import regex

from .model import SourceMeta

STAGE = "manifest"
MAX_CELL = 131_072  # characters; a file name, date or publisher is far shorter
# publication years a manifest may give: news and reports of this archive, with room on both
# sides; outside it a date is a typo (0001, 9999) and date arithmetic (去年, 明年) could fail
YEARS = range(1900, 2101)
# 2024 | 2024-03 | 2024-03-05 | 2024/3/5 | 2024.3.5 (one separator throughout) | 2024年3月5日
_DATE = regex.compile(
    r"(?P<y>\d{4})"
    r"(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?"
    r"|年(?:(?P<m2>\d{1,2})月(?:(?P<d2>\d{1,2})日)?)?)?")
# a clock time after a full date (2024-03-05 10:30) says nothing more about the day
_CLOCK = regex.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2})?$")


def parse_published(text: str) -> tuple[date, str] | None:
    """``(date, precision)`` for a manifest date; a partial date is the first day of its month or year."""
    text = unicodedata.normalize("NFKC", text).strip()
    clock = _CLOCK.search(text)
    m = _DATE.fullmatch(text, 0, clock.start() if clock else len(text))
    if m is None:
        return None
    month, day = m["m"] or m["m2"], m["d"] or m["d2"]
    if clock and day is None:
        return None
    try:
        published = date(int(m["y"]), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return published, "day" if day else ("month" if month else "year")


def read_manifest(path: Path) -> tuple[dict[str, SourceMeta], list[dict]]:
    """Metadata per file name (as written in the manifest) and error rows for the bad rows."""
    name = path.name
    try:
        text = _decode(path.read_bytes())
    except OSError as e:
        return {}, [_error(name, f"cannot read manifest: {e.strerror or e}")]
    except UnicodeDecodeError:
        return {}, [_error(name, "manifest is neither UTF-8 nor GB18030 text; ignored")]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "file" not in header:
        return {}, [_error(name, "no 'file' column in the header row; manifest ignored")]
    metas: dict[str, SourceMeta] = {}
    errors: list[dict] = []
    # the csv module's cell limit is process-wide and other libraries raise it: use our own
    previous_limit = csv.field_size_limit(MAX_CELL)
    try:
        for cells in reader:
            _read_row(name, header, cells, reader.line_num, metas, errors)
    except csv.Error as e:  # e.g. a cell over the size limit
        errors.append(_error(name, f"line {reader.line_num}: {e}; the rest of the manifest is ignored"))
    finally:
        csv.field_size_limit(previous_limit)
    return metas, errors


def _read_row(name: str, header: list[str], cells: list[str], line: int, metas: dict[str, SourceMeta],
              errors: list[dict]) -> None:
    row = {key: cell.strip() for key, cell in zip(header, cells)}
    file = _file_key(row.get("file", ""))
    if not file:
        if any(row.values()):
            errors.append(_error(name, f"line {line}: no file name; row ignored"))
        return
    if file in metas:
        errors.append(_error(name, f"line {line}: duplicate row for {file}; the first row is kept"))
        return
    extra = any(cell.strip() for cell in cells[len(header):])  # empty trailing cells are harmless
    if extra or len(cells) < len(header):
        what = "extra cells ignored" if extra else "the missing cells are empty"
        errors.append(_error(name, f"line {line}: {len(cells)} cells but the header has {len(header)} "
                                   f"for {file}; {what}"))
    meta, reason = _meta(file, row)
    metas[file] = meta
    if reason:
        errors.append(_error(name, f"line {line}: {reason}"))


class Matcher:
    """Finds each input file's manifest row: by its name, else by a relative path it ends with.

    Of several rows whose path the file's path ends with, the first in the manifest wins. Only the
    file path's own suffixes are looked up, so matching costs O(rows + files × path depth), not
    O(files × rows) (35.9 s for 20,000 files and rows when every row was tried for every file).
    """

    def __init__(self, metas: dict[str, SourceMeta]) -> None:
        self.metas = metas
        self.position = {key: i for i, key in enumerate(metas) if "/" in key}

    def __call__(self, path: Path) -> SourceMeta | None:
        if path.name in self.metas:
            return self.metas[path.name]
        parts = path.as_posix().split("/")
        # suffixes of two or more components that follow a "/" (parts[0] is "" for an absolute path)
        found = [key for key in ("/".join(parts[i:]) for i in range(1, len(parts) - 1)) if key in self.position]
        return self.metas[min(found, key=self.position.__getitem__)] if found else None


def unused_rows(manifest: Path, metas: dict[str, SourceMeta], files: list[Path]) -> list[dict]:
    """An error row for each manifest row that names no input file (a typo, a file not given)."""
    match = Matcher(metas)
    used = {id(meta) for meta in map(match, files) if meta is not None}
    return [_error(manifest.name, f"no input file matches the row for {key}; row unused")
            for key, meta in metas.items() if id(meta) not in used]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # what Excel on Chinese Windows saves as "CSV"


def _file_key(text: str) -> str:
    """The file name as a forward-slash relative path, so `sub\\a.txt` and `./sub/a.txt` match sub/a.txt."""
    key = text.replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key


def _meta(file: str, row: dict[str, str]) -> tuple[SourceMeta, str | None]:
    published, precision, reason = None, "none", None
    if row.get("published"):
        parsed = parse_published(row["published"])
        if parsed is None:
            reason = f"unparsable date {row['published']!r} for {file}; date ignored"
        elif parsed[0].year not in YEARS:
            reason = f"date {row['published']!r} for {file} is outside {YEARS[0]}–{YEARS[-1]}; date ignored"
        else:
            published, precision = parsed
    meta = SourceMeta(source_file=file, publisher=row.get("publisher") or None, published=published,
                      published_precision=precision, city=row.get("city") or None,
                      province=row.get("province") or None, title=(row.get("title") or "").strip() or None,
                      meta_source="manifest")
    return meta, reason


def _error(source_file: str, reason: str) -> dict:
    return {"source_file": source_file, "stage": STAGE, "reason": reason}
