"""Read the optional manifest (file,publisher,published,city[,province]); bad rows become error rows."""
from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import regex

from .model import SourceMeta

_DATE = regex.compile(r"^(\d{4})(?:[-/年](\d{1,2})(?:[-/月](\d{1,2})日?)?月?)?年?$")


def parse_published(text: str) -> tuple[date, str] | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1)), "day" if m[3] else ("month" if m[2] else "year")
    except ValueError:
        return None


def read_manifest(path: Path) -> tuple[dict[str, SourceMeta], list[dict]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    name = path.name
    if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
        return {}, [{"source_file": name, "stage": "manifest", "reason": "no 'file' column; manifest ignored"}]
    metas: dict[str, SourceMeta] = {}
    errors = []
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        file = row.get("file", "")
        if not file:
            continue
        if file in metas:
            errors.append({"source_file": name, "stage": "manifest", "reason": f"line {n}: duplicate row for {file}; first kept"})
            continue
        published, precision = None, "none"
        if row.get("published"):
            parsed = parse_published(row["published"])
            if parsed is None:
                errors.append({"source_file": name, "stage": "manifest",
                               "reason": f"line {n}: bad date {row['published']!r} for {file}; date ignored"})
            else:
                published, precision = parsed
        metas[file] = SourceMeta(source_file=file, publisher=row.get("publisher") or None, published=published,
                                 published_precision=precision, city=row.get("city") or None,
                                 province=row.get("province") or None, meta_source="manifest")
    return metas, errors
