"""Turn the command line's paths into the list of input files (and the manifest beside them)."""
from __future__ import annotations

from pathlib import Path


def collect_files(paths: list[Path]) -> tuple[list[Path], list[dict]]:
    files, errors = [], []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.txt") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            errors.append({"source_file": str(path), "stage": "input", "reason": "no such file or folder"})
    return files, errors


def find_manifest(paths: list[Path]) -> Path | None:
    """The ``manifest.csv`` of the first input folder that has one."""
    found = [p / "manifest.csv" for p in paths if p.is_dir() and (p / "manifest.csv").is_file()]
    return found[0] if found else None
