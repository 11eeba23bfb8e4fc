"""The tables' public ids, in a form no spreadsheet can mistake for a number.

``obs_id`` is ``obs_`` followed by the 16 hex digits the extraction derives from the row's
content (its file, span, indicator, subject, region, period, figures and status), so the same
input gives the same id on every run. Bare hex digits are not safe: about one id in 700 is all
digits (Excel and LibreOffice keep 15 significant digits: 3719414765720746 became …750) or
digits-e-digits (0390504509e12475 was read as 1.8e308), which breaks lookups and joins.

``doc_id`` is ``<file stem>#<article index, 3 digits>`` (``002_48d7b6b6f196053b#000``): the
``#`` keeps it text in every spreadsheet, and it names its file, so it stays as it is.
"""
from __future__ import annotations

OBS_PREFIX = "obs_"


def public_obs_id(content_key: str) -> str:
    """``3719414765720746`` -> ``obs_3719414765720746``."""
    return OBS_PREFIX + content_key
