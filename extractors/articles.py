"""Split one file into articles: newspaper pages (lead markers such as 本报讯), web listings
(【tag】title lines with a posting-date line), or a single article with an optional title line."""
from __future__ import annotations

from datetime import date

import regex

from .model import Article

_LEAD = regex.compile(r"(?:本报讯|(?P<paper>\p{Han}{2,6}(?:日报|晚报|日報|晚報))讯|(?P<xinhua>新华社)\p{Han}{0,6}\d{1,2}月\d{1,2}日电)")
_LISTING = regex.compile(r"^【(?P<tag>[^】]{1,12})】(?P<title>.+)$", regex.M)
_POSTED = regex.compile(r"^\s*((?:19|20)\d{2})-(\d{2})-(\d{2})\s*$", regex.M)
_TAG_SUFFIX = regex.compile(r"(?:招商|新闻|动态|要闻)$")
_REPORT = regex.compile(r"工作报告|计划执行情况.{0,40}报告")
_END_PUNCT = "。！？；!?;”"


def split_articles(text: str, source_file: str) -> list[Article]:
    listing = list(_LISTING.finditer(text))
    if len(listing) >= 2:
        return _split_listing(text, source_file, listing)
    leads = list(_LEAD.finditer(text))
    if leads:
        return _split_paper(text, source_file, leads)
    return [_single(text, source_file)]


def _kind(title: str | None) -> str:
    return "work_report" if title and _REPORT.search(title) else "news"


def _single(text: str, source_file: str) -> Article:
    first = regex.search(r"\S[^\n]*", text)
    title, body_start = None, 0
    if first and len(first.group(0).strip()) <= 60 and first.group(0).strip()[-1] not in _END_PUNCT:
        title, body_start = first.group(0).strip(), first.end()
    return Article(source_file, 0, 0, len(text), body_start, title, kind=_kind(title))


def _split_listing(text: str, source_file: str, items: list) -> list[Article]:
    articles = []
    for i, m in enumerate(items):
        end = items[i + 1].start() if i + 1 < len(items) else len(text)
        posted = _POSTED.search(text, m.end(), end)
        dateline = None
        if posted:
            end = posted.start()
            dateline = date(int(posted[1]), int(posted[2]), int(posted[3]))
        title = m["title"].strip()
        kind = "work_report" if _REPORT.search(title) else "listing"
        articles.append(Article(source_file, i, m.start(), end, m.end(), title, dateline=dateline,
                                area_hint=_TAG_SUFFIX.sub("", m["tag"]), kind=kind))
    return articles


def _header_start(text: str, lead_start: int, floor: int) -> int:
    """Walk back over short unpunctuated lines (headline, byline) before a lead marker."""
    line_start = text.rfind("\n", floor, lead_start) + 1 if text.rfind("\n", floor, lead_start) >= 0 else floor
    start = max(line_start, floor)
    taken = 0
    while taken < 6 and start > floor:
        prev_end = text.rfind("\n", floor, start - 1)
        prev_start = prev_end + 1 if prev_end >= 0 else floor
        line = text[max(prev_start, floor):start].strip()
        if line and (len(line) > 40 or line[-1] in _END_PUNCT):
            break
        start = max(prev_start, floor)
        taken += 1 if line else 0
    return start


def _split_paper(text: str, source_file: str, leads: list) -> list[Article]:
    articles = []
    for i, m in enumerate(leads):
        floor = leads[i - 1].end() if i else 0
        start = _header_start(text, m.start(), floor)
        if articles:
            prev = articles[-1]
            articles[-1] = Article(prev.source_file, prev.index, prev.start, start, prev.body_start, prev.title,
                                   prev.publisher, prev.dateline, prev.area_hint, prev.kind)
        head_lines = [ln.strip() for ln in text[start:m.start()].splitlines() if ln.strip()]
        title = " ".join(ln for ln in head_lines if "记者" not in ln) or None
        publisher = m["paper"] or m["xinhua"]
        articles.append(Article(source_file, i, start, len(text), m.start(), title, publisher, kind=_kind(title)))
    return articles
