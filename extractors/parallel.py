"""Where per-file extraction runs: in this process, in a local process pool, or on a Dask cluster.

A ``Runner`` gives one ``submit(fn, *args) -> future`` and ``result(future, fn, *args)`` for all
three, so the batch loop is the same. A worker process that dies (the kernel's out-of-memory
killer, a crash in a C library) breaks a local pool: the pool is replaced and each file that was
in flight runs again alone in a fresh process; a file whose process dies again is given up
(``result`` returns None, the batch writes an errors row ``extract: worker died``). The work sent out is ``extract_rows``: a pure function
of a file's name, bytes and metadata, so results do not depend on where or when it ran.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .cache import FileRows
from .model import SourceMeta
from .tables import document_key, error_key, observation_key, observation_row, row_tuple

Submit = Callable[..., Any]
WORKER_DIED = "worker died"


def extract_rows(source_file: str, data: bytes, meta: SourceMeta | None) -> FileRows:
    """One file's rows per table, each table sorted as in the written tables; never raises for a
    file (a broken rule file fails the run, at the first file)."""
    from . import extract  # the rules load at the first file: a run that takes every file from the cache needs none

    try:
        result = extract.process_file(source_file, data, meta)
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
        return {"observations": [], "documents": [], "errors": [
            row_tuple({"source_file": source_file, "stage": "extract", "reason": f"{type(e).__name__}: {e}"}, "errors")]}
    return {
        "observations": [row_tuple(r, "observations")
                         for r in sorted(map(observation_row, result.observations), key=observation_key)],
        "documents": [row_tuple(r, "documents") for r in sorted(result.documents, key=document_key)],
        "errors": [row_tuple(r, "errors") for r in sorted(result.errors, key=error_key)],
    }


class Runner:
    """``submit(fn, *args) -> future`` on Dask (an address, or ``local``), a process pool or inline.

    The pool or cluster starts at the first submit, so a run that takes every file from the
    cache starts none. ``parallel`` is how many files can run at once.
    """

    def __init__(self, workers: int, dask_address: str | None = None) -> None:
        self.workers = max(1, workers)
        self.dask_address = dask_address
        self.parallel = self.workers
        self._stack = contextlib.ExitStack()
        self._submit: Submit | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._submit is None:
            self._submit = self._start()
        try:
            return self._submit(fn, *args)
        except BrokenProcessPool:  # a worker died since the last submit: a new pool takes over
            self._submit = self._start()
            return self._submit(fn, *args)

    def result(self, future: Any, fn: Callable[..., Any], *args: Any) -> Any:
        """``future.result()``, where ``future = submit(fn, *args)``; None if the work killed its
        worker process twice (the second time alone in a fresh process)."""
        try:
            return future.result()
        except BrokenProcessPool:  # the next submit replaces the pool
            return _in_fresh_process(fn, *args)
        except Exception as e:
            if type(e).__name__ == "KilledWorker":  # Dask gave up after retrying on other workers
                return None
            raise

    def _start(self) -> Submit:
        if self.dask_address is not None:
            client = self._stack.enter_context(_dask(self.dask_address))
            self.parallel = max(1, _dask_threads(client))
            return lambda fn, *args: client.submit(fn, *args, pure=False)
        if self.workers == 1:
            return _inline
        _warm_up()
        return self._stack.enter_context(_pool(self.workers)).submit


def _in_fresh_process(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` alone in a new process (so that only this work can kill it); None if it dies."""
    with _pool(1) as one:
        try:
            return one.submit(fn, *args).result()
        except BrokenProcessPool:
            return None


# Linux forks its workers, so they inherit the rules the parent loaded (``_warm_up``); Python 3.14
# made forkserver the default there, where each worker would load its own (0.36 s each). Elsewhere
# the platform's default (spawn): forking a macOS process that has loaded system libraries is unsafe.
_START = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_START, initializer=_die_with_parent,
                               initargs=(os.getpid(),))


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Worker start-up: when the batch process is killed (SIGKILL) its workers go too, instead of
    lingering idle for ever (Linux only: the kernel's parent-death signal)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _inline(fn: Callable[..., Any], *args: Any) -> Future:
    future: Future = Future()
    future.set_result(fn(*args))
    return future


def _warm_up() -> None:
    """Load the rules (gazetteer, vocabularies, compiled patterns) once in this process.

    Where workers are forked (Linux) they inherit them instead of each spending about a second
    loading its own copy; elsewhere this only costs the parent that second.
    """
    extract_rows("warm-up.txt", "本报讯 2024年1至2月，全市进出口总值1亿元，增长1%。".encode(), None)


@contextlib.contextmanager
def _dask(address: str) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise RuntimeError("--dask needs the optional extra: pip install '.[dask]'") from e
    if address == "local":
        with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(address) as client:
            yield client


def _dask_threads(client: Any) -> int:
    return sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
