"""Split one file into articles; every span points into the ORIGINAL file text.

The page is normalised with ``keep_newlines=True`` to see its lines; each line is classified
with the patterns of ``article_markers.csv`` (matched against the line after the character maps,
whitespace runs collapsed to one space, so bylines keep the spaces between names). Layouts, tried
in this order:

- Web listing: items that start with a ``【tag】title`` line and end at a posting-date line
  (the dateline), a separator line ``-`` or site furniture. area_hint = the tag without its
  suffix (【醴陵市招商】 -> 醴陵市); kind = work_report if the title names a report, else listing.
- Newspaper page: an article starts at a lead marker (本报讯, 株洲日报讯, 新华社长沙3月20日电,
  (记者 …) opening a paragraph), at a standalone byline line not followed by a lead marker
  (株洲日报记者 李支国), or at a markdown heading that heads no such article. Its header is found
  by walking back from the marker over at most 4 short headline lines (no sentence-final
  punctuation, at most 40 characters; markdown headings included) plus byline lines, stopping at
  anything else; headline lines form the title, bylines do not. The body runs from the marker to
  the next article's header, but ends before a page-jump line standing on its own (下转A2版,
  (上接第1版)) or a run of one-character lines (a vertical headline printed across the column).
  Text not in any article (before the first header, after such a cut) becomes an untitled
  article only if it holds a sentence with a digit: a continued story is kept, a hotline box or
  a stray headline is not (precision first).
- Single article: a first line of at most 60 characters without sentence-final punctuation is
  the title; otherwise the whole text is one untitled article.

Titles are shown as cleaned by the character maps (traditional -> simplified), with whitespace
runs collapsed to a space and multi-line headlines joined by a space.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import regex

from .model import Article
from .normalize import NormalizedText, map_chars, normalize_mapped
from .vocab import load_table

_MAX_HEADLINE_CHARS = 40
_MAX_SUBTITLE_CHARS = 64  # a longer headline line must be free of clause punctuation (subtitles)
_MAX_HEADLINE_LINES = 4
_MAX_BYLINE_LINES = 3
_MAX_SINGLE_TITLE_CHARS = 60
_MIN_VERTICAL_RUN = 4  # consecutive one-character lines that make a vertical headline

_ROWS = load_table("article_markers.csv", required=("kind", "pattern", "meaning"))


def _patterns(kind: str) -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(row["pattern"]) for row in _ROWS if row["kind"] == kind)


def _alternation(kind: str, template: str = "(?:{})") -> regex.Pattern:
    return regex.compile(template.format("|".join(row["pattern"] for row in _ROWS if row["kind"] == kind)))


_LEADS = _patterns("lead")
_WHOLE_LINE_KINDS = ("photo_credit", "byline", "byline_extra", "heading", "furniture", "chrome")  # tried in this order
_WHOLE_LINE = {kind: _patterns(kind) for kind in _WHOLE_LINE_KINDS}
_WHOLE_LINE["chrome"] = (_alternation("chrome"),)  # no groups: one pattern for the many widgets
_NOT_HEADLINE = _alternation("not_headline")
_DECORATION = _alternation("decoration")
_REPORT = _alternation("report_title")
_TAG_SUFFIX = _alternation("tag_suffix", "(?:{})$")
_LISTING_TAG = _patterns("listing_tag")
_LISTING_END = {kind: _patterns(kind) for kind in ("listing_date", "listing_separator", "listing_furniture")}

_LINE = regex.compile(r"[^\n]+")
_SPACES = regex.compile(r"\s+")
_SENTENCE_END = regex.compile(r"[。！？；!?;…][”’\"』」)]*$")
_CLAUSE_PUNCT = regex.compile(r"[。！？；，,;!?]")
_DIGIT_SENTENCE = regex.compile(r"\d[^。！？!?]*[。！？!?]")


@dataclass(frozen=True)
class _Line:
    start: int  # span in the original text
    end: int
    clean: str  # as normalised: no whitespace
    show: str  # character-mapped, whitespace runs collapsed: what patterns and titles see
    kind: str  # lead, a _WHOLE_LINE_KINDS kind, not_headline, single (one character) or text
    match: regex.Match | None = None


@dataclass(frozen=True)
class _Draft:
    start: int
    body_start: int
    end: int
    title: str | None = None
    publisher: str | None = None
    dateline: date | None = None
    area_hint: str | None = None
    kind: str = "news"


@dataclass
class _Start:
    """Where a newspaper article opens: its anchor line, first body line and header."""

    anchor: int
    body: int
    body_pos: int
    publisher: str | None = None
    dateline: date | None = None
    header: int = -1
    titles: tuple[int, ...] = ()


def split_articles(text: str, source_file: str, known_title: str | None = None,
                   page: Page | None = None) -> list[Article]:
    """The articles of one file, in order; an empty or blank text has none. ``page`` is the
    text normalised with ``keep_newlines`` (``read_page``), when the caller has it already.

    ``known_title`` (the manifest's) is the title of a file that holds one article, in place of
    the line the text would give (often page furniture such as 下载 on a crawled page), and so
    decides its kind too. A file of several articles keeps each article's own headline.
    """
    lines = _lines(page or read_page(text))
    if not lines:
        return []
    drafts = _listing(lines) or _paper(lines) or [_single(lines, known_title)]
    if known_title and len(drafts) == 1 and drafts[0].title != known_title:
        found = drafts[0]
        drafts = [replace(found, title=known_title,
                          kind=_kind(known_title, "listing" if found.kind == "listing" else "news"))]
    return [
        Article(source_file, i, d.start, d.end, d.body_start, d.title, d.publisher, d.dateline, d.area_hint, d.kind)
        for i, d in enumerate(drafts)
    ]


# --- lines ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """A file's text prepared once: the articles are found in it and their bodies cut out of
    ``clean`` (``normalize.section``) instead of being cleaned again."""

    mapped: str  # the character maps applied, same length as the text
    clean: NormalizedText  # cleaned with its line breaks kept


def read_page(text: str) -> Page:
    mapped = map_chars(text)
    return Page(mapped, normalize_mapped(mapped, keep_newlines=True))


def _lines(page: Page) -> list[_Line]:
    lines = []
    for m in _LINE.finditer(page.clean.text):
        start, end = page.clean.original_span(m.start(), m.end())
        show = _SPACES.sub(" ", page.mapped[start:end]).strip()
        kind, match = _classify(m.group(), show)
        lines.append(_Line(start, end, m.group(), show, kind, match))
    return lines


def _classify(clean: str, show: str) -> tuple[str, regex.Match | None]:
    decoration = _DECORATION.match(show)
    opening = show[decoration.end():].lstrip() if decoration else show
    for pattern in _LEADS:
        if m := pattern.match(opening):
            return "lead", m
    for kind in _WHOLE_LINE_KINDS:
        for pattern in _WHOLE_LINE[kind]:
            if m := pattern.fullmatch(show):
                return kind, m
    if _NOT_HEADLINE.search(show):
        return "not_headline", None
    # a digit alone on a line is a number wrapped out of its sentence, never part of a vertical headline
    return ("single" if len(clean) == 1 and not clean.isdigit() else "text"), None


def _title(lines: list[_Line], indices: tuple[int, ...]) -> str | None:
    parts = [lines[i].match["title"] if lines[i].kind == "heading" else lines[i].show for i in indices]
    return " ".join(p.strip() for p in parts) or None


def _kind(title: str | None, default: str = "news") -> str:
    return "work_report" if title and _REPORT.search(title) else default


def _date(m: regex.Match) -> date | None:
    groups = m.groupdict()
    if not groups.get("year") or not groups.get("month") or not groups.get("day"):
        return None
    try:
        return date(int(groups["year"]), int(groups["month"]), int(groups["day"]))
    except ValueError:
        return None


# --- web listing ---------------------------------------------------------------------------

def _listing(lines: list[_Line]) -> list[_Draft]:
    tags = [(i, m) for i, line in enumerate(lines) for m in [_first_fullmatch(_LISTING_TAG, line.show)] if m]
    drafts = []
    for k, (i, tag) in enumerate(tags):
        stop = tags[k + 1][0] if k + 1 < len(tags) else len(lines)
        last, dateline = i, None
        for j in range(i + 1, stop):
            end_kind, m = _listing_end(lines[j].show)
            if end_kind:
                dateline = _date(m) if end_kind == "listing_date" else None
                break
            last = j
        title = tag["title"].strip()
        body_start = lines[i + 1].start if last > i else lines[i].end
        area = _TAG_SUFFIX.sub("", tag["tag"].strip()) or None
        drafts.append(_Draft(lines[i].start, body_start, lines[last].end, title, None, dateline, area,
                             _kind(title, "listing")))
    dated = sum(d.dateline is not None for d in drafts)
    return drafts if dated and 2 * dated >= len(drafts) else []


def _first_fullmatch(patterns: tuple[regex.Pattern, ...], text: str) -> regex.Match | None:
    for pattern in patterns:
        if m := pattern.fullmatch(text):
            return m
    return None


def _listing_end(show: str) -> tuple[str | None, regex.Match | None]:
    for kind, patterns in _LISTING_END.items():
        if m := _first_fullmatch(patterns, show):
            return kind, m
    return None, None


# --- newspaper page ------------------------------------------------------------------------

def _paper(lines: list[_Line]) -> list[_Draft]:
    starts = [s for i in range(len(lines)) if (s := _marker_start(lines, i))]
    floor = -1
    for s in starts:
        _walk_header(lines, s, floor)
        floor = s.anchor
    covered = {i for s in starts for i in range(s.header, s.anchor)}
    headed = [_Start(i, i + 1, lines[i + 1].start) for i, line in enumerate(lines[:-1])
              if line.kind == "heading" and i not in covered]
    if not starts and not headed:
        return []
    for h in headed:
        before = [s.anchor for s in starts if s.anchor < h.anchor]
        _walk_header(lines, h, max(before, default=-1))
        h.titles += (h.anchor,)
    starts = sorted(starts + headed, key=lambda s: s.anchor)
    drafts: list[_Draft] = []
    _leftovers(lines, 0, starts[0].header, drafts)
    for k, s in enumerate(starts):
        stop = starts[k + 1].header if k + 1 < len(starts) else len(lines)
        cut = _first_cut(lines, s.body, stop)
        if cut > s.body:  # a lead line is its own first body line; a bare heading or byline is no article
            last = cut - 1
            title = _title(lines, s.titles)
            drafts.append(_Draft(lines[s.header].start, s.body_pos, lines[last].end, title, s.publisher,
                                 s.dateline, None, _kind(title)))
        _leftovers(lines, cut, stop, drafts)
    return drafts


def _marker_start(lines: list[_Line], i: int) -> _Start | None:
    line = lines[i]
    if line.kind == "lead":
        return _Start(i, i, line.start, line.match.groupdict().get("paper"), _date(line.match))
    if line.kind != "byline":
        return None
    body = i + 1
    while body < len(lines) and lines[body].kind == "byline_extra":
        body += 1
    # A byline directly above a lead marker belongs to that article's header.
    if body >= len(lines) or lines[body].kind != "text":
        return None
    return _Start(i, body, lines[body].start, line.match.groupdict().get("paper"))


def _walk_header(lines: list[_Line], s: _Start, floor: int) -> None:
    """Take the headline and byline lines above the anchor (and bylines between it and the body)."""
    header, titles, bylines = s.anchor, [], 0
    j = s.anchor - 1
    while j > floor:
        line = lines[j]
        if line.kind in ("byline", "byline_extra") and bylines < _MAX_BYLINE_LINES:
            bylines += 1
        elif line.kind in ("heading", "text") and len(titles) < _MAX_HEADLINE_LINES and _headline(line):
            titles.append(j)
        else:
            break
        header = j
        j -= 1
    s.header = header
    s.titles = tuple(reversed(titles))


def _headline(line: _Line) -> bool:
    """Short and unpunctuated; a longer line (a subtitle) only if no clause punctuation is inside."""
    if line.kind == "heading":
        return True
    n = len(line.clean)
    if _SENTENCE_END.search(line.clean) or n > _MAX_SUBTITLE_CHARS:
        return False
    return n <= _MAX_HEADLINE_CHARS or not _CLAUSE_PUNCT.search(line.clean)


def _first_cut(lines: list[_Line], start: int, stop: int) -> int:
    """Index of the first line in [start, stop) that ends a body: page furniture or a vertical run."""
    for j in range(start, stop):
        if lines[j].kind == "furniture" or _vertical_run_end(lines, j, stop) > j:
            return j
    return stop


def _vertical_run_end(lines: list[_Line], j: int, stop: int) -> int:
    end = j
    while end < stop and lines[end].kind == "single":
        end += 1
    return end if end - j >= _MIN_VERTICAL_RUN else j


def _leftovers(lines: list[_Line], start: int, stop: int, drafts: list[_Draft]) -> None:
    """Untitled articles from text in no article, split at furniture; kept only with a digit sentence."""
    j = start
    while j < stop:
        if lines[j].kind == "furniture":
            j += 1
            continue
        run_end = _vertical_run_end(lines, j, stop)
        if run_end > j:
            j = run_end
            continue
        cut = _first_cut(lines, j + 1, stop)
        if _DIGIT_SENTENCE.search("".join(line.clean for line in lines[j:cut])):
            drafts.append(_Draft(lines[j].start, lines[j].start, lines[cut - 1].end))
        j = cut


# --- single article ------------------------------------------------------------------------

def _single(lines: list[_Line], known_title: str | None) -> _Draft:
    """One article. Its title is the known one, else a line of the head (the lines before the
    first sentence) that names a report, else the first line when it reads as a headline, else
    the longest headline line of the head: saved web pages open with chrome (下载, 打印, 当前位置)."""
    first = lines[0]
    head = list(_head(lines))
    at = None
    if known_title:
        wanted = _SPACES.sub("", map_chars(known_title))
        matching = [i for i in head if _SPACES.sub("", lines[i].show) == wanted]
        at = matching[-1] if matching else None
        title = known_title.strip()
    else:
        candidates = [i for i in head if lines[i].kind in ("text", "heading") and len(lines[i].clean) > 1]
        report = [i for i in candidates if _REPORT.search(lines[i].show)]
        if report:
            at = report[0]
        elif candidates and candidates[0] == 0 and len(lines) > 1:
            at = 0
        elif candidates:
            at = max(candidates, key=lambda i: (len(lines[i].clean), -i))
        title = _title(lines, (at,)) if at is not None else None
    body_start = lines[at + 1].start if at is not None and at + 1 < len(lines) else first.start
    return _Draft(first.start, body_start, lines[-1].end, title, kind=_kind(title))


_MAX_HEAD_LINES = 30


def _head(lines: list[_Line]):
    """Indices of the lines before the first sentence: short and without sentence-final punctuation."""
    for i, line in enumerate(lines[:_MAX_HEAD_LINES]):
        if len(line.clean) > _MAX_SINGLE_TITLE_CHARS or _SENTENCE_END.search(line.clean):
            return
        yield i
