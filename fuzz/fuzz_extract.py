"""Fuzz the bytes-to-rows function (extractors.extract.process_file) with atheris.

    pip install -e '.[fuzz]'
    python fuzz/fuzz_extract.py fuzz/corpus -max_total_time=60     # or: make fuzz

Any exception is a finding, and so is a row that breaks the pipeline's promises: offsets outside
the text, a value_text that is not the text at the offsets, more than one errors row for a file.
The seed corpus is built from seeds/ and the hostile cases on first run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from extractors.extract import process_file
    from extractors.reading import decode
    from extractors.model import InputError

ROOT = Path(__file__).resolve().parents[1]


def check(data: bytes) -> None:
    result = process_file("fuzz.txt", data, None)
    if result.errors:
        assert len(result.errors) == 1 and not result.observations, result.errors
        return
    text, _ = decode(data, "fuzz.txt")
    for row in result.observations:
        assert 0 <= row.char_start < row.char_end <= len(text), (row.char_start, row.char_end, len(text))
        assert "".join(text[row.char_start:row.char_end].split()) == row.value_text, row


def test_one_input(data: bytes) -> None:
    try:
        check(data)
    except InputError:
        raise AssertionError("process_file let an InputError escape") from None


def seed_corpus(folder: Path) -> None:
    """A few real articles cut to size, so the fuzzer starts from text the rules recognise."""
    if folder.exists() and any(folder.iterdir()):
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        data = path.read_bytes()
        for i, start in enumerate(range(0, min(len(data), 8000), 2000)):
            (folder / f"{path.stem}_{i}").write_bytes(data[start:start + 2000])
    (folder / "html").write_bytes("<html><body><p>本报讯&nbsp;全市进出口总值<b>42.9亿元</b>。</p></body></html>".encode())
    (folder / "gbk").write_bytes("本报讯 今年一季度，全市外贸进出口总值78.6亿元，同比增长21.4%。".encode("gbk"))
    (folder / "utf16").write_bytes("一季度全市外贸进出口增长21.4%\n".encode("utf-16"))


def main() -> None:
    corpus = [a for a in sys.argv[1:] if not a.startswith("-")]
    for folder in corpus:
        seed_corpus(Path(folder))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
