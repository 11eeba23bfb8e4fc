"""scripts/corrections_to_gold.py: reviewed documents become gold rows that score.py accepts and
that the corrected run matches exactly."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import extractors

ROOT = Path(__file__).resolve().parents[1]
SCORE = ROOT.parent / "shared" / "eval" / "score.py"
SEEDS = ROOT / "seeds"


def test_corrected_documents_become_a_passing_regression_test(tmp_path: Path) -> None:
    if not SCORE.is_file():
        pytest.skip(f"needs the scorer at {SCORE}")
    for name in ("000_3e9d964cde695e40.txt", "002_48d7b6b6f196053b.txt"):
        shutil.copy(SEEDS / name, tmp_path / name)
    plain = tmp_path / "plain"
    extractors.run([tmp_path], plain, workers=1, formats="parquet")
    obs = pd.read_parquet(plain / "observations.parquet")
    seed = obs[obs.source_file == "002_48d7b6b6f196053b.txt"]
    reject, edit = seed.iloc[0], seed.iloc[1]
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "source_file,char_start,char_end,indicator,action,region\n"
        f"{reject.source_file},{reject.char_start},{reject.char_end},{reject.indicator},reject,\n"
        f"{edit.source_file},{edit.char_start},{edit.char_end},{edit.indicator},edit,醴陵市\n", encoding="utf-8")
    out = tmp_path / "out"
    extractors.run([tmp_path], out, workers=1, formats="parquet", corrections=corrections)
    gold, scope = tmp_path / "gold.jsonl", tmp_path / "scope.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "corrections_to_gold.py"), "--corrections", str(corrections),
                    "--pred", str(out / "observations.parquet"), "--sources", str(tmp_path), "--out", str(gold),
                    "--scope", str(scope)], check=True, capture_output=True)
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    reviewed = obs[obs.doc_id.isin({reject.doc_id, edit.doc_id})]
    assert len(rows) == len(reviewed) - 1 and {r["source_file"] for r in rows} == {"002_48d7b6b6f196053b.txt"}
    assert sum(r["region"] == "醴陵市" for r in rows) >= 1
    check = subprocess.run([sys.executable, str(SCORE), "--check-gold", "--gold", str(gold), "--sources", str(tmp_path)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    scored = subprocess.run([sys.executable, str(SCORE), "--pred", str(out / "observations.parquet"), "--gold", str(gold),
                             "--scope", str(scope), "--json"], capture_output=True, text=True, check=True)
    assert json.loads(scored.stdout)["levels"]["full"]["f1"] == 1.0
    before = subprocess.run([sys.executable, str(SCORE), "--pred", str(plain / "observations.parquet"), "--gold", str(gold),
                             "--scope", str(scope), "--json"], capture_output=True, text=True, check=True)
    assert json.loads(before.stdout)["levels"]["full"]["f1"] < 1.0  # the uncorrected rules fail the test
