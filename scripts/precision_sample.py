"""Measure precision on real text that has no gold: sample rows of a run, judge them, score the verdicts.

    python scripts/precision_sample.py --out sample.csv            # run, draw 100 rows (seed 15), write them for judging
    python scripts/precision_sample.py --score tests/data/precision_gov2026_sample1.csv

The run covers the ten 2026 provincial work reports of ``../shared/corpus/gov2026`` that have no
gold (the files not named in ``../shared/gold/gov2026_scope.csv``). Rows are sorted by
(source_file, char_start, char_end, indicator) before a seeded random draw, so the same rules and
seed give the same sample. The judging file has the row's fields, its sentence, and empty verdict
columns ``correct`` (1/0), ``wrong_fields`` (``|``-separated, from ``WRONG_FIELDS``) and ``note``;
the rules for a correct row are ``../shared/spec/ANNOTATION.md``.

``--score FILE`` prints precision (correct / judged) with a 95 % Wilson interval and how often
each field was wrong, and checks that every judged row key (source_file, char_start, char_end,
indicator) still comes out of a fresh run (rules may have changed since the judging).
"""
from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "gov2026"
SCOPE = SHARED / "gold" / "gov2026_scope.csv"

KEY = ["source_file", "char_start", "char_end", "indicator"]
FIELDS = ["source_file", "char_start", "char_end", "indicator", "region", "subject", "period_start", "period_end",
          "period_type", "value", "unit", "yoy_pct", "share_pct", "status", "bound", "value_text", "sentence"]
VERDICT = ["correct", "wrong_fields", "note"]
WRONG_FIELDS = ("indicator", "value", "region", "subject", "period", "status", "yoy_pct", "share_pct", "bound",
                "not_a_figure")


def unannotated_files(corpus: Path = CORPUS, scope: Path = SCOPE) -> list[Path]:
    """The corpus's report files that no gold stretch covers, sorted by name."""
    with scope.open(encoding="utf-8") as f:
        annotated = {row["file"] for row in csv.DictReader(f)}
    return sorted(p for p in corpus.glob("*.txt") if p.name not in annotated)


def run_observations(files: list[Path], manifest: Path = CORPUS / "manifest.csv") -> pd.DataFrame:
    """A fresh run (no cache) over ``files``; its observations table."""
    import extractors

    with tempfile.TemporaryDirectory() as tmp:
        extractors.run([str(p) for p in files], tmp, manifest=str(manifest), formats="parquet", use_cache=False)
        return pd.read_parquet(Path(tmp) / "observations.parquet")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def draw(obs: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows drawn at random with ``seed`` from the rows sorted by KEY, returned in KEY order."""
    rows = obs.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    picked = sorted(random.Random(seed).sample(range(len(rows)), min(n, len(rows))))
    return rows.iloc[picked]


def write_sample(rows: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIELDS + VERDICT)
        for row in rows.to_dict("records"):
            w.writerow([_cell(row.get(k)) for k in FIELDS] + ["", "", ""])


def read_judged(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def score(rows: list[dict]) -> dict:
    judged = [r for r in rows if r.get("correct", "").strip() in ("0", "1")]
    correct = sum(r["correct"].strip() == "1" for r in judged)
    wrong = Counter(f for r in judged if r["correct"].strip() == "0"
                    for f in r.get("wrong_fields", "").split("|") if f)
    low, high = wilson(correct, len(judged))
    return {"rows": len(rows), "judged": len(judged), "correct": correct,
            "precision": correct / len(judged) if judged else float("nan"), "low": low, "high": high, "wrong": wrong}


def row_key(row: dict) -> tuple:
    return (row["source_file"], int(row["char_start"]), int(row["char_end"]), row["indicator"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100, help="rows to draw (default 100)")
    ap.add_argument("--seed", type=int, default=15, help="random seed (default 15)")
    ap.add_argument("--out", type=Path, default=Path("precision_sample.csv"), help="CSV to write for judging")
    ap.add_argument("--score", type=Path, metavar="FILE", help="score a judged CSV instead of drawing a sample")
    ap.add_argument("--no-run", action="store_true", help="with --score: do not check the keys against a fresh run")
    args = ap.parse_args(argv)

    files = unannotated_files()
    if args.score:
        rows = read_judged(args.score)
        s = score(rows)
        print(f"judged {s['judged']} of {s['rows']} rows; correct {s['correct']}")
        print(f"precision {s['precision']:.3f}  (95% Wilson interval {s['low']:.3f}-{s['high']:.3f})")
        for field, count in sorted(s["wrong"].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  wrong {field}: {count}")
        if not args.no_run:
            fresh = run_observations(files)
            keys = {(r.source_file, int(r.char_start), int(r.char_end), r.indicator)
                    for r in fresh[KEY].itertuples(index=False)}
            missing = [r for r in rows if row_key(r) not in keys]
            print(f"{len(missing)} of {len(rows)} judged row keys are not in a fresh run"
                  + (" (the rules changed since the judging)" if missing else ""))
            for r in missing[:20]:
                print("  missing:", *row_key(r))
        return 0

    obs = run_observations(files)
    rows = draw(obs, args.n, args.seed)
    write_sample(rows, args.out)
    print(f"{len(obs)} rows from {len(files)} files; wrote {len(rows)} (seed {args.seed}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
