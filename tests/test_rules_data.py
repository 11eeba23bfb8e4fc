"""Every rule data file loads, has the columns its loader needs and compiles."""
from __future__ import annotations

import csv

import regex

from extractors.resolve import indicators
from extractors.vocab import DATA_DIR, load_table



def test_every_indicator_term_compiles_and_has_a_known_kind() -> None:
    for row in load_table("indicator_terms.csv", ("code", "term", "kind", "subject", "verb_only")):
        regex.compile(row["term"])
        assert row["kind"] in {"money", "count", "person_time"}, row
        assert row["verb_only"] in {"0", "1"}, row


def test_indicator_terms_cover_every_contract_code() -> None:
    codes = {r["code"] for r in load_table("indicator_terms.csv", ("code",))}
    contract = DATA_DIR / "zh" / "indicator_codes.csv"
    with contract.open(encoding="utf-8") as f:
        expected = {row["code"] for row in csv.DictReader(line for line in f if not line.startswith("#"))}
    assert expected <= codes, f"no wording for {sorted(expected - codes)}"


def test_every_csv_rule_file_is_rectangular() -> None:
    for path in sorted((DATA_DIR / "zh").glob("*.csv")):
        load_table(path.name)


def test_find_mentions_prefers_the_longest_term() -> None:
    found = indicators.find_mentions("引进内联资金57.36亿元")
    assert [m.code for m in found] == ["domestic_capital_introduced"]
