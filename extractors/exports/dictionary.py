"""What the exported tables hold: column kinds, labels, units and meanings, and the indicator list.

Column kinds are those of ``extractors.tables`` ("string", "category", "date", "float", "int",
"int32") plus "bool". Labels and descriptions are data (``data/zh/column_labels.csv``), so a
translator can change a header without touching Python.
"""
from __future__ import annotations

from functools import cache

from ..tables import DOCUMENT_COLUMNS, ERROR_COLUMNS, OBSERVATION_COLUMNS
from ..vocab import load_table

SERIES_COLUMNS: dict[str, str] = {
    "region": "category", "region_level": "category", "province": "category", "city": "category",
    "subject": "string", "indicator": "category", "period_start": "date", "period_end": "date",
    "period_type": "category", "year": "int", "unit": "category", "status": "category",
    "value": "float", "bound": "category", "yoy_pct": "float", "n_rows": "int", "n_sources": "int",
    "conflict": "bool", "value_obs_id": "string", "yoy_obs_id": "string", "obs_ids": "string",
}
INDICATOR_COLUMNS: dict[str, str] = {
    "code": "string", "family": "string", "name_zh": "string", "name_en": "string",
    "unit_kind": "string", "typical_wording": "string", "notes": "string",
}
TABLES: dict[str, dict[str, str]] = {
    "observations": OBSERVATION_COLUMNS, "documents": DOCUMENT_COLUMNS, "errors": ERROR_COLUMNS,
    "series": SERIES_COLUMNS, "indicators": INDICATOR_COLUMNS,
}
# Closed code lists of the contract (SCHEMA.md); the indicator list comes from indicator_codes.csv.
CODES: dict[str, tuple[str, ...]] = {
    "region_level": ("country", "province", "city", "county", "township"),
    "period_type": ("year", "half", "quarter", "month", "ytd", "multi_year", "as_of", "day", "unknown"),
    "bound": ("exact", "at_least", "at_most", "approx", "range"),
    "status": ("actual", "estimate", "target"),
    "review": ("confirmed", "corrected", "added"),
}
# units whose value is also given in 亿 (1e8) as value_yi, and what value_yi is then counted in
YI_UNITS = {"CNY": "亿元", "USD": "亿美元"}
MONEY_UNITS = tuple(YI_UNITS)
YI = 100_000_000
LABEL_LANGUAGES = ("en", "zh")


@cache
def _labels() -> dict[tuple[str, str], dict[str, str]]:
    rows = load_table("column_labels.csv", required=("table", "column", "label_zh", "unit", "description"))
    return {(r["table"], r["column"]): r for r in rows}


def column_info(table: str, column: str) -> dict[str, str]:
    """label_zh, unit and description of a column (or of the table when ``column`` is empty)."""
    try:
        return _labels()[(table, column)]
    except KeyError:
        raise KeyError(f"column_labels.csv has no row for {table}.{column or '(table)'}") from None


def label(table: str, column: str, labels: str) -> str:
    """The header shown for a column: its name (en) or its Chinese label (zh)."""
    if labels not in LABEL_LANGUAGES:
        raise ValueError(f"labels must be one of {LABEL_LANGUAGES}, not {labels!r}")
    return column_info(table, column)["label_zh"] if labels == "zh" else column


@cache
def _code_labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in load_table("code_labels.csv", required=("column", "code", "label_zh")):
        out.setdefault(r["column"], {})[r["code"]] = r["label_zh"]
    return out


def code_labels(column: str, labels: str) -> dict[str, str]:
    """Code -> what the workbook shows for it (empty for en, or a column without code labels)."""
    return _code_labels().get(column, {}) if labels == "zh" else {}


def sheet_name(table: str, labels: str) -> str:
    return column_info(table, "")["label_zh"] if labels == "zh" else table


@cache
def indicator_rows() -> tuple[dict[str, str], ...]:
    return load_table("indicator_codes.csv", required=tuple(INDICATOR_COLUMNS))
