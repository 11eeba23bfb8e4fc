"""Typed records passed between the pipeline's stages.

Each stage takes and returns these plain, immutable records, so that no stage needs to know
another's internals:

    reading    bytes            -> str (the ORIGINAL text; all offsets point into it)
    normalize  str              -> NormalizedText (cleaned text + offset map)
    articles   str, SourceMeta  -> list[Article]
    extract    Article          -> list[Observation]
    tables     records          -> Parquet / CSV files
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class InputError(Exception):
    """A file that cannot be turned into text or articles; becomes a row of the errors table."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason


@dataclass(frozen=True)
class SourceMeta:
    """What is known about one input file, from the manifest or inferred from its text."""

    source_file: str
    publisher: str | None = None
    published: date | None = None
    # 'day', 'month', 'year' or 'none': how much of `published` was actually known.
    published_precision: str = "none"
    city: str | None = None
    province: str | None = None
    title: str | None = None  # the headline the user knows (manifest); wins over the text's
    # How each field was obtained, e.g. "manifest" or "text:日报讯"; shown in the documents table.
    meta_source: str = "manifest"


@dataclass(frozen=True)
class Article:
    """One article found in a source file. Spans are offsets into the ORIGINAL file text."""

    source_file: str
    index: int  # 0-based position of the article in its file
    start: int  # span of the whole article, title included
    end: int
    body_start: int  # where the body (the text to extract from) begins
    title: str | None = None
    # Per-article facts found by the splitter; None where the article says nothing.
    publisher: str | None = None  # e.g. 新华社 from 新华社长沙3月20日电, 株洲日报 from 株洲日报讯
    dateline: date | None = None  # a date the article states for itself (dateline, posting date)
    area_hint: str | None = None  # an area the layout names, e.g. a listing tag 【醴陵市招商】
    kind: str = "news"  # 'news', 'listing' or 'work_report'


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    type: str  # year, half, quarter, month, ytd, multi_year, as_of, day, unknown
    text: str = ""


@dataclass(frozen=True)
class Place:
    """An administrative division from the gazetteer."""

    name: str  # full official name, e.g. 醴陵市
    level: str  # country, province, city, county, township
    province: str | None  # full name of the province it lies in (itself for a province)
    city: str | None  # full name of its prefecture-level city (itself for a city), None above
    county: str | None = None  # full name of its county-level unit, for townships
    code: str | None = None  # administrative division code where the source gives one


@dataclass
class Observation:
    """One output row (see ../shared/spec/SCHEMA.md); filled by the extract stage."""

    doc_id: str
    source_file: str
    publisher: str | None
    published: date | None
    province: str | None
    city: str | None
    region: str | None
    region_level: str | None
    subject: str | None
    indicator: str
    indicator_text: str
    period_start: date | None
    period_end: date | None
    period_type: str
    period_text: str | None
    value: float | None
    unit: str | None
    value_text: str
    bound: str
    yoy_pct: float | None
    share_pct: float | None
    rank: int | None
    rank_scope: str | None
    status: str
    sentence: str
    char_start: int
    char_end: int
    rule: str
    value_high: float | None = None  # the high ends of a range (bound "range")
    yoy_pct_high: float | None = None
    obs_id: str = field(default="")  # from its content, set when the extract stage emits it
    review: str | None = None  # filled only by the corrections stage (confirmed, corrected, added)
