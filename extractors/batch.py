"""Run the extraction over files and folders and write the tables; one bad file never stops a batch.

Row order (the same for any number of workers, any runner and any order in which files finish):
files are taken in order of their name (``source_file``), then of their full path; each file's
observations follow in order of (char_start, char_end, indicator, obs_id) and its documents in
order of char_start. Errors, one or a few per bad input, are kept until the end and sorted by
(source_file, stage, reason). Results are streamed: at most a window of files is in flight and
rows go to the table writer as soon as the files before them are done.

The output folder changes only at the end, and as one set: the tables and the derived files of
``formats`` are written into a staging folder, then all of them are swapped in (files of formats
not chosen are removed). A run that can read no input at all changes nothing and raises
NoInput; a second run into a folder another run holds raises FolderBusy (``outlock``).
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .cache import Cache, FileRows, entry_key
from .corrections import Corrections
from .exports import OUTPUT_NAMES, not_chosen, stage_exports
from .exports.files import ExportError
from .exports.review import DEFAULT_LIMIT
from .inputs import DEFAULT_MAX_FILE_MB, collect_files, find_manifest, max_bytes_of, read_input
from .manifest import Matcher, read_manifest, unused_rows
from .model import InputError, SourceMeta
from .outlock import folder_lock
from .parallel import WORKER_DIED, Runner, extract_rows
from .partitions import check_keys, write_partitions
from .reading import decode
from .tables import TABLES, OutputError, TableSet, prepared_rows, remove_stale, row_tuple
from .vocab import rules_version

CACHE_FOLDER = ".cache"
# files in flight per worker: enough to keep every worker busy while the next file is read
_IN_FLIGHT_PER_WORKER = 4
# finished (e.g. cached) files allowed to wait behind one still in flight
_MAX_WAITING = 256
CORE_FORMATS = ("parquet", "csv")


class NoInput(Exception):
    """No input gave any text: the message says, per path, what was wrong; nothing was written."""


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
    data: bytes | None = None  # kept while in flight, to retry the file if its worker dies
    pending: object = None  # a future, or the cached rows
    extracted: bool = False  # its rows are new: the cache has no entry for them yet


def run_batch(paths: list[Path], manifest: Path | None, out_dir: Path, *, workers: int = 1,
              use_cache: bool = True, dask: str | None = None,
              partition_by: tuple[str, ...] = (),
              max_file_mb: float | None = DEFAULT_MAX_FILE_MB,
              formats: tuple[str, ...] = CORE_FORMATS, labels: str = "en",
              review_limit: int = DEFAULT_LIMIT, corrections: Path | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Extract every input and write the tables and the derived files of ``formats`` into
    ``out_dir`` (see the module doc for the order and the swap).

    The decisions of the ``corrections`` file (see ``corrections.py``; CorrectionsError when it
    cannot be used) are applied to each file's rows after extraction (or the cache) and before
    they are written; ``progress(done, total, file name)`` is called after each file.
    """
    started = time.perf_counter()
    check_keys(partition_by)
    out_dir = Path(out_dir)
    fixes = Corrections.read(corrections) if corrections is not None else None  # a bad file fails first
    files, errors = collect_files(paths)
    if not files:
        raise NoInput(_nothing_read(paths, files, errors))
    files.sort(key=lambda p: (p.name, str(p)))
    if manifest is None:
        manifest = find_manifest(paths)
    metas: dict[str, SourceMeta] = {}
    if manifest is not None:
        metas, manifest_errors = read_manifest(manifest)
        errors += manifest_errors
        errors += unused_rows(manifest, metas, files)
    version = rules_version()
    summary = Summary(0, 0, 0, 0.0, 0, sources={path.name: path for path in files})
    with folder_lock(out_dir), ExitStack() as staged:
        remove_stale(out_dir, OUTPUT_NAMES)  # only now: a live run's temp files are its own
        cache = Cache(out_dir / CACHE_FOLDER) if use_cache else None
        Cache.remove_temps(out_dir / CACHE_FOLDER)
        tables: TableSet | None = None  # opened at the first readable file: no input, no change
        with Runner(min(workers, len(files)), dask) as run:  # no more workers than files
            match = Matcher(metas)
            jobs = (_Job(path, match(path)) for path in files)
            for i, (job, rows) in enumerate(_results(jobs, run, cache, version, errors, summary,
                                                     max_bytes_of(max_file_mb)), 1):
                if progress is not None:
                    progress(i, len(files), job.path.name)
                if _unreadable(rows):
                    errors += rows["errors"]
                    continue
                corrected = fixes is not None and fixes.decides(job.path.name)
                tag = None
                if cache is not None and job.extracted:
                    if corrected:  # the cache keeps the rules' rows, the tables get the corrected ones
                        cache.put(job.key, rows)
                    else:
                        cache.expect(job.key, rows["errors"])
                        tag = job.key
                if corrected:
                    rows = fixes.apply(job.path.name, as_tuples(rows),
                                       lambda: decode(job.path.read_bytes(), job.path.name)[0])
                errors += rows["errors"]
                if tables is None:
                    tables = staged.enter_context(TableSet(out_dir, on_prepared=cache.collect if cache else None))
                tables.add("observations", rows["observations"], tag)
                tables.add("documents", rows["documents"], tag)
                summary.observations += len(rows["observations"])
                summary.documents += len(rows["documents"])
        if fixes is not None:
            errors += fixes.errors + fixes.unused()
        error_rows = sorted(row_tuple(e, "errors") if isinstance(e, dict) else e for e in errors)
        if tables is None:
            raise NoInput(_nothing_read(paths, files, error_rows))
        if cache is not None:
            cache.release()
        tables.add("errors", error_rows)
        folder = tables.finish()
        if partition_by:
            write_partitions(str(folder / "observations.parquet"), folder / "observations", partition_by)
        try:
            stage_exports(folder, formats, labels, summary.sources, review_limit, corrections)
        except ExportError as e:
            raise OutputError(f"cannot write {out_dir / e.name}: {e.cause}") from e
        tables.commit(remove=not_chosen(formats))
        if cache is not None:
            cache.prune()
    summary.errors = len(error_rows)
    summary.seconds = time.perf_counter() - started
    return summary


