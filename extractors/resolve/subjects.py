"""Trim the words in front of an indicator down to a subject (rules in data/zh/subject_rules.csv)."""
from __future__ import annotations

from functools import cache, lru_cache

import regex

from ..vocab import VocabularyError, load_table

_QUOTES = regex.compile(r"[“”\"'‘’《》「」]")


@cache
def _canonical() -> dict[str, str]:
    names = {}
    for row in load_table("subject_rules.csv", ("list", "word")):
        if row["list"] in ("canonical",):
            standard, *variants = row["word"].split("|")
            names.update({v: standard for v in variants})
    return names


def _balanced(alternative: str) -> bool:
    """Whether the brackets of one lead or tail alternative close within it (a | inside a group
    would split the group)."""
    depth = 0
    for i, c in enumerate(alternative):
        if c in "([" and alternative[i - 1:i] != "\\":
            depth += 1
        elif c in ")]" and alternative[i - 1:i] != "\\":
            depth -= 1
    return depth == 0


@cache
def _words() -> dict[str, list[str]]:
    """Each list's alternatives: lead and tail rows split at each | (tried longest first), the
    other lists' rows whole regexes."""
    words: dict[str, list[str]] = {}
    for row in load_table("subject_rules.csv", ("list", "word")):
        if row["list"] in ("lead", "tail"):  # alternatives split at each |, tried longest first
            if not all(map(_balanced, row["word"].split("|"))):
                raise VocabularyError(f"subject_rules.csv: a {row['list']} row splits a group at a |: {row['word']!r}")
            words.setdefault(row["list"], []).extend(row["word"].split("|"))
        elif row["list"] not in ("canonical", "shared_head", "compact_list"):  # whole regexes
            words.setdefault(row["list"], []).append(f"(?:{row['word']})")
    if any(regex.escape(word) != word for word in words.get("tail", [])):
        raise VocabularyError("subject_rules.csv: tail words must be plain words (no regex)")
    return words


@cache
def _rules() -> dict[str, regex.Pattern]:
    words = _words()

    def alt(name: str) -> str:
        return "|".join(sorted(words.get(name, []), key=len, reverse=True))

    return {
        "lead": regex.compile(rf"^(?:{alt('lead')})"),
        "tail": regex.compile(rf"(?:{alt('tail')})$"),
        "generic": regex.compile(rf"^(?:{alt('generic')})+$"),
        "reject": regex.compile(alt("reject")),
        "pronoun": regex.compile(alt("pronoun")),
        # a name of up to 10 characters ending in a zone word: 株洲高新区, 园区, 攸州工业园
        "zone": regex.compile(rf"^[\p{{Han}}A-Za-z0-9]{{0,10}}?(?:{alt('zone')})"),
        "zone_word": regex.compile(alt("zone")),
        "drop_inside": regex.compile(alt("drop_inside")),
        "follows_count": regex.compile(rf"^(?:{alt('follows_count')})$"),
        "counted_only": regex.compile(rf"^(?:{alt('counted_only')})+$"),
        "kind_codes": regex.compile(rf"^(?:{alt('kind_codes')})$"),
        "count_noun": regex.compile(rf"^(?:{alt('count_noun')})$"),
    }


@cache
def _tail_reach() -> int:
    """The longest tail word: a tail match starts no further than this from the text's end."""
    return max(map(len, _words().get("tail", [])), default=0)


def _lead_word(text: str) -> regex.Match | None:
    return _rules()["lead"].match(text)


def _tail_word(text: str) -> regex.Match | None:
    """A tail word ends the text (or its final newline): looked for only where one can start."""
    return _rules()["tail"].search(text, max(0, len(text) - _tail_reach() - 1))


@lru_cache(maxsize=4096)  # the same phrase is cleaned for each figure of its clause
def clean_subject(phrase: str, drop: tuple[str, ...] = ()) -> str:
    """The subject a phrase names, or "" when it names the region as a whole or is not a noun phrase.

    ``drop`` lists substrings already used for something else (place names, period words).
    """
    rules = _rules()
    text = _QUOTES.sub("", phrase)
    for word in sorted(drop, key=len, reverse=True):
        if word:
            text = text.replace(word, "")
    changed = True
    while changed and text:
        changed = False
        for find in (_lead_word, _tail_word):
            m = find(text)
            if m and m.group(0):
                text = text[: m.start()] + text[m.end():]
                changed = True
    text = rules["drop_inside"].sub("", text)
    if (len(text) < 2 or len(text) > 20 or rules["generic"].match(text) or rules["reject"].search(text)
            or rules["pronoun"].match(text)):
        return ""
    return _canonical().get(text, text)


def holds_zone_word(text: str) -> bool:
    """Whether ``text`` (quotes left out, as leading_zone reads it) has a zone word anywhere: a
    text without one starts with no zone."""
    return bool(_rules()["zone_word"].search(_QUOTES.sub("", text)))


@lru_cache(maxsize=1024)  # asked for each figure of a clause, mostly with the same clause head
def leading_zone(text: str) -> str:
    """The zone or park name ``text`` starts with, after lead words (力争园区规模以上企业… -> 园区;
    株洲高新区六大项目竣工 -> 株洲高新区), else ""."""
    rules = _rules()
    text = _QUOTES.sub("", text)
    while (lead := rules["lead"].match(text)) and lead.group(0):
        text = text[lead.end():]
    m = rules["zone"].match(text)
    return m.group(0) if m and not rules["pronoun"].match(m.group(0)) else ""


def follows_count(indicator: str) -> bool:
    """Whether a figure of ``indicator`` right after a count of projects is about those projects."""
    return bool(_rules()["follows_count"].match(indicator))


def names_a_part(subject: str, indicator: str) -> bool:
    """False for a word that only says what is counted (近400家企业入驻: 企业), except where the
    indicator's subject is the kind of thing counted (新增企业6215户)."""
    rules = _rules()
    if rules["count_noun"].match(subject):
        return not indicator.startswith("projects_")
    return not rules["counted_only"].match(subject) or bool(rules["kind_codes"].match(indicator))


@cache
def _lists() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    heads: list[str] = []
    compact: dict[str, tuple[str, ...]] = {}
    for row in load_table("subject_rules.csv", ("list", "word")):
        if row["list"] == "shared_head":
            heads += row["word"].split("|")
        elif row["list"] == "compact_list":
            word, *parts = row["word"].split("|")
            compact[word] = tuple(parts)
    return tuple(sorted(heads, key=len, reverse=True)), compact


_SHORT_ITEM = 4  # 城镇, 全市城镇: a modifier; longer items name things of their own


def share_head(items: list[str]) -> list[str]:
    """城镇、农村常住居民: short items take the head noun the last item ends with."""
    head = next((h for h in _lists()[0] if items and items[-1].endswith(h) and len(items[-1]) > len(h)), None)
    if head is None:
        return items
    return [t + head if len(t) <= _SHORT_ITEM and not t.endswith(head) else t for t in items]


def compact_parts(word: str, n: int) -> tuple[str, ...]:
    """The ``n`` parts a word such as 城乡居民 or 一二三产 names at once, else ()."""
    for compact, parts in _lists()[1].items():
        if len(parts) == n and word.endswith(compact):
            return parts
    return ()
