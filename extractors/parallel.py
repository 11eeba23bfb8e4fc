"""Where per-file extraction runs: in this process, in a local process pool, or on a Dask cluster.

Each runner is a ``submit(fn, *args) -> future`` function (a future has ``.result()``), so the
batch loop is the same for all three. The work sent out is ``extract_rows``: a pure function
of a file's name, bytes and metadata, so results do not depend on where or when it ran.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .cache import FileRows
from .extract import process_file
from .model import SourceMeta
from .tables import document_key, error_key, observation_key, observation_row, row_tuple

Submit = Callable[..., Any]


def extract_rows(source_file: str, data: bytes, meta: SourceMeta | None) -> FileRows:
    """One file's rows per table, each table sorted as in the written tables; never raises."""
    try:
        result = process_file(source_file, data, meta)
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
        return {"observations": [], "documents": [], "errors": [
            row_tuple({"source_file": source_file, "stage": "extract", "reason": f"{type(e).__name__}: {e}"}, "errors")]}
    return {
        "observations": [row_tuple(r, "observations")
                         for r in sorted(map(observation_row, result.observations), key=observation_key)],
        "documents": [row_tuple(r, "documents") for r in sorted(result.documents, key=document_key)],
        "errors": [row_tuple(r, "errors") for r in sorted(result.errors, key=error_key)],
    }


def _inline(fn: Callable[..., Any], *args: Any) -> Future:
    future: Future = Future()
    future.set_result(fn(*args))
    return future


@contextlib.contextmanager
def runner(workers: int, dask_address: str | None = None) -> Iterator[tuple[Submit, int]]:
    """``(submit, parallelism)``: Dask if an address (or ``local``) is given, else ``workers`` processes."""
    if dask_address is not None:
        with _dask(dask_address) as client:
            yield (lambda fn, *args: client.submit(fn, *args, pure=False)), max(1, _dask_threads(client))
    elif workers <= 1:
        yield _inline, 1
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool.submit, workers


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
