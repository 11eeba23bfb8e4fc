"""A cache of per-file extraction results, so a re-run only extracts new or changed files.

An entry is keyed by the SHA-256 of everything the result depends on: the rules' and code's
version (``vocab.rules_version``), the file's name, its manifest metadata and its bytes. Each
entry is one small zlib-compressed JSON file, ``<dir>/<key[:2]>/<key>``, written to a temp
name and renamed into place, so a crash leaves only complete entries; an entry that cannot be
read back (truncated, corrupt, from another format) counts as a miss and is rewritten.
JSON rather than pickle: loading a cache folder someone else wrote must not run code.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import zlib
from datetime import date
from pathlib import Path

from .model import SourceMeta
from .tables import TABLES

FileRows = dict[str, list[tuple]]  # table stem -> rows in column order
_FORMAT = 1
_DATE_COLUMNS = {stem: [i for i, kind in enumerate(columns.values()) if kind == "date"]
                 for stem, columns in TABLES.items()}


def entry_key(version: str, source_file: str, meta: SourceMeta | None, data: bytes) -> str:
    digest = hashlib.sha256(f"{_FORMAT}\0{version}\0{source_file}\0".encode())
    # the fields are plain values: a shallow dict is what dataclasses.asdict makes, without its deep copy
    fields = {f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)} if meta else None
    digest.update(json.dumps(fields, default=str,
                             ensure_ascii=False).encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.held: list[tuple[str, FileRows]] = []

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> FileRows | None:
        self.used.add(key)
        try:
            entry = json.loads(zlib.decompress(self._path(key).read_bytes()))
            return {stem: [_revive(row, _DATE_COLUMNS[stem]) for row in entry[stem]] for stem in TABLES}
        except (OSError, ValueError, KeyError, TypeError, IndexError, zlib.error):
            return None  # missing or unreadable: extract the file again

    def put(self, key: str, rows: FileRows) -> None:
        """Store an entry atomically; a cache that cannot be written only costs speed."""
        self.used.add(key)
        path = self._path(key)
        data = zlib.compress(json.dumps(rows, default=date.isoformat, ensure_ascii=False,
                                        separators=(",", ":")).encode(), 1)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            pass

    def hold(self, key: str, rows: FileRows) -> None:
        """``put`` later, at ``release``: for a file that gave only an errors row (a few bytes),
        so that a run over nothing readable leaves the cache as it was."""
        self.used.add(key)
        self.held.append((key, rows))

    def release(self) -> None:
        for key, rows in self.held:
            self.put(key, rows)
        self.held = []

    @staticmethod
    def remove_temps(folder: Path) -> None:
        """Drop the half-written entries of a killed run (``put``'s temp files), even when this
        run does not use the cache."""
        for path in folder.glob("*/.*.tmp"):
            try:
                path.unlink()
            except OSError:
                pass

    def prune(self) -> int:
        """Delete the entries this run did not use (old versions of files, removed files); returns how many."""
        removed = 0
        for path in self.folder.glob("*/*"):
            if path.name not in self.used:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed


def _revive(row: list, date_columns: list[int]) -> tuple:
    for i in date_columns:
        if row[i] is not None:
            row[i] = date.fromisoformat(row[i])
    return tuple(row)
