"""The Python API (extractors.extract_text, extractors.run) and the installed cn-econ-extract command."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import extractors
from extractors import cli
from extractors.exports.review import DEFAULT_LIMIT
from extractors.model import InputError
from extractors.vocab import rules_version

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "002_48d7b6b6f196053b.txt"


def test_extract_text_gives_the_rows_of_the_command_line(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "manifest.csv").write_text(f"file,publisher,published,city\n{SEED.name},株洲日报,2024-03-20,株洲市\n",
                                           encoding="utf-8")
    extractors.run([tmp_path], tmp_path / "out", workers=1, formats="parquet")
    table = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    rows = extractors.extract_text(SEED.read_text(encoding="utf-8"), published="2024-03-20", city="株洲市",
                                   publisher="株洲日报", source_file=SEED.name)
    assert len(rows) > 5
    pd.testing.assert_frame_equal(rows, table)


def test_extract_text_defaults_and_errors() -> None:
    rows = extractors.extract_text("本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。",
                                   published=date(2024, 3, 20), city="株洲市")
    assert list(rows.columns[:3]) == ["obs_id", "doc_id", "source_file"]
    (row,) = rows.itertuples()
    assert (row.source_file, row.region, row.value, row.yoy_pct) == ("text", "株洲市", 4.29e9, 46.9)
    assert row.period_end == date(2024, 2, 29)
    assert extractors.extract_text("今天天气很好，没有数字。").empty
    with pytest.raises(InputError):
        extractors.extract_text("   ")
    with pytest.raises(ValueError, match="unparsable date"):
        extractors.extract_text("本报讯 全市进出口总值42.9亿元。", published="March")


def test_run_returns_a_summary_and_prints_nothing(tmp_path: Path, capsys) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    summary = extractors.run([tmp_path], tmp_path / "out", workers=1, formats=["csv", "review"])
    assert summary.observations > 5 and summary.files_read == 1
    assert (tmp_path / "out" / "observations.csv").is_file() and (tmp_path / "out" / "review.html").is_file()
    assert not (tmp_path / "out" / "observations.xlsx").exists()
    assert capsys.readouterr() == ("", "")
    with pytest.raises(FileNotFoundError):
        extractors.run([tmp_path], tmp_path / "out", corrections=tmp_path / "nope.csv")
    with pytest.raises(ValueError):
        extractors.run([tmp_path], tmp_path / "out", formats="pdf")


def test_import_is_light() -> None:
    code = "import sys, extractors; print(sorted(m for m in ('pandas', 'pyarrow', 'duckdb', 'regex') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_installed_command_prints_its_versions() -> None:
    command = shutil.which("cn-econ-extract", path=str(Path(sys.executable).parent))
    assert command, "pip install . provides cn-econ-extract"
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"cn-econ-extract {extractors.__version__} (rules {rules_version()})"
    help_text = subprocess.run([command, "--help"], capture_output=True, text=True, check=True).stdout
    assert "--corrections FILE" in help_text


def test_installed_command_runs_like_pipeline_py(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    command = shutil.which("cn-econ-extract", path=str(Path(sys.executable).parent))
    result = subprocess.run([command, "--formats", "parquet", "--workers", "1"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert " observations, 0 errors in " in result.stdout
    assert (tmp_path / "outputs" / "observations.parquet").is_file()  # defaults: ./seeds into ./outputs


def test_cli_defaults_match_the_library() -> None:
    assert cli.DEFAULT_REVIEW_LIMIT == DEFAULT_LIMIT


def test_the_readme_notebook_example_runs(tmp_path: Path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) == 5
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert scope["rows"].iloc[0].value == 4.29e9
    assert scope["summary"].observations > 200 and (tmp_path / "outputs" / "review.html").is_file()