def _unreadable(rows: FileRows) -> bool:
    """The file gave no text (empty, binary, bad encoding): it is only an errors row."""
    return any(error[1] == "read" for error in rows["errors"])


_MAX_REASONS = 10  # a folder of unreadable files is summed up, not listed in full


def _nothing_read(paths: list[Path], files: list[Path], errors: list) -> str:
    """Why the paths gave nothing: ``no such file or folder: seed``, ``no .txt files under DIR`` …"""
    rows = [row_tuple(e, "errors") if isinstance(e, dict) else e for e in errors]
    reasons = [f"{reason}: {source}" for source, stage, reason in sorted(rows) if stage in ("input", "read")]
    for path in paths:
        if os.path.isdir(path) and not any(Path(path) in f.parents for f in files):
            reasons.append(f"no .txt files under {path}")
    if len(reasons) > _MAX_REASONS:
        reasons[_MAX_REASONS:] = [f"and {len(reasons) - _MAX_REASONS} more"]
    return "; ".join(reasons) or "no input file"


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
            job.data = data
            job.pending = run.submit(extract_rows, job.path.name, data, job.meta)
            summary.files_extracted += 1
            in_flight += 1
        window.append(job)
        while window and (in_flight > run.parallel * _IN_FLIGHT_PER_WORKER or len(window) > _MAX_WAITING
                          or isinstance(window[0].pending, dict)):
            if not isinstance(window[0].pending, dict):
                in_flight -= 1
            yield _finish(window.popleft(), run, cache)
    while window:
        yield _finish(window.popleft(), run, cache)


def _finish(job: _Job, run: Runner, cache: Cache | None) -> tuple[_Job, FileRows]:
    if isinstance(job.pending, dict):
        return job, job.pending
    rows = run.result(job.pending, extract_rows, job.path.name, job.data, job.meta)
    job.data = None
    if rows is None:  # its worker died twice (out of memory?): the batch goes on without it
        rows = {"observations": [], "documents": [], "errors": [(job.path.name, "extract", WORKER_DIED)]}
    elif cache is not None:
        if _unreadable(rows):
            cache.hold(job.key, rows)
        else:
            job.extracted = True  # stored once the table writer has prepared its rows (run_batch)
    return job, rows


def as_tuples(rows: FileRows) -> FileRows:
    """A file's rows with every table as tuples (a cached file's come prepared)."""
    return {stem: prepared_rows(table, TABLES[stem]) if isinstance(table, pa.Table) else table
            for stem, table in rows.items()}


def default_workers() -> int:
    return os.cpu_count() or 1
