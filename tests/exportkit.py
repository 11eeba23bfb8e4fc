"""Helpers for the export tests: core tables written straight from a few hand-made rows."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.exports.tablefiles import arrow_schema
from extractors.tables import DOCUMENT_COLUMNS, ERROR_COLUMNS, OBSERVATION_COLUMNS

BASE_ROW = {
    "doc_id": "a#000", "source_file": "a.txt", "publisher": "株洲日报", "published": date(2024, 5, 1),
    "province": "湖南省", "city": "株洲市", "region": "株洲市", "region_level": "city", "subject": None,
    "indicator": "trade_total", "indicator_text": "进出口总额", "period_start": date(2024, 1, 1),
    "period_end": date(2024, 3, 31), "period_type": "quarter", "period_text": "一季度", "value": 1e9,
    "unit": "CNY", "value_text": "10亿元", "bound": "exact", "yoy_pct": None, "share_pct": None, "rank": None,
    "rank_scope": None, "status": "actual", "sentence": "一季度进出口总额10亿元。", "char_start": 0, "char_end": 4,
    "rule": "amount.money",
}


def observation(obs_id: str, **changes) -> dict:
    return {"obs_id": obs_id, **BASE_ROW, **changes}


def document(doc_id: str, source_file: str, **changes) -> dict:
    base = {"doc_id": doc_id, "source_file": source_file, "publisher": "株洲日报", "published": date(2024, 5, 1),
            "city": "株洲市", "province": "湖南省", "title": None, "kind": "news", "char_start": 0,
            "char_end": 100, "n_observations": 0, "meta_source": "manifest"}
    return {**base, **changes}


def write_core(out_dir: Path, observations: list[dict], documents: list[dict] = (), errors: list[dict] = ()) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = list(documents) or [document(d, f) for d, f in sorted({(o["doc_id"], o["source_file"]) for o in observations})]
    for name, rows, columns in (("observations", observations, OBSERVATION_COLUMNS),
                                ("documents", docs, DOCUMENT_COLUMNS), ("errors", list(errors), ERROR_COLUMNS)):
        table = pa.table({c: [r.get(c) for r in rows] for c in columns}, schema=arrow_schema(columns))
        pq.write_table(table, out_dir / f"{name}.parquet")
    return out_dir
