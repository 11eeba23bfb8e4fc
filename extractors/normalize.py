"""Clean text for the rules while keeping a map from every cleaned character to the original.

What changes, all offset-tracked:
- one-to-one character maps from ``charmap.csv`` (full-width ASCII -> ASCII, ideographic space
  -> space, ． -> . between digits) and ``trad2simp.csv`` (traditional -> simplified); never
  blanket NFKC, which would turn ⑨30万亩 into 930万亩;
- invisible characters (BOM, zero-width, soft hyphen: empty ``to`` in charmap.csv, and every
  other format character, Unicode Cf: LRM/RLM, bidi embeddings and isolates) are dropped;
- inside a number (between two digits) combining marks (Mn, e.g. VS16) and the space variants
  (NBSP, thin, narrow and figure spaces, …) are dropped too, so 1\u200e2.5亿元 and 1\u00a0234 read
  as 12.5亿元 and 1234 instead of losing the digits before the mark;
- every whitespace run is dropped, except one space between two ASCII letters (RCEP and 东盟) or
  two digits (a table row 12 34 must not fuse into 1234); with ``keep_newlines`` a run holding a
  line break becomes one ``\\n`` instead (blank lines collapse). Runs at either end are dropped.

Because every map is one character to one character, the cleaned text is the original minus
the dropped characters (plus the single kept space or newline per whitespace run), so stretches
between whitespace runs are copied in bulk and their offsets are a plain range.
"""
from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass

import numpy as np
import regex

from .vocab import load_table

_LINE_BREAK = regex.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
_WHITESPACE = regex.compile(r"\s")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
# Whitespace that a gap inside a number may hold and still join the digits: the Zs space
# variants other than the plain and ideographic spaces (those keep table cells 12 34 apart).
_NUMBER_SPACES = frozenset("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f")


def _chars(spec: str) -> list[str]:
    """`U+XXXX` -> [char]; `U+XXXX..U+YYYY` -> the inclusive range; a literal character -> [it]."""
    if not spec:
        return []
    if not spec.upper().startswith("U+"):
        return [spec]
    first, _, last = spec.partition("..")
    lo = int(first[2:], 16)
    hi = int(last[2:], 16) if last else lo
    return [chr(c) for c in range(lo, hi + 1)]


def _load_maps() -> tuple[dict[int, str], str, dict[str, str]]:
    table: dict[int, str] = {}
    drop: list[str] = []
    between_digits: dict[str, str] = {}
    for row in load_table("charmap.csv", required=("from", "to", "context")):
        sources, targets = _chars(row["from"]), _chars(row["to"])
        if targets and len(targets) != len(sources):
            raise ValueError(f"charmap.csv: {row['from']} and {row['to']} differ in length")
        if not targets:
            drop.extend(sources)
        elif row["context"] == "between_digits":
            between_digits.update(zip(sources, targets))
        elif not row["context"]:
            table.update((ord(s), t) for s, t in zip(sources, targets))
        else:
            raise ValueError(f"charmap.csv: unknown context {row['context']!r}")
    for row in load_table("trad2simp.csv", required=("trad", "simp")):
        table.setdefault(ord(row["trad"]), row["simp"])
    return table, "".join(drop), between_digits


