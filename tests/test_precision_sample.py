"""The judged precision samples (tests/data/precision_gov2026_sample{1,2}.csv) are well-formed; no pipeline run."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# judged file -> correct rows, as reported in tests/data/precision_gov2026.md
JUDGED = {
    "precision_gov2026_sample1.csv": 67,  # seed 15, rules 4a25c8f524614fe3
    "precision_gov2026_sample2.csv": 69,  # seed 16, rules 7a0724b70d5cd293 (final)
}
judged_files = pytest.mark.parametrize("name", sorted(JUDGED))

spec = importlib.util.spec_from_file_location("precision_sample", ROOT / "scripts" / "precision_sample.py")
precision_sample = importlib.util.module_from_spec(spec)
spec.loader.exec_module(precision_sample)


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@judged_files
def test_columns_are_the_judging_columns(name: str) -> None:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == precision_sample.FIELDS + precision_sample.VERDICT


@judged_files
def test_hundred_rows_with_unique_keys(name: str) -> None:
    rows = _rows(name)
    assert len(rows) == 100
    keys = [precision_sample.row_key(r) for r in rows]
    assert len(set(keys)) == len(keys)
    assert keys == sorted(keys), "rows are in (source_file, char_start, char_end, indicator) order"


@judged_files
def test_verdicts_are_well_formed(name: str) -> None:
    allowed = set(precision_sample.WRONG_FIELDS)
    for r in _rows(name):
        key = precision_sample.row_key(r)
        assert r["correct"] in {"0", "1"}, key
        fields = [f for f in r["wrong_fields"].split("|") if f]
        assert set(fields) <= allowed, (key, fields)
        assert len(fields) == len(set(fields)), key
        assert bool(fields) == (r["correct"] == "0"), key
        if r["correct"] == "0":
            assert r["note"].strip(), key


@judged_files
def test_score_of_the_judged_file(name: str) -> None:
    s = precision_sample.score(_rows(name))
    assert s["judged"] == 100
    assert s["correct"] == JUDGED[name], "the figure reported in precision_gov2026.md and the README"
    assert s["low"] <= s["precision"] <= s["high"]


def test_wilson_interval() -> None:
    low, high = precision_sample.wilson(67, 100)
    assert round(low, 3) == 0.573 and round(high, 3) == 0.754
    low, high = precision_sample.wilson(69, 100)
    assert round(low, 3) == 0.594 and round(high, 3) == 0.772
    assert precision_sample.wilson(0, 0) == (0.0, 1.0)
    assert abs(precision_sample.wilson(10, 10)[1] - 1.0) < 1e-9
