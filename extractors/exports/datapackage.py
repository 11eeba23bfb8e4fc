"""datapackage.json: a Frictionless Data Package describing the CSV tables of the output folder.

Each resource is one CSV file (observations, documents, errors, series, indicators) with its
Table Schema: field types, the Chinese label as ``title``, the meaning as ``description``, a
``unit`` where the field has one, ``constraints.enum`` for the contract's code lists, primary
and foreign keys. The Parquet files hold the same columns with the same meaning. The indicator
enum is the contract's list; a code the extractor emits outside it (SCHEMA.md allows that) is
added to the enum and named in the field's description, so the package stays valid and honest.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ..tables import text_batch
from .dictionary import CODES, INDICATOR_COLUMNS, TABLES, column_info, indicator_rows
from .files import write_text
from .tablefiles import write_csv

RESOURCES = ("observations", "documents", "errors", "series", "indicators")
_TYPES = {"string": "string", "category": "string", "date": "date", "float": "number",
          "int": "integer", "int32": "integer", "bool": "boolean"}
_KEYS: dict[str, dict] = {
    "observations": {"primaryKey": ["obs_id"],
                     "foreignKeys": [{"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}]},
    "documents": {"primaryKey": ["doc_id"]},
    "indicators": {"primaryKey": ["code"]},
    "series": {"foreignKeys": [{"fields": ["value_obs_id"], "reference": {"resource": "observations", "fields": ["obs_id"]}},
                               {"fields": ["yoy_obs_id"], "reference": {"resource": "observations", "fields": ["obs_id"]}}]},
}
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}


def write_indicators_csv(out_dir: Path) -> None:
    batch = text_batch({c: [r[c] for r in indicator_rows()] for c in INDICATOR_COLUMNS})
    write_csv(out_dir / "indicators.csv", INDICATOR_COLUMNS, [batch])


def write_datapackage(out_dir: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Write indicators.csv and datapackage.json (the other CSV files are written by their own steps)."""
    write_indicators_csv(out_dir)
    emitted = [r[0] for r in con.sql("SELECT DISTINCT indicator FROM observations WHERE indicator IS NOT NULL "
                                     "ORDER BY indicator").fetchall()]
    package = {
        "profile": "tabular-data-package",
        "name": "cn-econ-extract-output",
        "title": "Economic figures extracted from Chinese news and work reports",
        "description": "Tables written by pipeline.py; the contract is SCHEMA.md (output contract v1). "
                       "Text cells that would start a spreadsheet formula (= + - @ tab CR) carry a leading apostrophe.",
        "resources": [_resource(table, emitted) for table in RESOURCES],
    }
    write_text(out_dir / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n")


def _resource(table: str, emitted: list[str]) -> dict:
    schema: dict = {"fields": [_field(table, name, kind, emitted) for name, kind in TABLES[table].items()],
                    "missingValues": [""]}
    schema.update(_KEYS.get(table, {}))
    return {
        "profile": "tabular-data-resource", "name": table, "path": f"{table}.csv",
        "title": column_info(table, "")["label_zh"], "description": column_info(table, "")["description"],
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig", "dialect": DIALECT, "schema": schema,
    }


def _field(table: str, name: str, kind: str, emitted: list[str]) -> dict:
    info = column_info(table, name)
    field: dict = {"name": name, "type": _TYPES[kind], "title": info["label_zh"], "description": info["description"]}
    if kind == "date":
        field["format"] = "%Y-%m-%d"
    if info["unit"]:
        field["unit"] = info["unit"]
    codes = _codes(table, name, emitted)
    if codes:
        field["constraints"] = {"enum": codes}
        extra = [c for c in codes if c not in {r["code"] for r in indicator_rows()}] if name == "indicator" else []
        if extra:
            field["description"] += f" Codes outside the contract's list in this output: {', '.join(extra)}."
    return field


def _codes(table: str, name: str, emitted: list[str]) -> list[str]:
    if table == "indicators":
        return []
    if name == "indicator":
        contract = [r["code"] for r in indicator_rows()]
        return contract + sorted(set(emitted) - set(contract))
    return list(CODES.get(name, ()))