def _code_point_table(table: dict[int, str]) -> np.ndarray:
    """Every code point's mapped code point (itself where ``table`` has none)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[list(table)] = [ord(c) for c in table.values()]
    return codes


_TABLE, _DROP, _BETWEEN_DIGITS = _load_maps()
# str.translate looks each character up in a dict (13 M characters/s on Chinese text); indexing
# a table of all code points (4.4 MB) maps a whole text at once, twelve times faster
_CODE_POINTS = _code_point_table(_TABLE)
_DIGIT_CONTEXT = (
    regex.compile(rf"(?<=[0-9])[{regex.escape(''.join(_BETWEEN_DIGITS))}](?=[0-9])") if _BETWEEN_DIGITS else None
)
@dataclass(frozen=True)
class NormalizedText:
    """Cleaned text; offsets[i] is the index in the original string of cleaned character i.

    ``offsets`` has one extra entry, offsets[len(text)] == base + len(original), so that the end of
    a span that reaches the end of the text maps cleanly.
    """

    text: str
    offsets: array

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the cleaned span [start, end): first char to last char + 1."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def map_chars(original: str) -> str:
    """Apply only the one-to-one character maps (same length as `original`, nothing dropped)."""
    codes = np.frombuffer(original.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = _CODE_POINTS[codes].tobytes().decode("utf-32-le", "surrogatepass")
    if _DIGIT_CONTEXT is not None:
        mapped = _DIGIT_CONTEXT.sub(lambda m: _BETWEEN_DIGITS[m.group()], mapped)
    return mapped


def normalize(original: str, base: int = 0, keep_newlines: bool = False) -> NormalizedText:
    """Clean `original`; `base` is added to every offset (an article's slice maps into its file)."""
    return normalize_mapped(map_chars(original), base, keep_newlines)


def normalize_mapped(mapped: str, base: int = 0, keep_newlines: bool = False) -> NormalizedText:
    """``normalize`` of a text whose characters ``map_chars`` has already mapped.

    A gap is a maximal run of whitespace and invisible characters (Cf, the charmap's drops); one
    between two digits takes the combining marks (Mn) inside it along. Each gap is dropped or
    kept as one space or newline (``_kept``). The runs are found from each character's class in
    numpy, not by a regex loop deciding each run in Python (tests/test_normalize.py keeps that
    loop as the oracle the two are checked against)."""
    n = len(mapped)
    if n == 0:
        return NormalizedText("", array("l", [base]))
    codes = np.frombuffer(mapped.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _classes(codes)
    gap = (cls & _GAP_CHAR) != 0
    digit = (cls & _DIGIT) != 0
    # runs of gap characters or marks: the ones between two digits are taken whole (the pattern's
    # first alternative), the others give their runs of gap characters alone
    marked_runs = _runs(gap | ((cls & _MARK) != 0))
    between = marked_runs[(marked_runs[:, 0] > 0) & (marked_runs[:, 1] < n)]
    between = between[digit[between[:, 0] - 1] & digit[between[:, 1]]]
    runs = np.concatenate([between, _runs(gap & ~_covered(between, n))])
    keep = ~_covered(runs, n)
    out = codes.copy()
    inner = runs[(runs[:, 0] > 0) & (runs[:, 1] < n)]
    at, char = _kept(inner, cls, keep_newlines)
    keep[at] = True
    out[at] = char
    offsets = array("l")
    found = np.flatnonzero(keep)
    offsets.frombytes(np.append(found + base, base + n).astype(f"=i{offsets.itemsize}").tobytes())
    return NormalizedText(out[found].tobytes().decode("utf-32-le", "surrogatepass"), offsets)


# character classes, as bits
_GAP_CHAR, _MARK, _SPACE, _BREAK, _NUMBER_SPACE, _DIGIT, _LETTER = (1 << i for i in range(7))
_UNKNOWN = 0xFF
_CLASS = np.full(0x110000, _UNKNOWN, dtype=np.uint8)  # filled for each character the first time it is seen
_MN = regex.compile(r"\p{Mn}")
_GAP_ONE = regex.compile(rf"[\s\p{{Cf}}{regex.escape(_DROP)}]")


def _class_of(char: str) -> int:
    return ((_GAP_CHAR if _GAP_ONE.match(char) else 0) | (_MARK if _MN.match(char) else 0)
            | (_SPACE if _WHITESPACE.match(char) else 0) | (_BREAK if _LINE_BREAK.match(char) else 0)
            | (_NUMBER_SPACE if char in _NUMBER_SPACES else 0) | (_DIGIT if char in _DIGITS else 0)
            | (_LETTER if char in _ASCII_LETTERS else 0))


def _classes(codes: np.ndarray) -> np.ndarray:
    cls = _CLASS[codes]
    if (cls == _UNKNOWN).any():
        for code in np.unique(codes[cls == _UNKNOWN]).tolist():
            _CLASS[code] = _class_of(chr(code))
        cls = _CLASS[codes]
    return cls


def _runs(flags: np.ndarray) -> np.ndarray:
    """[start, end) of each maximal run of True, as rows of an (n, 2) array."""
    padded = np.concatenate(([False], flags, [False]))
    change = np.flatnonzero(padded[1:] != padded[:-1])
    return change.reshape(-1, 2)


def _covered(runs: np.ndarray, n: int) -> np.ndarray:
    """Which of ``n`` positions lie in one of the (disjoint) runs."""
    edges = np.zeros(n + 1, dtype=np.int8)
    edges[runs[:, 0]] += 1
    edges[runs[:, 1]] -= 1
    return np.cumsum(edges[:n]) != 0


def _kept(runs: np.ndarray, cls: np.ndarray, keep_newlines: bool) -> tuple[np.ndarray, np.ndarray]:
    """Where the one character each run keeps comes from, and that character's code (a newline
    or a space), for the runs that keep one: none when the run is only invisible characters, or
    (between two digits) only number spaces such as NBSP, which group the digits of one number;
    with ``keep_newlines`` its first line break; else a space at its first whitespace, between
    two ASCII letters or two digits."""
    if not len(runs):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
    lengths = runs[:, 1] - runs[:, 0]
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    positions = np.arange(lengths.sum()) - np.repeat(first, lengths) + np.repeat(runs[:, 0], lengths)
    inner = cls[positions]
    no_index = len(cls)
    space = np.minimum.reduceat(np.where(inner & _SPACE, positions, no_index), first)
    brk = np.minimum.reduceat(np.where(inner & _BREAK, positions, no_index), first)
    joins_digits = np.logical_and.reduceat(((inner & _NUMBER_SPACE) != 0) | ((inner & _SPACE) == 0), first)
    before, after = cls[runs[:, 0] - 1], cls[runs[:, 1]]
    digits = ((before & _DIGIT) != 0) & ((after & _DIGIT) != 0)
    letters = ((before & _LETTER) != 0) & ((after & _LETTER) != 0)
    has_space = space < no_index
    newline = has_space & ~(digits & joins_digits) & (brk < no_index) if keep_newlines else np.zeros(len(runs), bool)
    blank = has_space & ~(digits & joins_digits) & ~newline & (letters | digits)
    at = np.concatenate([brk[newline], space[blank]])
    char = np.concatenate([np.full(newline.sum(), ord("\n"), np.uint32), np.full(blank.sum(), ord(" "), np.uint32)])
    return at, char


def section(page: NormalizedText, original: str, start: int, end: int) -> NormalizedText:
    """``normalize(original[start:end], base=start)`` taken from ``page``, the whole of
    ``original`` normalised with ``keep_newlines``: a file's text is cleaned once, and each
    article's body is cut out of it instead of being cleaned again.

    The two differ only in the gaps: at the section's edges a gap is dropped, and inside it a
    kept line break becomes a space between two ASCII letters or two digits and is dropped
    elsewhere (as ``_kept`` decides without ``keep_newlines``)."""
    offsets, text = page.offsets, page.text
    lo = bisect.bisect_left(offsets, start, 0, len(text))
    hi = bisect.bisect_left(offsets, end, lo, len(text))
    while lo < hi and text[lo] in _KEPT_GAP_CHARS:
        lo += 1
    while hi > lo and text[hi - 1] in _KEPT_GAP_CHARS:
        hi -= 1
    pieces: list[str] = []
    kept = array("l")
    pos = lo
    while (brk := text.find("\n", pos, hi)) >= 0:
        pieces.append(text[pos:brk])
        kept.extend(offsets[pos:brk])
        before, after = text[brk - 1], text[brk + 1]
        if (before in _ASCII_LETTERS and after in _ASCII_LETTERS) or (before in _DIGITS and after in _DIGITS):
            space = _WHITESPACE.search(original, offsets[brk - 1] + 1, offsets[brk + 1])
            pieces.append(" ")
            kept.append(space.start())
        pos = brk + 1
    pieces.append(text[pos:hi])
    kept.extend(offsets[pos:hi])
    kept.append(end)
    return NormalizedText("".join(pieces), kept)


_KEPT_GAP_CHARS = frozenset(" \n")
