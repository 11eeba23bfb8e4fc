"""Decoding input bytes (cases in tests/cases/reading.toml)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extractors.model import InputError
from extractors.reading import decode

CASES = tomllib.loads((Path(__file__).parent / "cases" / "reading.toml").read_text(encoding="utf-8"))["case"]


def _bytes(case: dict) -> bytes:
    if "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    data = case["text"].encode(case["encoding"])
    return (b"\xef\xbb\xbf" + data) if case.get("bom") else data


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_decode(case: dict) -> None:
    if "error" in case:
        with pytest.raises(InputError) as caught:
            decode(_bytes(case), "case.txt")
        assert caught.value.reason.startswith(case["error"])
        return
    text, _ = decode(_bytes(case), "case.txt")
    assert text == case.get("expected", case["text"])
