"""Corrections as data: an analyst's decisions, applied on every run between extraction and the tables.

A corrections file is a CSV (UTF-8, with or without BOM) with the columns
``source_file, char_start, char_end, indicator, action`` and then any observation column
(``region``, ``value``, ``period_start`` …) plus ``new_indicator``. A row is addressed by
(source_file, char_start, char_end, indicator), not by ``obs_id``, so a decision survives rule
changes that keep the figure's span. Actions:

* ``confirm``: the row is right (``review`` = confirmed);
* ``reject``: the row is dropped;
* ``edit``: each non-empty cell replaces that field (``new_indicator`` replaces the indicator,
  which is part of the address); ``review`` = corrected;
* ``add``: a figure the rules missed, at that span, with the given fields; ``review`` = added.

The stage runs on each file's rows after the cache, so the cache holds only what the rules
give and changing the corrections never forces a re-extraction. A decision whose row no longer
exists, or that cannot be read, becomes a row of the errors table (stage ``corrections``); the
other decisions and rows are kept.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .cache import FileRows
from .cells import ESCAPE, FORMULA_TRIGGERS
from .model import InputError
from .tables import DOCUMENT_COLUMNS, OBSERVATION_COLUMNS, observation_key

STAGE = "corrections"
KEY_COLUMNS = ("source_file", "char_start", "char_end", "indicator")
ACTIONS = ("confirm", "reject", "edit", "add")
REVIEW = {"confirm": "confirmed", "edit": "corrected", "add": "added"}
# Fields an analyst may set; the address, the ids and the article's own metadata are not among them.
FIXED = ("obs_id", "doc_id", "source_file", "char_start", "char_end", "indicator", "review",
         "publisher", "published", "province", "city")
EDITABLE = {"new_indicator": "string", **{k: v for k, v in OBSERVATION_COLUMNS.items() if k not in FIXED}}
CLOSED = {  # code columns whose values are a closed list in the contract (SCHEMA.md)
    "region_level": ("country", "province", "city", "county", "township"),
    "period_type": ("year", "half", "quarter", "month", "ytd", "multi_year", "as_of", "day", "unknown"),
    "bound": ("exact", "at_least", "at_most", "approx", "range"),
    "status": ("actual", "estimate", "target"),
}
ADDED_RULE = "manual"
_COLUMNS = list(OBSERVATION_COLUMNS)
_N_OBS = list(DOCUMENT_COLUMNS).index("n_observations")
_SENTENCE_END = "。！？；!?;\n"
_SENTENCE_MAX = 300  # characters kept on each side of an added figure when its sentence has no end

Key = tuple[str, int, int, str]


class CorrectionsError(ValueError):
    """The corrections file cannot be used at all (unreadable, or without the address columns)."""


@dataclass(frozen=True)
class Correction:
    line: int
    key: Key
    action: str
    fields: dict[str, object]  # parsed values of the set cells
    cells: dict[str, str]  # the same cells as written, to write the decision back out unchanged

    def where(self, name: str) -> str:
        source_file, start, end, indicator = self.key
        return f"{name} line {self.line}: {self.action} of {indicator} at {start}-{end}"


class Corrections:
    """The decisions of one corrections file for one run: ``apply`` them file by file, then
    collect ``errors`` and ``unused()``."""

    def __init__(self, name: str, corrections: list[Correction], errors: list[dict]) -> None:
        self.name = name
        self.errors = errors  # problems found so far, as error rows
        self.decisions = corrections  # one per row address, the file's last about it, in file order
        self._by_file: dict[str, list[Correction]] = {}
        for c in corrections:
            self._by_file.setdefault(c.key[0], []).append(c)

    @classmethod
    def read(cls, path: Path) -> Corrections:
        """Parse a corrections file; bad lines become error rows, a missing address column raises."""
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as e:
            raise CorrectionsError(f"cannot read corrections file {path}: {e.strerror or e}") from e
        except UnicodeDecodeError as e:
            raise CorrectionsError(f"corrections file {path} is not UTF-8 text") from e
        return cls.parse(text, path.name)

    @classmethod
    def parse(cls, text: str, name: str = "corrections.csv") -> Corrections:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [cell.strip().lower() for cell in next(reader, [])]
        missing = [c for c in (*KEY_COLUMNS, "action") if c not in header]
        if missing:
            raise CorrectionsError(f"{name}: missing column(s) {', '.join(missing)}")
        errors = [_error(name, f"{name}: column {c!r} is not a field a correction can set; ignored")
                  for c in header if c not in (*KEY_COLUMNS, "action", *EDITABLE)]
        latest: dict[Key, Correction] = {}
        for line, cells in enumerate(reader, start=2):
            if not "".join(cells).strip():
                continue
            row = dict(zip(header, (c.strip() for c in cells)))
            try:
                c = _correction(line, row)
            except ValueError as e:
                errors.append(_error(row.get("source_file") or name, f"{name} line {line}: {e}"))
                continue
            if c.key in latest:  # the file is a log of decisions: the later one about a row wins
                errors.append(_error(c.key[0], f"{latest[c.key].where(name)}: replaced by line {line}"))
            latest[c.key] = c
        return cls(name, sorted(latest.values(), key=lambda c: c.line), errors)

    def decides(self, source_file: str) -> bool:
        """Whether the file has decisions left to apply (``apply`` changes its rows)."""
        return source_file in self._by_file

    def apply(self, source_file: str, rows: FileRows, text: Callable[[], str]) -> FileRows:
        """One file's rows with its decisions applied (rows sorted as in the tables).

        ``text`` gives the file's text; it is called only when a figure is added.
        """
        todo = self._by_file.pop(source_file, [])
        if not todo:
            return rows
        observations = [dict(zip(_COLUMNS, r)) for r in rows["observations"]]
        by_key: dict[Key, list[dict]] = {}
        for o in observations:
            by_key.setdefault((o["source_file"], o["char_start"], o["char_end"], o["indicator"]), []).append(o)
        rejected: set[int] = set()
        for c in todo:
            targets = by_key.get(c.key, [])
            if c.action == "add" and not targets:
                try:
                    observations.append(_added(c, rows["documents"], text()))
                except (ValueError, InputError, OSError) as e:  # e.g. the file changed or vanished since
                    self.errors.append(_error(source_file, f"{c.where(self.name)}: {e}"))
                continue
            if not targets:
                self.errors.append(_error(source_file, f"{c.where(self.name)}: no such row in this run"))
                continue
            for o in targets:  # an add the rules now find too is an edit of their row
                if c.action == "reject":
                    rejected.add(id(o))
                    continue
                _set_fields(o, c.fields)
                o["review"] = REVIEW["edit" if c.action == "add" else c.action]
        kept = sorted((o for o in observations if id(o) not in rejected), key=observation_key)
        counts: dict[str, int] = {}
        for o in kept:
            counts[o["doc_id"]] = counts.get(o["doc_id"], 0) + 1
        documents = [(*d[:_N_OBS], counts.get(d[0], 0), *d[_N_OBS + 1:]) for d in rows["documents"]]
        return {"observations": [tuple(o[c] for c in _COLUMNS) for o in kept], "documents": documents,
                "errors": rows["errors"]}

    def unused(self) -> list[dict]:
        """Error rows for the decisions about files this run did not extract (call after the last file)."""
        return [_error(sf, f"{c.where(self.name)}: source file not among the inputs read in this run")
                for sf, todo in sorted(self._by_file.items()) for c in todo]


def _correction(line: int, row: dict[str, str]) -> Correction:
    action = row.get("action", "").lower()
    if action not in ACTIONS:
        raise ValueError(f"action {row.get('action')!r} is not one of {', '.join(ACTIONS)}")
    if not row.get("source_file") or not row.get("indicator"):
        raise ValueError("source_file and indicator are needed to address a row")
    try:
        start, end = int(row["char_start"]), int(row["char_end"])
    except (KeyError, ValueError):
        raise ValueError(f"char_start/char_end {row.get('char_start')!r}/{row.get('char_end')!r} are not integers") from None
    if not 0 <= start < end:
        raise ValueError(f"span {start}-{end} is empty or negative")
    cells = {name: row[name] for name in EDITABLE if row.get(name)}
    fields = {name: _value(name, EDITABLE[name], cell) for name, cell in cells.items()}
    if action == "add" and all(fields.get(k) is None for k in ("value", "yoy_pct", "share_pct")):
        raise ValueError("an added figure needs a value, yoy_pct or share_pct")
    return Correction(line, (row["source_file"], start, end, row["indicator"]), action, fields, cells)


def _value(name: str, kind: str, cell: str) -> object:
    try:
        if kind == "float":
            value = float(cell)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return value
        if kind in ("int", "int32"):
            return int(cell)
        if kind == "date":
            return date.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{name} {cell!r} is not a {'date (YYYY-MM-DD)' if kind == 'date' else 'number'}") from None
    if cell.startswith(ESCAPE) and cell[1:].startswith(FORMULA_TRIGGERS):
        cell = cell[1:]  # written by a spreadsheet-safe CSV writer (tables.csv_lines, cells.ESCAPE)
    if name in CLOSED and cell not in CLOSED[name]:
        raise ValueError(f"{name} {cell!r} is not one of {', '.join(CLOSED[name])}")
    return cell


def _set_fields(row: dict, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        row["indicator" if name == "new_indicator" else name] = value
    if "region" in fields and "region_level" not in fields:
        row["region_level"] = _region_level(str(fields["region"]), row.get("region_level"))


def _region_level(region: str, current: str | None) -> str | None:
    """The level of a corrected region from the gazetteer, when the name is unambiguous."""
    from .resolve.regions import gazetteer  # only needed when a region is corrected

    levels = {p.level for p in gazetteer().by_name(region)}
    return levels.pop() if len(levels) == 1 else current


def _added(c: Correction, documents: list[tuple], text: str) -> dict:
    source_file, start, end, indicator = c.key
    if end > len(text):
        raise ValueError(f"span is past the end of the file ({len(text)} characters)")
    doc = _document_at(documents, start)
    if doc is None:
        raise ValueError("span is in no article of the file")
    row = dict.fromkeys(_COLUMNS)
    row.update(doc_id=doc["doc_id"], source_file=source_file, publisher=doc["publisher"],
               published=doc["published"], province=doc["province"], city=doc["city"],
               indicator=indicator, indicator_text="", period_type="unknown", bound="exact", status="actual",
               value_text="".join(text[start:end].split()), sentence=_sentence(text, start, end),
               char_start=start, char_end=end, rule=ADDED_RULE)
    _set_fields(row, c.fields)
    row["review"] = REVIEW["add"]
    # Deterministic and independent of the extractor's id scheme: an added row has no rule to hash.
    row["obs_id"] = hashlib.sha1(f"added|{source_file}|{start}|{end}|{indicator}".encode()).hexdigest()[:16]
    return row


def _document_at(documents: list[tuple], pos: int) -> dict | None:
    for d in documents:
        doc = dict(zip(DOCUMENT_COLUMNS, d))
        if doc["char_start"] <= pos < doc["char_end"]:
            return doc
    return None


def _sentence(text: str, start: int, end: int) -> str:
    """The stretch of text between the sentence ends around the span, whitespace removed."""
    lo = max(0, start - _SENTENCE_MAX)
    hi = min(len(text), end + _SENTENCE_MAX)
    left = max((text.rfind(ch, lo, start) for ch in _SENTENCE_END), default=-1)
    rights = [i for i in (text.find(ch, end, hi) for ch in _SENTENCE_END) if i >= 0]
    return "".join(text[(left + 1 if left >= 0 else lo):(min(rights) + 1 if rights else hi)].split())


def _error(source_file: str, reason: str) -> dict:
    return {"source_file": source_file, "stage": STAGE, "reason": reason}
