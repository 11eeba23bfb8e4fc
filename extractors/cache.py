"""A cache of per-file extraction results, so a re-run only extracts new or changed files.

An entry is keyed by the SHA-256 of everything the result depends on: the rules' and code's
version (``vocab.rules_version``), the file's name, its manifest metadata and its bytes. Each
entry is one file, ``<dir>/<key[:2]>/<key>``, written to a temp name and renamed into place, so
a crash leaves only complete entries; an entry that cannot be read back (truncated, corrupt,
from another format) counts as a miss and is rewritten.

An entry holds the file's observations and documents in the table writer's prepared form
(``tables.prepared_table``: typed columns and each row's CSV line) as Arrow IPC streams, and its
errors as JSON, compressed together, behind a CRC-32. A cached file's rows so go to the writer
as they are, never through Python objects: decoding JSON rows and building the tables from them
again was most of a cached run. Arrow IPC and JSON rather than pickle: loading a cache folder
someone else wrote must not run code.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import struct
import tempfile
import zlib
from pathlib import Path

import pyarrow as pa

from .model import SourceMeta
from .tables import TABLES, prepared_schema, prepared_table

FileRows = dict[str, "list[tuple] | pa.Table"]  # table stem -> rows in column order, or prepared (see tables.py)
_FORMAT = 2
_MAGIC = b"cnec\x00ipc"
_PREPARED = ("observations", "documents")  # errors, a row or two, stay JSON
_LENGTH = struct.Struct("<I")
_SCHEMAS = {stem: prepared_schema(TABLES[stem]) for stem in _PREPARED}


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
        self.expected: dict[str, FileRows] = {}  # entries waiting for the writer's prepared tables

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> FileRows | None:
        """The entry's rows: errors as tuples, the other tables prepared; None for a miss."""
        self.used.add(key)
        try:
            return _decoded(self._path(key).read_bytes())
        except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error, pa.ArrowException):
            return None  # missing or unreadable: extract the file again

    def put(self, key: str, rows: FileRows) -> None:
        """Store an entry atomically; a cache that cannot be written only costs speed."""
        self.used.add(key)
        path = self._path(key)
        data = _encoded({stem: rows[stem] if isinstance(rows[stem], pa.Table) or stem not in _PREPARED
                         else prepared_table(rows[stem], TABLES[stem]) for stem in TABLES})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            pass

    def expect(self, key: str, errors: list[tuple]) -> None:
        """``put`` the entry once the table writer has prepared its rows (``collect``): the rows
        are prepared for the tables anyway, a row group at a time, and once is enough."""
        self.used.add(key)
        self.expected[key] = {"errors": errors}

    def collect(self, key: object, stem: str, table: pa.Table) -> None:
        """The table writer's ``on_prepared``: one table of an expected entry."""
        entry = self.expected[key]
        entry[stem] = table
        if all(name in entry for name in _PREPARED):
            self.put(key, self.expected.pop(key))

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


# One thread: an entry's buffers are small, and handing them to a pool cost five times the work.
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(use_threads=False)
_READ_OPTIONS = pa.ipc.IpcReadOptions(use_threads=False)
# The body is compressed as a whole (LZ4 frame, where pyarrow has it): per-buffer compression
# inside the streams was larger and decoded six times slower.
_CODECS = {0: None, 1: pa.Codec("lz4") if pa.Codec.is_available("lz4") else None}
_CODEC_ID = 1 if _CODECS[1] is not None else 0
_HEAD = struct.Struct("<BII")  # codec, body size, CRC-32 of what follows
_MAX_RATIO = 255  # LZ4's: an entry claiming more would only make the reader allocate it


def _encoded(rows: FileRows) -> bytes:
    parts = [json.dumps(rows["errors"], ensure_ascii=False).encode()]
    for stem in _PREPARED:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, rows[stem].schema, options=_WRITE_OPTIONS) as stream:
            stream.write_table(rows[stem])
        parts.append(sink.getvalue().to_pybytes())
    body = b"".join(_LENGTH.pack(len(part)) + part for part in parts)
    codec = _CODECS[_CODEC_ID]
    stored = codec.compress(body, asbytes=True) if codec is not None else body
    return _MAGIC + _HEAD.pack(_CODEC_ID, len(body), zlib.crc32(stored)) + stored


def _decoded(data: bytes) -> FileRows:
    if data[:len(_MAGIC)] != _MAGIC:
        raise ValueError("not an entry of this format")
    codec_id, size, crc = _HEAD.unpack_from(data, len(_MAGIC))
    stored = memoryview(data)[len(_MAGIC) + _HEAD.size:]
    if zlib.crc32(stored) != crc or _CODECS[codec_id] is None and codec_id:
        raise ValueError("damaged, or compressed with a codec this pyarrow lacks")
    if size > _MAX_RATIO * len(stored) + 64:
        raise ValueError("claims a size no LZ4 frame of this length decompresses to")
    body = _CODECS[codec_id].decompress(stored, size, asbytes=True) if codec_id else bytes(stored)
    parts, at = [], 0
    while at < len(body):
        (length,), at = _LENGTH.unpack_from(body, at), at + _LENGTH.size
        parts.append(memoryview(body)[at:at + length])
        at += length
    errors, *tables = parts
    rows: FileRows = {"errors": [tuple(row) for row in json.loads(bytes(errors))]}
    for stem, part in zip(_PREPARED, tables, strict=True):
        table = pa.ipc.open_stream(pa.py_buffer(part), options=_READ_OPTIONS).read_all()
        if not table.schema.equals(_SCHEMAS[stem]):
            raise ValueError(f"{stem}: another schema")
        rows[stem] = table
    return rows
