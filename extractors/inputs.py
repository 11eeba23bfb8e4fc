"""Turn the command line's paths into the list of input files (and the manifest beside them).

Folders are searched recursively for ``*.txt`` (any case). What cannot become an input file is
a row of the errors table (stage "input"), never an exception: a missing path, a broken link,
a symbolic-link loop, a folder that cannot be listed, something that is not a regular file (a
FIFO would block the run), a file name that is not valid UTF-8 (it could not be written to
the tables), a linked folder inside a folder (not followed, as by ``find``: it could lead back
up the tree or across the disk; a linked folder named on the command line is read). The same
file reached twice (named twice, inside a named folder, through a link) is read once. ``source_file`` is the file NAME, so of two different files with
the same name only the first by path is read and the other is reported. The result is sorted
by path: the order of the command-line arguments does not matter.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .model import InputError

STAGE = "input"
DEFAULT_MAX_FILE_MB = 50.0  # a yearbook is a few MB of text; 50 MB is a dump, not an article
_SUFFIX = ".txt"
_MB = 1_000_000


def collect_files(paths: list[Path]) -> tuple[list[Path], list[dict]]:
    """(input files sorted by path, error rows for what could not be used)."""
    found: dict[tuple[int, int], list[Path]] = {}  # (device, inode) -> the paths that reach it
    errors: list[dict] = []
    walked: set[tuple[int, int]] = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError as e:
            errors.append(_error(str(path), _why(path, e)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(Path(path), st, found, walked, errors)
        elif stat.S_ISREG(st.st_mode):
            found.setdefault((st.st_dev, st.st_ino), []).append(Path(path))
        else:
            errors.append(_error(str(path), "not a regular file or folder"))
    # a file reached under several names is known by its own name rather than a link's
    return _unique_names([min(same, key=lambda p: (p.is_symlink(), str(p))) for same in found.values()], errors)


def _walk(root: Path, root_stat: os.stat_result, found: dict[tuple[int, int], list[Path]],
          walked: set[tuple[int, int]], errors: list[dict]) -> None:
    stack = [(root, root_stat)]
    while stack:
        folder, st = stack.pop()
        if (st.st_dev, st.st_ino) in walked:
            continue  # named twice, or inside another named folder: already searched
        walked.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            errors.append(_error(str(folder), f"cannot list folder: {e.strerror or e}"))
            continue
        for entry in entries:
            is_input = entry.name.lower().endswith(_SUFFIX)
            try:
                entry_stat = entry.stat()  # follows links
            except OSError as e:
                if is_input:  # a dangling link or loop not named *.txt is not an input
                    errors.append(_error(entry.name, _why(Path(entry.path), e)))
                continue
            if stat.S_ISDIR(entry_stat.st_mode) and entry.is_symlink():
                # like find and os.walk: a link could lead up the tree or across the whole disk
                errors.append(_error(entry.path, "linked folder not followed; name it on the command line to read it"))
            elif stat.S_ISDIR(entry_stat.st_mode):
                stack.append((Path(entry.path), entry_stat))
            elif is_input and stat.S_ISREG(entry_stat.st_mode):
                found.setdefault((entry_stat.st_dev, entry_stat.st_ino), []).append(Path(entry.path))
            elif is_input:
                errors.append(_error(entry.name, "not a regular file"))


def _unique_names(files: list[Path], errors: list[dict]) -> tuple[list[Path], list[dict]]:
    kept: dict[str, Path] = {}
    for path in sorted(files, key=str):
        name = path.name
        if not _is_unicode(name):
            errors.append(_error(name, "file name is not valid UTF-8; rename the file"))
        elif name in kept:
            errors.append(_error(str(path), f"another input file has the same name ({kept[name]}); "
                                            "names must be unique in a batch (source_file is the name); skipped"))
        else:
            kept[name] = path
    return sorted(kept.values(), key=str), errors


def read_input(path: Path, max_bytes: int | None) -> bytes:
    """The bytes of one input file; InputError("read", reason) if it cannot be read or is too large.

    The size is checked on the open file before anything is read, so a huge file costs nothing.
    """
    try:
        with Path(path).open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise _too_large(size, max_bytes)
            data = f.read() if max_bytes is None else f.read(max_bytes + 1)
    except OSError as e:  # permission denied, I/O error, vanished since it was listed
        raise InputError("read", f"cannot read file: {e.strerror or e}") from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew after the size check
        raise _too_large(len(data), max_bytes)
    return data


def max_bytes_of(max_file_mb: float | None) -> int | None:
    return None if max_file_mb is None else int(max_file_mb * _MB)


def _too_large(size: int, max_bytes: int) -> InputError:
    return InputError("read", f"file too large: {size / _MB:,.1f} MB, over the limit of "
                              f"{max_bytes / _MB:g} MB (--max-file-mb); not read")


def find_manifest(paths: list[Path]) -> Path | None:
    """The ``manifest.csv`` of the first input folder (by path, not argument order) that has one."""
    found = sorted((p / "manifest.csv" for p in paths if p.is_dir() and (p / "manifest.csv").is_file()), key=str)
    return found[0] if found else None


def _why(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno == errno.ENOENT:
        if os.path.islink(path):
            return f"broken symbolic link (to {_shown(os.readlink(path))})"
        return "no such file or folder"
    return f"cannot open: {error.strerror or error}"


def _is_unicode(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes surface as lone surrogates
        return False
    return True


def _shown(text: str) -> str:
    """Text safe to write to the tables: undecodable bytes of a file name as \\xNN escapes."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _error(source: str, reason: str) -> dict:
    return {"source_file": _shown(source), "stage": STAGE, "reason": _shown(reason)}
