"""Table-driven tests for extractors.normalize (cases in tests/cases/normalize.toml) and a property test."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extractors.normalize import (_ASCII_LETTERS, _BETWEEN_DIGITS, _DIGIT_CONTEXT, _DIGITS, _DROP, _LINE_BREAK,
                                  _NUMBER_SPACES, _TABLE, map_chars, normalize, normalize_mapped, section)

CASES = tomllib.loads((Path(__file__).parent / "cases" / "normalize.toml").read_text(encoding="utf-8"))["case"]
WHITESPACE = regex.compile(r"\s")


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["reason"], strict=True)] if case.get("xfail") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict) -> None:
    base = case.get("base", 0)
    norm = normalize(case["input"], base=base, keep_newlines=case.get("keep_newlines", False))
    assert norm.text == case["expected"]
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == base + len(case["input"])
    for span in case.get("spans", []):
        at = norm.text.index(span["cleaned"])
        start, end = norm.original_span(at, at + len(span["cleaned"]))
        original = case["input"][start - base:end - base]
        if "original" in span:
            assert original == span["original"]
        if "stripped" in span:
            assert WHITESPACE.sub("", original) == span["stripped"]


def test_case_count() -> None:
    assert len(CASES) >= 30


def test_empty_span_maps_to_a_point() -> None:
    norm = normalize("甲 乙")
    assert norm.original_span(1, 1) == (2, 2)


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("本报讯進出口總值億元增長１２３．％，：（） \t\n\r\u3000\u00a0\ufeff\u200b\u00ad.5aZ⑨。、")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, keep_newlines=st.booleans(), base=st.integers(min_value=0, max_value=10_000))
def test_offsets_map_every_cleaned_character_back(text: str, keep_newlines: bool, base: int) -> None:
    norm = normalize(text, base=base, keep_newlines=keep_newlines)
    mapped = map_chars(text)
    offsets = list(norm.offsets)
    assert len(offsets) == len(norm.text) + 1 and offsets[-1] == base + len(text)
    assert all(a < b for a, b in zip(offsets, offsets[1:]))  # strictly increasing, sentinel included
    for char, at in zip(norm.text, offsets):
        original = mapped[at - base]
        if char in " \n":  # a kept whitespace run maps to one of its whitespace characters
            assert WHITESPACE.match(original)
        else:
            assert char == original
    assert not WHITESPACE.search(norm.text.replace(" ", "").replace("\n", ""))
    if not keep_newlines:
        assert "\n" not in norm.text


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_map_chars_keeps_length(text: str) -> None:
    assert len(map_chars(text)) == len(text)


# any code point, lone surrogates and astral ones too, and the characters the maps change
_ANY_CHAR = st.one_of(st.characters(codec=None, categories=None),
                      st.sampled_from([chr(c) for c in sorted(_TABLE)][::97] + ["\ud800", "\udfff", "\U0002a6a5"]))


@settings(max_examples=300, deadline=None)
@given(text=st.text(_ANY_CHAR, max_size=60))
def test_the_code_point_table_maps_as_the_character_maps_do(text: str) -> None:
    expected = text.translate(_TABLE)
    if _DIGIT_CONTEXT is not None:
        expected = _DIGIT_CONTEXT.sub(lambda m: _BETWEEN_DIGITS[m.group()], expected)
    assert map_chars(text) == expected


# Characters where the two cleanings could part: line breaks, spaces of every kind, invisible
# and combining marks, ASCII letters and digits (whose gaps keep a space), Han text.
_SECTION_ALPHABET = st.sampled_from(list("\n\r \u3000\u00a0\u200b\u200e\u0301ab12．,增长亿元。"))


_GAP_LIKE = frozenset("\n\r \u3000\u00a0\u200b\u200e\u0301．")
_DIGIT_BOUND = frozenset("\u0301．")


def _gap_around(text: str, at: int) -> str:
    """The run of gap characters (and ．) that position ``at`` touches."""
    lo, hi = at, at
    while lo > 0 and text[lo - 1] in _GAP_LIKE:
        lo -= 1
    while hi < len(text) and text[hi] in _GAP_LIKE:
        hi += 1
    return text[lo:hi]


@settings(max_examples=400, deadline=None)
@given(st.text(_SECTION_ALPHABET, max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_a_section_of_the_page_is_the_slice_cleaned_on_its_own(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    # a digit-bound mark (． between digits, a combining mark inside a number) cut from its digit
    # by the section's edge reads differently on its own; articles start and end at lines, not there
    assume(not any(c in _DIGIT_BOUND for c in _gap_around(text, start) + _gap_around(text, end)))
    page = normalize(text, keep_newlines=True)
    alone = normalize(text[start:end], base=start)
    cut = section(page, text, start, end)
    assert (cut.text, list(cut.offsets)) == (alone.text, list(alone.offsets))


# The gap as a pattern: whitespace and invisible characters; between two digits combining marks
# too (the first alternative, tried first at each position)
_GAP = regex.compile(rf"(?<=[0-9])[\s\p{{Cf}}\p{{Mn}}{regex.escape(_DROP)}]+(?=[0-9])|[\s\p{{Cf}}{regex.escape(_DROP)}]+")


def _gap_char(run: str, before: str, after: str, keep_newlines: bool) -> tuple[str, int] | None:
    """What a gap between `before` and `after` becomes: (char, index in run it maps to) or None."""
    space = WHITESPACE.search(run)
    if space is None:  # only invisible characters: the text joins up
        return None
    if before in _DIGITS and after in _DIGITS and all(c in _NUMBER_SPACES or not WHITESPACE.match(c) for c in run):
        return None  # NBSP / thin space inside a number groups digits: one number, not two cells
    if keep_newlines:
        brk = _LINE_BREAK.search(run)
        if brk is not None:
            return "\n", brk.start()
    if (before in _ASCII_LETTERS and after in _ASCII_LETTERS) or (before in _DIGITS and after in _DIGITS):
        return " ", space.start()
    return None


def _cleaned_by_the_pattern(mapped: str, base: int, keep_newlines: bool) -> tuple[str, list[int]]:
    """The cleaning as the gap pattern and ``_gap_char`` define it, one match at a time: the
    oracle for normalize_mapped, which finds the same runs from character classes."""
    n, pieces, offsets, pos = len(mapped), [], [], 0
    for gap in _GAP.finditer(mapped):
        start, end = gap.span()
        pieces.append(mapped[pos:start])
        offsets += range(base + pos, base + start)
        pos = end
        if start == 0 or end == n:
            continue
        kept = _gap_char(gap.group(), mapped[start - 1], mapped[end], keep_newlines)
        if kept:
            pieces.append(kept[0])
            offsets.append(base + start + kept[1])
    pieces.append(mapped[pos:])
    offsets += range(base + pos, base + n + 1)
    return "".join(pieces), offsets


# gaps of every kind next to digits, letters and Han text: where the runs' rules part
_GAP_ALPHABET = st.sampled_from(list("\n\r \t\u3000\u00a0\u2009\u200b\u200e\u2028\ufeff\u00ad\u0301\u20e3ab12增长。"))


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(_GAP_ALPHABET, max_size=40), _TEXT), keep_newlines=st.booleans(),
       base=st.integers(min_value=0, max_value=100))
def test_the_cleaning_finds_what_the_gap_pattern_finds(text: str, keep_newlines: bool, base: int) -> None:
    mapped = map_chars(text)
    norm = normalize_mapped(mapped, base, keep_newlines)
    assert (norm.text, list(norm.offsets)) == _cleaned_by_the_pattern(mapped, base, keep_newlines)
