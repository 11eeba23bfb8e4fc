"""Atomic file replacement: write under a temporary name in the target folder, then rename."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it replaces ``target``.

    The temporary file does not exist when yielded (some writers, e.g. DuckDB, refuse to open an
    existing file that is not theirs). On any error it is removed and ``target`` is untouched.
    """
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
