"""Crash safety: a run killed with SIGKILL at any moment leaves complete tables, old or new.

The pipeline runs in a subprocess over a folder that takes a few seconds, into an output folder
that holds the tables of an earlier run. It is killed after fixed delays and at the moments of
the write phase (first temp file, several temp files, backups in place), which the test sees by
watching the folder. Each table file must then be byte-identical to the earlier run's or to a
complete run's; and the next run must finish cleanly and leave no temp or backup file behind.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extractors.batch import CACHE_FOLDER

from extractors.tables import DOCUMENT_COLUMNS, ERROR_COLUMNS, OBSERVATION_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
COLUMNS = {"observations": OBSERVATION_COLUMNS, "documents": DOCUMENT_COLUMNS, "errors": ERROR_COLUMNS}
TABLES = [f"{stem}.{ext}" for stem in COLUMNS for ext in ("parquet", "csv")]


def _hidden(out: Path) -> list[str]:
    """Leftover temp and backup files (the cache folder is meant to stay)."""
    return [name for name in os.listdir(out) if name.startswith(".") and name != CACHE_FOLDER]


def _staged(out: Path) -> list[str]:
    """Files in the run's staging folder(s), where the new tables are written before the swap."""
    return [n for folder in out.glob(".run.*.tmp") for n in (os.listdir(folder) if folder.is_dir() else [])]


# When to kill: after a delay (seconds), or when the output folder first shows a state.
MOMENTS: list[tuple[str, float | Callable[[Path], bool]]] = [
    ("at once", 0.0),
    ("while importing", 0.4),
    ("while extracting", 1.5),
    ("late", 2.5),
    ("first temp file", lambda out: any(n.endswith(".tmp") for n in _hidden(out))),
    ("four temp files", lambda out: len(_staged(out)) >= 4),
    ("backups in place", lambda out: any(n.endswith(".old") for n in _hidden(out))),
]


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """(input folder, tables of an earlier run over part of it, tables of a complete run)."""
    base = tmp_path_factory.mktemp("crash")
    inputs = base / "in"
    inputs.mkdir()
    for copy in range(2):
        for seed in sorted(SEEDS.glob("*.txt")):
            shutil.copy(seed, inputs / f"{copy}_{seed.name}")
    first = sorted(inputs.iterdir())[0]
    assert _cli(first, base / "old").wait() == 0
    assert _cli(inputs, base / "new").wait() == 0
    return inputs, _tables(base / "old"), _tables(base / "new")


def _cli(inputs: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), str(inputs), "--out", str(out),
                             "--formats", "parquet,csv"],  # the core tables only: what this test checks
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def _kill_at(proc: subprocess.Popen, out: Path, moment: float | Callable[[Path], bool]) -> None:
    if callable(moment):
        while proc.poll() is None and not moment(out):
            time.sleep(0.0002)  # the write phase lasts milliseconds: look often
    else:
        try:
            proc.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


def _assert_complete(out: Path, name: str) -> None:
    data = (out / name).read_bytes()
    stem = name.split(".")[0]
    if name.endswith(".parquet"):
        assert pq.read_table(io.BytesIO(data)).column_names == list(COLUMNS[stem])
    else:
        assert data.startswith(b"\xef\xbb\xbf")
        assert data[3:].split(b"\r\n", 1)[0].decode("utf-8").split(",") == list(COLUMNS[stem])
        assert data.endswith(b"\r\n")


@pytest.mark.parametrize("moment", [m for _, m in MOMENTS], ids=[name for name, _ in MOMENTS])
def test_killed_run_leaves_old_or_new_tables(setup, tmp_path: Path, moment) -> None:
    inputs, old, new = setup
    out = tmp_path / "out"
    out.mkdir()
    for name, data in old.items():
        (out / name).write_bytes(data)
    _kill_at(_cli(inputs, out), out, moment)
    for name in TABLES:
        _assert_complete(out, name)
        assert (out / name).read_bytes() in (old[name], new[name]), name
    assert sorted(n for n in os.listdir(out) if not n.startswith(".")) == sorted(TABLES)
    assert _cli(inputs, out).wait() == 0  # the next run repairs everything
    assert _tables(out) == new
    assert _hidden(out) == []
