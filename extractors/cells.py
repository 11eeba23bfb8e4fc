"""Make text cells safe to open in Excel and WPS (OWASP CSV-injection advice).

A spreadsheet opening a CSV treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula. Scraped sentences can start that way, so every text cell written to
a CSV gets a leading apostrophe when it would otherwise be read as a formula. The workbook does
not need it (its string cells are never formulas, so the apostrophe would only show); Parquet
keeps the text untouched; numeric columns are never passed through here.
"""
from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralised_cells(values: list) -> list[str]:
    """A column of text cells as a spreadsheet will show them literally: ``=1+1`` -> ``'=1+1``,
    anything else unchanged, a null as an empty cell."""
    return ["" if v is None else (ESCAPE + text if (text := str(v)).startswith(FORMULA_TRIGGERS) else text)
            for v in values]
