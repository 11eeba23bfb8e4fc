"""Find the wording that names an indicator (rules in data/zh/indicator_terms.csv)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from ..vocab import load_table


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    code: str
    kind: str  # money, count, person_time
    subject: str  # a subject the wording implies (工业投资 -> 工业), else ""
    verb_only: bool


@dataclass(frozen=True)
class _Term:
    code: str
    pattern: regex.Pattern
    kind: str
    subject: str
    verb_only: bool


@cache
def _terms() -> tuple[_Term, ...]:
    rows = load_table("indicator_terms.csv", ("code", "term", "kind", "subject", "verb_only"))
    terms = []
    for row in rows:
        try:
            pattern = regex.compile(row["term"])
        except regex.error as e:
            raise ValueError(f"indicator_terms.csv: bad term for {row['code']}: {row['term']!r}: {e}") from e
        terms.append(_Term(row["code"], pattern, row["kind"], row["subject"], row["verb_only"] == "1"))
    return tuple(terms)


def find_mentions(text: str) -> list[Mention]:
    """Non-overlapping indicator mentions, left to right; where terms overlap the longest wins."""
    candidates = []
    for term in _terms():
        for m in term.pattern.finditer(text, overlapped=True):
            if m.end() == m.start():
                continue
            subject = term.subject or (m.groupdict().get("subject") or "")
            candidates.append(Mention(m.start(), m.end(), m.group(0), term.code, term.kind, subject, term.verb_only))
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[Mention] = []
    for c in candidates:
        if chosen and c.start < chosen[-1].end:
            continue
        chosen.append(c)
    return chosen
