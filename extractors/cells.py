"""Make text cells safe to open in Excel and WPS (OWASP CSV-injection advice).

A spreadsheet opening a CSV treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula. Scraped sentences can start that way, so every text cell written to
a CSV gets a leading apostrophe when it would otherwise be read as a formula (the CSV writer,
``tables.csv_lines``, applies these two constants with Arrow's string kernels). The workbook does
not need it (its string cells are never formulas, so the apostrophe would only show); Parquet
keeps the text untouched; numeric columns are never escaped.
"""
from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

