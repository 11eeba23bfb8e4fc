"""Run the extraction over files and folders and write the tables; one bad file never stops a batch."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .extract import process_file
from .inputs import DEFAULT_MAX_FILE_MB, collect_files, find_manifest, max_bytes_of, read_input
from .manifest import meta_for, read_manifest, unused_rows
from .model import InputError, SourceMeta
from .tables import write_tables


@dataclass
class Summary:
    documents: int
    observations: int
    errors: int
    seconds: float
    files_read: int


def run_batch(paths: list[Path], manifest: Path | None, out_dir: Path,
              max_file_mb: float | None = DEFAULT_MAX_FILE_MB) -> Summary:
    started = time.perf_counter()
    files, errors = collect_files(paths)
    if manifest is None:
        manifest = find_manifest(paths)
    metas: dict[str, SourceMeta] = {}
    if manifest is not None:
        metas, manifest_errors = read_manifest(manifest)
        errors += manifest_errors
        errors += unused_rows(manifest, metas, files)
    observations, documents = [], []
    read = 0
    show = sys.stderr.isatty()
    for i, path in enumerate(files, 1):
        if show:
            print(f"\r[{i}/{len(files)}] {path.name[:40]:<40}", end="", file=sys.stderr)
        try:
            data = read_input(path, max_bytes_of(max_file_mb))
        except InputError as e:
            errors.append({"source_file": path.name, "stage": e.stage, "reason": e.reason})
            continue
        read += 1
        try:
            result = process_file(path.name, data, meta_for(metas, path))
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
            errors.append({"source_file": path.name, "stage": "extract", "reason": f"{type(e).__name__}: {e}"})
            continue
        observations += result.observations
        documents += result.documents
        errors += result.errors
    if show:
        print(file=sys.stderr)
    write_tables(out_dir, observations, documents, errors)
    return Summary(len(documents), len(observations), len(errors), time.perf_counter() - started, read)
