"""Run the extraction over files and folders and write the tables; one bad file never stops a batch.

Row order (the same for any number of workers, any runner and any order in which files finish):
files are taken in order of their name (``source_file``), then of their full path; each file's
observations follow in order of (char_start, char_end, indicator, obs_id) and its documents in
order of char_start. Errors, one or a few per bad input, are kept until the end and sorted by
(source_file, stage, reason). Results are streamed: at most a window of files is in flight and
rows go to the table writer as soon as the files before them are done.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, FileRows, entry_key
from .corrections import Corrections
from .inputs import DEFAULT_MAX_FILE_MB, collect_files, find_manifest, max_bytes_of, read_input
from .manifest import Matcher, read_manifest, unused_rows
from .model import InputError, SourceMeta
from .parallel import Runner, extract_rows
from .partitions import check_keys, write_partitions
from .reading import decode
from .tables import TableSet, row_tuple, temp_folder
from .vocab import rules_version

CACHE_FOLDER = ".cache"
# files in flight per worker: enough to keep every worker busy while the next file is read
_IN_FLIGHT_PER_WORKER = 4
# finished (e.g. cached) files allowed to wait behind one still in flight
_MAX_WAITING = 256


@dataclass
class Summary:
    documents: int
    observations: int
    errors: int
    seconds: float
    files_read: int
    files_extracted: int = 0  # read and run through the extraction
    files_cached: int = 0  # read, with results taken from the cache
    sources: dict[str, Path] = field(default_factory=dict)  # input file by the name the tables use


@dataclass
class _Job:
    path: Path
    meta: SourceMeta | None
    key: str | None = None
    pending: object = None  # a future, or the cached rows


def run_batch(paths: list[Path], manifest: Path | None, out_dir: Path, *, workers: int = 1,
              use_cache: bool = True, dask: str | None = None,
              partition_by: tuple[str, ...] = (),
              max_file_mb: float | None = DEFAULT_MAX_FILE_MB, corrections: Path | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Extract every input and write the tables into ``out_dir`` (see the module doc for the order).

    The decisions of the ``corrections`` file (see ``corrections.py``; CorrectionsError when it
    cannot be used) are applied to each file's rows after extraction (or the cache) and before
    they are written; ``progress(done, total, file name)`` is called after each file.
    """
    started = time.perf_counter()
    check_keys(partition_by)
    out_dir = Path(out_dir)
    files, errors = collect_files(paths)
    files.sort(key=lambda p: (p.name, str(p)))
    if manifest is None:
        manifest = find_manifest(paths)
    metas: dict[str, SourceMeta] = {}
    if manifest is not None:
        metas, manifest_errors = read_manifest(manifest)
        errors += manifest_errors
        errors += unused_rows(manifest, metas, files)
    fixes = Corrections.read(corrections) if corrections is not None else None
    cache = Cache(out_dir / CACHE_FOLDER) if use_cache else None
    version = rules_version()
    summary = Summary(0, 0, 0, 0.0, 0, sources={path.name: path for path in files})
    with TableSet(out_dir) as tables, Runner(workers, dask) as run:
        match = Matcher(metas)
        jobs = (_Job(path, match(path)) for path in files)
        for i, (job, rows) in enumerate(_results(jobs, run, cache, version, errors, summary,
                                                          max_bytes_of(max_file_mb)), 1):
            if progress is not None:
                progress(i, len(files), job.path.name)
            if fixes is not None:
                rows = fixes.apply(job.path.name, rows, lambda: decode(job.path.read_bytes(), job.path.name)[0])
            tables.add("observations", rows["observations"])
            tables.add("documents", rows["documents"])
            errors += rows["errors"]
            summary.observations += len(rows["observations"])
            summary.documents += len(rows["documents"])
        if fixes is not None:
            errors += fixes.errors + fixes.unused()
        error_rows = sorted(row_tuple(e, "errors") if isinstance(e, dict) else e for e in errors)
        tables.add("errors", error_rows)
        if partition_by:
            folder = temp_folder(out_dir, "observations")
            tables.add_extra("observations", folder)
            write_partitions(tables.parquet_temp("observations"), Path(folder), partition_by)
        tables.commit()
    if cache is not None:
        cache.prune()
    summary.errors = len(error_rows)
    summary.seconds = time.perf_counter() - started
    return summary


def _results(jobs: Iterable[_Job], run: Runner, cache: Cache | None, version: str,
             errors: list, summary: Summary, max_bytes: int | None) -> Iterator[tuple[_Job, FileRows]]:
    """Each readable file's rows, in the order of ``jobs``, with up to a window of files in flight."""
    window: deque[_Job] = deque()
    in_flight = 0
    for job in jobs:
        try:
            data = read_input(job.path, max_bytes)
        except InputError as e:
            errors.append({"source_file": job.path.name, "stage": e.stage, "reason": e.reason})
            continue
        summary.files_read += 1
        cached = None
        if cache is not None:
            job.key = entry_key(version, job.path.name, job.meta, data)
            cached = cache.get(job.key)
        if cached is not None:
            job.pending = cached
            summary.files_cached += 1
        else:
            job.pending = run.submit(extract_rows, job.path.name, data, job.meta)
            summary.files_extracted += 1
            in_flight += 1
        window.append(job)
        while window and (in_flight > run.parallel * _IN_FLIGHT_PER_WORKER or len(window) > _MAX_WAITING
                          or isinstance(window[0].pending, dict)):
            if not isinstance(window[0].pending, dict):
                in_flight -= 1
            yield _finish(window.popleft(), cache)
    while window:
        yield _finish(window.popleft(), cache)


def _finish(job: _Job, cache: Cache | None) -> tuple[_Job, FileRows]:
    if isinstance(job.pending, dict):
        return job, job.pending
    rows = job.pending.result()
    if cache is not None:
        cache.put(job.key, rows)
    return job, rows


def default_workers() -> int:
    return os.cpu_count() or 1
