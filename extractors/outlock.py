"""One run at a time per output folder: ``OUT/.lock`` holds the running pipeline's pid.

The lock is an advisory POSIX record lock (``lockf``) on that file, so it dies with its holder:
a run killed with SIGKILL leaves the file (with its pid) but no lock, and the next run sees the
lock is stale, takes it over and rewrites the pid. Not ``flock``: forked worker processes would
inherit that and keep a dead run's folder locked. The file is removed when the run ends. A second run while
the first is alive fails at once, naming the folder and the other run's pid, before it changes
anything in the folder.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .tables import OutputError

LOCK_NAME = ".lock"
# folders (device, inode) this process holds: a POSIX lock does not stop its own process, and
# closing any descriptor of the file would drop it
_HELD: set[tuple[int, int]] = set()


class FolderBusy(OutputError):
    """Another live run holds the output folder."""


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (creating the folder if need be) for the ``with`` block."""
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        st = os.stat(out_dir)
        folder = (st.st_dev, st.st_ino)
        if folder in _HELD:
            raise _busy(out_dir, str(os.getpid()))
        fd = _acquire(out_dir / LOCK_NAME, out_dir)
    except FolderBusy:
        raise
    except OSError as e:
        raise OutputError(f"cannot create output folder {out_dir}: {e.strerror or e}") from e
    _HELD.add(folder)
    try:
        yield
    finally:
        _HELD.discard(folder)
        try:
            os.unlink(out_dir / LOCK_NAME)  # before the lock goes: no one else can hold this file yet
        finally:
            os.close(fd)
        if created:
            try:
                out_dir.rmdir()  # a run that wrote nothing leaves no folder behind
            except OSError:
                pass


def _busy(out_dir: Path, holder: str) -> FolderBusy:
    return FolderBusy(f"output folder {out_dir} is in use by another run (pid {holder}); "
                      "wait for it to finish or choose another --out")


def _acquire(path: Path, out_dir: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: another process holds it
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise _busy(out_dir, holder) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed the file as we opened it: lock the new one instead
    # a pid already in the file is a stale lock's (its holder died without removing it)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    return fd
