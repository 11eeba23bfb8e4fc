"""Turn an analyst's corrections into gold rows for ../shared/eval/score.py, so reviewed documents
become regression tests.

    python scripts/corrections_to_gold.py --corrections corrections.csv --pred OUT/observations.parquet \\
        --sources seeds --out reviewed.jsonl --scope reviewed_scope.csv

A document is reviewed when the corrections file has a decision about a figure in it. Its gold
rows are its rows in ``--pred``, which must come from a run with those corrections applied
(``--corrections``): the analyst confirmed, corrected or added some and let the others stand.
``--reviewed-only`` keeps only the rows the analyst decided on. The ``--scope`` file lists the
reviewed documents' spans, so score.py scores only those parts of files that hold other
documents too (``score.py --scope``). Writes JSONL in the order of the tables.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.corrections import Corrections  # noqa: E402
from extractors.reading import decode  # noqa: E402

GOLD_FIELDS = ("source_file", "indicator", "region", "subject", "period_start", "period_end", "period_type",
               "value", "unit", "yoy_pct", "share_pct", "status", "bound")
CLAUSE_BREAKS = "，,。；;：:！？!?\n"
EVIDENCE_BEFORE = 30  # characters of the clause kept before the figure


def gold_rows(corrections: Path, pred: Path, sources: Path, reviewed_only: bool = False) -> tuple[list[dict], list[dict]]:
    """The gold rows of the reviewed documents and those documents' spans (file, char_start, char_end)."""
    decisions = Corrections.read(corrections).decisions
    obs = pd.read_parquet(pred)
    docs = pd.read_parquet(pred.with_name("documents.parquet"))
    reviewed = set()
    for c in decisions:
        source_file, start, _end, _indicator = c.key
        hit = docs[(docs.source_file == source_file) & (docs.char_start <= start) & (start < docs.char_end)]
        reviewed.update(hit.doc_id)
    rows = obs[obs.doc_id.isin(reviewed)]
    if reviewed_only:
        rows = rows[rows.review.notna()]
    texts: dict[str, str] = {}
    gold = []
    for row in rows.to_dict("records"):
        name = row["source_file"]
        if name not in texts:
            texts[name] = decode((sources / name).read_bytes(), name)[0]
        gold.append({**{k: _plain(row[k]) for k in GOLD_FIELDS},
                     "evidence": _evidence(texts[name], row["char_start"], row["char_end"])})
    scope = [{"file": d.source_file, "char_start": int(d.char_start), "char_end": int(d.char_end)}
             for d in docs[docs.doc_id.isin(reviewed)].itertuples()]
    return gold, scope


def _plain(value: object) -> object:
    """JSON values as the gold files write them: ISO dates, null for missing, '' for no subject."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _evidence(text: str, start: int, end: int) -> str:
    """The figure with the start of its clause, as it stands in the file (whitespace dropped)."""
    lo = max(0, start - EVIDENCE_BEFORE)
    cut = max(text.rfind(ch, lo, start) for ch in CLAUSE_BREAKS)
    return "".join(text[(cut + 1 if cut >= 0 else lo):end].split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corrections", type=Path, required=True, help="the corrections CSV (--corrections)")
    parser.add_argument("--pred", type=Path, required=True,
                        help="observations.parquet of a run with those corrections (documents.parquet beside it)")
    parser.add_argument("--sources", type=Path, required=True, help="folder of the input files")
    parser.add_argument("--out", type=Path, help="gold JSONL to write (default: standard output)")
    parser.add_argument("--scope", type=Path, help="also write file,char_start,char_end of the reviewed documents")
    parser.add_argument("--reviewed-only", action="store_true", help="only the rows the analyst decided on")
    args = parser.parse_args(argv)
    gold, scope = gold_rows(args.corrections, args.pred, args.sources, args.reviewed_only)
    lines = "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    if args.scope:
        pd.DataFrame(scope, columns=["file", "char_start", "char_end"]).to_csv(args.scope, index=False)
    print(f"{len(gold)} gold rows from {len(scope)} reviewed documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
