"""The command line as a user runs it: arguments, exit codes, summary line, manifest discovery."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。\n"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_a_folder_with_its_manifest(tmp_path: Path) -> None:
    inputs = tmp_path / "in" / "sub"
    inputs.mkdir(parents=True)
    (inputs / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "manifest.csv").write_text(
        "file,publisher,published,city,notes\nsub/a.txt,株洲日报,2024-03-20,株洲市,extra column\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(str(tmp_path / "in"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 documents, 1 observations, 0 errors in ")
    rows = pd.read_parquet(out / "observations.parquet")
    assert set(rows.region) == {"株洲市"}
    assert set(rows.period_end.astype(str)) == {"2024-02-29"}


def test_some_bad_inputs_still_exit_zero(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run(str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", encoding="utf-8-sig")
    assert list(errors.source_file) == ["empty.txt"]


def test_nothing_readable_is_a_failure(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.returncode != 0
    assert "error" in result.stderr.lower()


def test_a_missing_manifest_is_an_argument_error(tmp_path: Path) -> None:
    result = run(str(ROOT / "seeds"), "--manifest", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "manifest" in result.stderr
    assert not (tmp_path / "out").exists()
