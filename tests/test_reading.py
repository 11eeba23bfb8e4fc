"""Table-driven tests for extractors.reading (cases in tests/cases/reading.toml)."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from extractors.model import InputError
from extractors.reading import decode, read_file

CASES = tomllib.loads((Path(__file__).parent / "cases" / "reading.toml").read_text(encoding="utf-8"))
BOMS = {"utf-8": "\ufeff", "utf-16-le": "\ufeff", "utf-16-be": "\ufeff", "utf-32-le": "\ufeff"}


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["name"], marks=marks)


def _bytes(case: dict) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    data = ((BOMS[case["encoding"]] if case.get("bom") else "") + case["text"]).encode(case["encoding"])
    return data * case.get("repeat", 1) + bytes.fromhex(case.get("append_hex", ""))


def _expect(outcome, case: dict) -> None:
    if "error" in case:
        with pytest.raises(InputError) as caught:
            outcome()
        assert caught.value.stage == "read"
        assert case["error"] in caught.value.reason
        return
    text, encoding = outcome()
    assert encoding == case["expected_encoding"]
    if "expected_words" in case:
        assert len(text) == len(_bytes(case).decode(case["encoding"]))  # BOM kept as U+FEFF
        assert text.split() == case["expected_words"]
        return
    assert text == case.get("expected_text", case["text"] * case.get("repeat", 1))


@pytest.mark.parametrize("case", [_param(c) for c in CASES["case"]])
def test_decode(case: dict) -> None:
    _expect(lambda: decode(_bytes(case), case.get("source", "page.txt")), case)


@pytest.mark.parametrize("case", [_param(c) for c in CASES["file_case"]])
def test_read_file(case: dict, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    if case["make"] == "directory":
        path.mkdir()
    elif case["make"] in ("file", "unreadable"):
        path.write_text(case.get("text", "本报讯"), encoding="utf-8")
    if case["make"] == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads files without read permission")
        path.chmod(0)
    _expect(lambda: read_file(path), case)


def test_seed_files_read_as_utf8() -> None:
    seeds = sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))
    assert seeds
    for path in seeds:
        text, encoding = read_file(path)
        assert encoding == "utf-8" and text == path.read_text(encoding="utf-8")
