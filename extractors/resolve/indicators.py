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


_LIST_JOINERS = ("、", "和", "与", "及")
_LISTED_WORD = 4  # 农村居民, 民营经济: a short subject word after 、 ends a list; a long one is a name


def find_mentions(text: str) -> list[Mention]:
    """Non-overlapping indicator mentions, left to right; where terms overlap the longest wins."""
    candidates = []
    for term in _terms():
        for m in term.pattern.finditer(text, overlapped=True):
            if m.end() == m.start():
                continue
            start, subject = m.start(), term.subject or (m.groupdict().get("subject") or "")
            named = m.groupdict().get("subject")
            if (named and m.start("subject") == start and len(named) <= _LISTED_WORD and m.end() > m.end("subject")
                    and text[start - 1:start] in _LIST_JOINERS):
                # 城镇、农村居民人均可支配收入: the subject word closes a list; the list gives the subjects
                start, subject = m.end("subject"), term.subject
            candidates.append(Mention(start, m.end(), text[start:m.end()], term.code, term.kind, subject, term.verb_only))
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[Mention] = []
    for c in candidates:
        if chosen and c.start < chosen[-1].end:
            continue
        chosen.append(c)
    return chosen
