"""Same inputs in any order give identical tables; a rerun into the same folder replaces them."""
from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from extractors.batch import run_batch

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FILES = sorted(SEEDS.glob("*.txt"))
MANIFEST = SEEDS / "manifest.csv"  # given explicitly: a folder argument would find it, files alone would not
TABLES = [f"{stem}.{ext}" for stem in ("observations", "documents", "errors") for ext in ("parquet", "csv")]


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def _shuffled(seed: int) -> list[Path]:
    files = list(FILES)
    random.Random(seed).shuffle(files)
    return files


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("ref")
    run_batch([SEEDS], MANIFEST, out)
    return _tables(out)


@pytest.mark.parametrize("paths", [
    pytest.param(FILES, id="files in name order"),
    pytest.param(FILES[::-1], id="files reversed"),
    pytest.param(_shuffled(7), id="files shuffled"),
    pytest.param([*_shuffled(11)[:3], SEEDS, *FILES[:2]], id="files and their folder, some twice"),
])
def test_any_order_gives_identical_tables(reference: dict[str, bytes], paths: list[Path], tmp_path: Path) -> None:
    assert len(FILES) >= 3
    run_batch(paths, MANIFEST, tmp_path)
    assert _tables(tmp_path) == reference


def test_a_rerun_replaces_and_never_appends(reference: dict[str, bytes], tmp_path: Path) -> None:
    run_batch([SEEDS], MANIFEST, tmp_path)
    run_batch([SEEDS], MANIFEST, tmp_path)
    assert _tables(tmp_path) == reference
    run_batch(FILES[:1], MANIFEST, tmp_path)
    observations = pd.read_parquet(tmp_path / "observations.parquet")
    documents = pd.read_csv(tmp_path / "documents.csv", encoding="utf-8-sig")
    assert set(observations.source_file) == set(documents.source_file) == {FILES[0].name}
    assert observations.obs_id.is_unique
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(TABLES)
