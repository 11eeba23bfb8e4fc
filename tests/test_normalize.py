"""Normalisation with an offset map back to the original text (cases in tests/cases/normalize.toml)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.normalize import normalize

CASES = tomllib.loads((Path(__file__).parent / "cases" / "normalize.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_normalize(case: dict) -> None:
    norm = normalize(case["text"])
    assert norm.text == case["expected"]
    for span in case.get("spans", []):
        start = norm.text.index(span["cleaned"])
        a, b = norm.original_span(start, start + len(span["cleaned"]))
        assert re.sub(r"\s+", "", case["text"][a:b]) == span["original"]


@given(st.text(alphabet="出口增长亿元万个 \n\t　１２３.%，0123456789ab", max_size=60))
def test_offsets_increase_and_point_inside_the_original(text: str) -> None:
    norm = normalize(text, base=7)
    assert len(norm.offsets) == len(norm.text) + 1
    assert all(a < b for a, b in zip(norm.offsets, norm.offsets[1:]))
    assert all(7 <= o < 7 + len(text) for o in norm.offsets[:-1])
