"""Clean text for the rules while keeping a map from every cleaned character to the original.

Full-width ASCII becomes ASCII (an explicit map, never blanket NFKC, which turns ⑨30万亩 into
930万亩); whitespace runs are dropped except between two ASCII letters or two digits.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_KEEP_WIDE = {ord("，"): ",", ord("；"): ";", ord("："): ":", ord("（"): "(", ord("）"): ")", ord("％"): "%"}
_TABLE = {**_FULLWIDTH, **{k: v for k, v in _KEEP_WIDE.items()}}
_DROP = regex.compile(r"[\ufeff\u200b-\u200d\u2060\u00ad]")
_SPACE = regex.compile(r"\s+")
_ASCII_WORD = regex.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class NormalizedText:
    text: str
    offsets: tuple[int, ...]  # offsets[i]: original index of cleaned char i; one sentinel at the end

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(original: str, base: int = 0, keep_newlines: bool = False) -> NormalizedText:
    mapped = original.translate(_TABLE)
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _SPACE.finditer(mapped):
        _copy(mapped, pos, m.start(), base, chars, offsets)
        prev = chars[-1] if chars else ""
        nxt = mapped[m.end()] if m.end() < len(mapped) else ""
        if keep_newlines and "\n" in m.group(0):
            chars.append("\n")
            offsets.append(base + m.start())
        elif prev and nxt and _ASCII_WORD.match(prev) and _ASCII_WORD.match(nxt) and (prev.isdigit() == nxt.isdigit()):
            chars.append(" ")
            offsets.append(base + m.start())
        pos = m.end()
    _copy(mapped, pos, len(mapped), base, chars, offsets)
    offsets.append(base + len(original))
    return NormalizedText("".join(chars), tuple(offsets))


def _copy(text: str, start: int, end: int, base: int, chars: list[str], offsets: list[int]) -> None:
    for i in range(start, end):
        if not _DROP.match(text[i]):
            chars.append(text[i])
            offsets.append(base + i)
