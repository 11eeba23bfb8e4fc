"""The sector, partner, product, retail-segment and ownership vocabularies are well formed."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from extractors.normalize import normalize
from extractors.resolve import subjects
from extractors.vocab import VocabularyError, data_path, load_table

ROOT = Path(__file__).resolve().parents[1]

SECTOR_KINDS = {"gbt_section", "gbt_division", "former", "short", "tertiary", "nbs_group"}
FAMILIES = {"agriculture", "industry", "construction", "service", "mixed"}
TABLES = {
    "sectors.csv": ("name", "kind", "family", "code", "source"),
    "partners.csv": ("name", "kind", "code", "source"),
    "trade_products.csv": ("name", "group", "source"),
    "retail_segments.csv": ("name", "kind", "source"),
    "ownership.csv": ("name", "kind", "source"),
}
KINDS = {
    "partners.csv": {"country", "bloc"},
    "retail_segments.csv": {"by_type", "by_location", "by_scope", "online", "category", "service"},
    "ownership.csv": {"registration", "holding", "grouping", "investment", "usage"},
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_loads_with_unique_sourced_clean_names(name: str) -> None:
    rows = load_table(name, TABLES[name])
    assert rows, name
    duplicates = [n for n, k in Counter(r["name"] for r in rows).items() if k > 1]
    assert not duplicates, f"{name}: duplicate names {duplicates}"
    for row in rows:
        assert row["name"] and row["source"], row
        # names are matched against cleaned text, so cleaning must leave them as they are
        assert normalize(row["name"]).text == row["name"], row
        if name in KINDS:
            assert row["kind"] in KINDS[name], row


def test_sectors_kinds_families_and_codes() -> None:
    rows = load_table("sectors.csv", TABLES["sectors.csv"])
    for row in rows:
        assert row["kind"] in SECTOR_KINDS, row
        assert row["family"] in FAMILIES, row
        if row["kind"] == "gbt_section":
            assert re.fullmatch(r"[A-T]", row["code"]), row
        elif row["kind"] == "gbt_division":
            assert re.fullmatch(r"\d\d", row["code"]), row
        elif row["kind"] in {"short", "former"}:
            assert row["code"], row
    sections = {r["code"]: r for r in rows if r["kind"] == "gbt_section"}
    assert sorted(sections) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    divisions = {int(r["code"]): r for r in rows if r["kind"] == "gbt_division"}
    assert set(range(6, 47)) <= set(divisions), "mining, manufacturing and utilities divisions 06-46"
    assert len({r["code"] for r in rows if r["kind"] == "gbt_division"}) == sum(r["kind"] == "gbt_division" for r in rows)
    for code, row in divisions.items():
        expected = "agriculture" if code <= 5 else "industry" if code <= 46 else "construction" if code <= 50 else "service"
        assert row["family"] == expected, row
    for letter, family in {"A": "agriculture", "B": "industry", "C": "industry", "D": "industry", "E": "construction"}.items():
        assert sections[letter]["family"] == family
    assert all(sections[chr(c)]["family"] == "service" for c in range(ord("F"), ord("T") + 1))
    by_name = {r["name"]: r for r in rows}
    assert by_name["第二产业"]["family"] == "mixed"  # its 增加值 is a GDP component, not industrial value added
    assert by_name["高技术制造业"]["family"] == "industry"


def test_trade_product_groups_are_aggregates() -> None:
    rows = load_table("trade_products.csv", TABLES["trade_products.csv"])
    aggregates = {r["name"] for r in rows if r["group"] == "aggregate"}
    for row in rows:
        assert row["group"] in aggregates | {"aggregate", "other"}, row


def test_partners_file_is_what_its_build_script_makes() -> None:
    pycountry = pytest.importorskip("pycountry")
    from importlib import metadata

    header = data_path("partners.csv").read_text(encoding="utf-8").splitlines()[:4]
    built_with = re.search(r"pycountry (\S+)", " ".join(header)).group(1)
    if metadata.version("pycountry") != built_with:
        pytest.skip(f"partners.csv was built with pycountry {built_with}, {metadata.version('pycountry')} is installed")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_partners.py"), "--check"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert pycountry.LOCALES_DIR
    assert result.returncode == 0, result.stderr or result.stdout


def test_a_lead_row_that_splits_a_group_at_a_bar_is_refused(monkeypatch) -> None:
    """Lead and tail rows are split at each |: a | inside a group would make broken alternatives."""
    monkeypatch.setattr(subjects, "load_table", lambda *_: [{"list": "lead", "word": "本报讯|(?:日报|晚报)讯"}])
    subjects._words.cache_clear()
    try:
        with pytest.raises(VocabularyError, match="splits a group"):
            subjects._words()
    finally:
        subjects._words.cache_clear()
