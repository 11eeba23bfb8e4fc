"""Atomic file replacement: write under a temporary name in the target folder, then rename."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_MAX_CAUSE = 400  # characters of a writer's message: one readable line, not its whole dump


class ExportError(Exception):
    """A derived file could not be written: ``name`` is the file, ``cause`` why, in one line."""

    def __init__(self, name: str, error: BaseException) -> None:
        self.name = name
        if isinstance(error, OSError) and error.strerror:
            self.cause = error.strerror
        else:
            text = " ".join(str(error).split()) or "no message"
            if len(text) > _MAX_CAUSE:  # the reason is often at the end (…: File too large)
                text = f"{text[:_MAX_CAUSE // 2]} … {text[-_MAX_CAUSE // 2:]}"
            self.cause = f"{type(error).__name__}: {text}"
        super().__init__(f"cannot write {name}: {self.cause}")


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it replaces ``target``.

    The temporary file does not exist when yielded (some writers, e.g. DuckDB, refuse to open an
    existing file that is not theirs). On any error it is removed, ``target`` is untouched and
    the error is raised as an ExportError naming ``target`` (unless it already names a file).
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
    except ExportError:
        raise
    except Exception as e:  # noqa: BLE001 - duckdb, xlsxwriter and the OS each raise their own kinds
        raise ExportError(target.name, e) from e
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
