"""Per-file entry point: bytes in; documents, observations and errors out.

    decode -> split articles -> per article: normalise body -> sentences -> figures ->
    drafts (frames.py) -> resolve region / subject / period / status -> Observation rows
"""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache

import regex

from .articles import Page, read_page, split_articles
from .figures import CLAUSE_END, Amount, break_before, find_figures, rule_list
from .frames import Draft, build_drafts
from .model import Article, InputError, Observation, Period, Place, SourceMeta
from .normalize import NormalizedText, section
from .reading import decode
from .resolve.indicators import Mention, by_sector, find_mentions
from .resolve.periods import PeriodMention, find_periods, not_yet_ended
from .resolve.places import LEVEL_RANK, sentence_places, wider_elsewhere
from .resolve.regions import gazetteer
from .resolve.spans import in_span
from .resolve.subjects import clean_subject, follows_count, holds_zone_word, leading_zone, names_a_part
from .vocab import VocabularyError, load_table


@dataclass
class FileResult:
    documents: list[dict] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


_SENTENCE = regex.compile(r"[^。!?;！？；]+[。!?;！？；]?")
_FULL_DATE = regex.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_YEAR_IN = regex.compile(r"(?:19|20)\d{2}")
# 长沙、株洲、湘潭三市: the last item of a list of places may carry the group word
_PLACE_GROUP = regex.compile(r"[一二三四五六七八九十两\d]+[个]?(?:市|县|区|州|省|地)")


@cache
def _status_cues() -> tuple[tuple[regex.Pattern, str, str], ...]:
    rows = load_table("status_cues.csv", ("cue", "status", "scope"))
    for r in rows:
        if r["scope"] not in _CUE_SCOPES or r["status"] not in ("estimate", "target"):
            raise VocabularyError(f"status_cues.csv: bad status/scope {r['status']!r}/{r['scope']!r} for {r['cue']!r}")
    return tuple((regex.compile(r["cue"]), r["status"], r["scope"]) for r in rows)


_CUE_SCOPES = ("clause", "clause_weak", "segment", "onward")


@cache
def _scope_cues(scope: str) -> tuple[regex.Pattern | None, tuple[tuple[regex.Pattern, str], ...]]:
    """The cues of one scope, in their file's order, and one pattern that finds any of them:
    most sentences hold none, and one search tells so."""
    cues = tuple((cue, status) for cue, status, cue_scope in _status_cues() if cue_scope == scope)
    return (regex.compile("|".join(f"(?:{cue.pattern})" for cue, _ in cues)) if cues else None), cues


def _first_scope_status(scope: str, sentence: str, end: int) -> str | None:
    """The status of the first cue of ``scope`` (in the file's order) found in sentence[:end]."""
    any_cue, cues = _scope_cues(scope)
    if any_cue is None or not any_cue.search(sentence, 0, end):
        return None
    return next((status for cue, status in cues if cue.search(sentence, 0, end)), None)


@dataclass
class _ArticleContext:
    article: Article
    doc_id: str
    publisher: str | None
    published: date | None
    ref: date | None  # the date relative periods resolve against
    home: Place | None
    is_report: bool
    carry: PeriodMention | None = None  # the period the previous sentences set
    onward_status: str | None = None  # a status cue that holds for the rest of the article
    previous_count: Mention | None = None  # the count indicator of the sentence before
    previous_measure: Mention | None = None  # its last other indicator with a figure
    head_status: str | None = None  # a cue heading the sentence before (预计全年…): its 其中 parts share it
    semicolon_status: str | None = None  # a cue (预计, 力争) in a clause that a ";" continues
    continued: bool = False  # the previous sentence ended with ";": this one continues its list
    semicolon_rows: list[Observation] = field(default_factory=list)  # the rows of that clause
    last_area: Place | None = None  # the area of the last row of the sentence before
    topic_zone: str = ""  # the zone a news article is about (株洲高新区六大项目竣工…)
    first_period: PeriodMention | None = None  # the first period the body sets: the headline's


def process_file(source_file: str, data: bytes, meta: SourceMeta | None) -> FileResult:
    result = FileResult()
    try:
        text, _encoding = decode(data, source_file)
    except InputError as e:
        result.errors.append({"source_file": source_file, "stage": e.stage, "reason": e.reason})
        return result
    meta = infer_meta(meta or SourceMeta(source_file=source_file, meta_source="inferred"), text)
    page = read_page(text)
    for article in split_articles(text, source_file, meta.title, page):
        rows = extract_article(text, article, meta, page)
        result.errors += [_too_large_error(obs) for obs in rows if not _real_measures(obs)]
        rows = [obs for obs in rows if _real_measures(obs)]
        result.observations += rows
        result.documents.append(_document_row(article, meta, len(rows)))
    return result


def infer_meta(meta: SourceMeta, text: str) -> SourceMeta:
    """Fill what the manifest did not say from the text, and record how."""
    how = [] if meta.meta_source == "inferred" else [meta.meta_source]
    publisher, published, precision, city, province = (
        meta.publisher, meta.published, meta.published_precision, meta.city, meta.province)
    if not publisher:
        m = regex.search(r"(\p{Han}{2,6}(?:日报|晚报|日報|晚報))讯", text)
        if m:
            publisher = m.group(1)
            how.append("publisher:text 日报讯")
    if published is None:
        dates = []
        for m in _FULL_DATE.finditer(text):
            try:
                dates.append(date(int(m[1]), int(m[2]), int(m[3])))
            except ValueError:
                continue
        if dates:
            published, precision = max(dates), "day"
            how.append("published:text latest date")
    if not city and publisher:
        place = gazetteer().place_for_publisher(publisher)
        if place is not None and place.city:
            city, province = place.city, place.province
            how.append("city:publisher")
    if city and not province:
        place = gazetteer().resolve(city)
        province = place.province if place else None
    return replace(meta, publisher=publisher, published=published, published_precision=precision,
                   city=city, province=province, meta_source=";".join(how) or "none")


def _home_place(article: Article, meta: SourceMeta) -> Place | None:
    g = gazetteer()
    area = None
    if article.area_hint:
        area = g.resolve(article.area_hint) or g.resolve(article.area_hint + "市")
    if area is None and meta.city:
        area = g.resolve(meta.city)
    if article.kind == "work_report" and article.title:
        found = g.find(article.title, context=area)
        if found:
            return max(found, key=lambda f: LEVEL_RANK[f[2].level])[2]
    if area is not None:
        return area
    if meta.city:
        place = g.resolve(meta.city)
        if place is not None:
            return place
    if meta.publisher and (place := g.place_for_publisher(meta.publisher)) is not None:
        return place
    return g.resolve(meta.province) if meta.province else None  # a provincial text has no city


def _topic_place(body: str, article: Article, home: Place | None) -> Place | None:
    """The area an article is about: the most specific place its title (else the first sentence of
    its normalised ``body``) names inside the home area, e.g. 衡东县 in a 衡阳日报 article headed
    衡东县一季度招商引资成绩单出炉."""
    first = _SENTENCE.search(body)
    # the lead as the sentences are read: its first piece when it runs on without punctuation
    lead = _bounded(body, first.start(), first.end())[0][1] if first else ""
    if home is None:
        # nothing known of the source: the first province or city its title or lead names
        for snippet in (article.title or "", lead):
            named = [p for _, _, p in sentence_places(snippet, None, tuple(find_mentions(snippet))) if p.level in ("province", "city")]
            if named:
                return named[0]
        return None
    if home.level in ("county", "township"):
        return home
    # the part of the home area a title or lead is about is named before its first figure: one
    # named after it is a part of the figure (全市进出口702亿元,其中醴陵市…), not the topic
    for snippet in (article.title or "", lead):
        inside = [(start, p) for start, _, p in sentence_places(snippet, home)
                  if p.level in ("county", "township") and (p.city == home.city or home.level == "province")]
        if inside and not find_figures(snippet[:inside[0][0]]):
            return inside[0][1]
    return home


def _opens_zone_name(sentence: str, start: int, end: int) -> bool:
    """Whether the place at [start, end) is the first part of a zone's name in its clause."""
    clause_end = CLAUSE_END.search(sentence, end)
    rest = sentence[start:clause_end.start() if clause_end else len(sentence)]
    return holds_zone_word(rest) and len(leading_zone(rest)) > end - start


def _title_zone(article: Article) -> str:
    """A named zone heading a news title (株洲高新区六大项目竣工…): the article's figures are about it."""
    if article.kind == "work_report" or not article.title:
        return ""
    zone = leading_zone(article.title)
    places = gazetteer().find(zone)
    return zone if places and places[0][0] == 0 and places[0][1] < len(zone) else ""


def _reference_date(article: Article, text: str, meta: SourceMeta) -> date | None:
    if article.kind == "work_report":
        head = text[article.start:min(article.end, article.body_start + 200)]
        m = _FULL_DATE.search(head)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
        # 关于2023年…计划执行情况与2024年计划草案的报告: delivered in the last year it names
        years = [int(y) for y in _YEAR_IN.findall(article.title or "")]
        if years:
            return date(max(years), 1, 1)
    if article.kind == "news" and meta.published is not None:
        return _period_end_of(meta)
    return article.dateline or _period_end_of(meta)


def _period_end_of(meta: SourceMeta) -> date | None:
    """A partly known publication date (2020-12) is read as its last day, so that 12月 is that December."""
    published = meta.published
    if published is None or meta.published_precision not in ("month", "year"):
        return published
    if meta.published_precision == "year":
        return date(published.year, 12, 31)
    next_month = date(published.year + published.month // 12, published.month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


def extract_article(text: str, article: Article, meta: SourceMeta, page: Page | None = None) -> list[Observation]:
    """The rows of one article of ``text``; ``page`` is the text as ``read_page`` cleaned it."""
    page = page or read_page(text)
    ctx = _ArticleContext(
        article=article,
        doc_id=_doc_id(article),
        publisher=article.publisher or meta.publisher,
        published=article.dateline if article.dateline and article.kind != "news" else (meta.published or article.dateline),
        ref=_reference_date(article, text, meta),
        home=_home_place(article, meta),
        is_report=article.kind == "work_report",
    )
    stop = _section_stop().search(text, article.body_start, article.end)
    norm = section(page.clean, text, article.body_start, stop.start() if stop else article.end)
    ctx.home = _topic_place(norm.text, article, ctx.home)
    ctx.topic_zone = _title_zone(article)
    if ctx.is_report and ctx.ref is not None:
        # a report reviews the year before it is delivered until it says otherwise
        prior = ctx.ref.year - 1
        ctx.carry = PeriodMention(0, 0, "", Period(date(prior, 1, 1), date(prior, 12, 31), "year", ""))
    rows: list[Observation] = []
    seen: set[tuple] = set()
    levels: dict[tuple, int] = {}  # each level reported, with the start of its first sentence
    for start, sentence in _sentences(norm, _heading_ends(text, article, norm)):
        for obs in _sentence_rows(sentence, start, norm, text, ctx):
            key = (obs.indicator, obs.region, obs.subject, obs.period_start, obs.period_end, obs.value, obs.yoy_pct,
                   obs.share_pct, obs.rank, obs.status)
            level = (obs.indicator, obs.unit, obs.value)
            # the same figure repeated in one article is one observation; one level given to several
            # items of one sentence (芜湖、宣城…均超300亿元) is one row each
            if key in seen or (levels.get(level, start) != start and _restated(obs)):
                continue
            seen.add(key)
            if obs.value is not None:
                levels.setdefault(level, start)
            rows.append(_emitted(obs, sentence, start, norm))
    return _headline_rows(text, page, article, ctx, rows) + rows


_BREAKDOWN_OPENS = regex.compile(r"其中")
_FIGURE_CHAR = regex.compile(r"[\d０-９%％倍成番万亿千百十两一二三四五六七八九]")


def _headline_rows(text: str, page: Page, article: Article, ctx: _ArticleContext,
                   body: list[Observation]) -> list[Observation]:
    """A news headline is a sentence too (一季度全市外贸进出口增长两成): its figures are rows unless
    the body reports the same indicator of the same place, which is the fuller mention.
    The headline is read with a copy of ``ctx`` carrying the body's first period: it sets nothing
    for the body."""
    if (article.kind != "news" or not article.title or article.body_start <= article.start
            or not _FIGURE_CHAR.search(article.title)):
        return []
    ctx = replace(ctx, carry=ctx.first_period, continued=False, semicolon_rows=[], last_area=None)
    told = {(r.indicator, r.region, r.status) for r in body}
    head = section(page.clean, text, article.start, article.body_start)
    rows = []
    for start, sentence in _sentences(head, set()):
        rows += [_emitted(r, sentence, start, head) for r in _sentence_rows(sentence, start, head, text, ctx)
                 if (r.indicator, r.region, r.status) not in told]
    return rows


SENTENCE_WINDOW = 300  # characters of ``sentence`` a row keeps around its figure
_CLAUSE_MARK = regex.compile(r"[,:;，；：、。!?！？]")


def _emitted(obs: Observation, sentence: str, offset: int, norm: NormalizedText) -> Observation:
    """The row as it leaves the article: with its id, and with ``sentence`` cut to a window around
    its figure (``offset``: the sentence's start in ``norm``). Text without sentence punctuation
    can make one sentence of megabytes, and every row of it storing the whole made memory and
    output grow with rows × length. The id is made here, once the row is kept: a figure repeated
    in the article is built again and dropped, and needs none."""
    if len(sentence) > SENTENCE_WINDOW:
        start = bisect.bisect_left(norm.offsets, obs.char_start) - offset
        end = bisect.bisect_left(norm.offsets, obs.char_end - 1) + 1 - offset
        obs.sentence = sentence_window(sentence, start, end)
    obs.obs_id = _obs_id(obs)
    return obs


def sentence_window(sentence: str, start: int, end: int) -> str:
    """At most SENTENCE_WINDOW characters of ``sentence`` around [start, end), the figure, about
    as much before it as after; a clause cut in two at either edge is left out."""
    if len(sentence) <= SENTENCE_WINDOW:
        return sentence
    end = min(end, start + SENTENCE_WINDOW)
    lo = max(0, start - (SENTENCE_WINDOW - (end - start)) // 2)
    hi = min(len(sentence), lo + SENTENCE_WINDOW)
    lo = max(0, hi - SENTENCE_WINDOW)  # near the sentence's end: the room left goes before the figure
    if lo > 0 and (mark := _CLAUSE_MARK.search(sentence, lo, start)):
        lo = mark.end()
    if hi < len(sentence):
        hi = max((m.end() for m in _CLAUSE_MARK.finditer(sentence, end, hi)), default=hi)
    return sentence[lo:hi]


# No real figure comes near this (10^16: ten thousand 万亿 yuan, ten times the world's GDP); a longer
# digit string is a table row or an ID run together, and beyond ~1e308 it is not even a float.
MAX_MEASURE = 1e16


_MEASURES = ("value", "yoy_pct", "share_pct")


def _real_measures(obs: Observation) -> bool:
    return all(getattr(obs, name) is None or abs(getattr(obs, name)) < MAX_MEASURE for name in _MEASURES)


def _too_large_error(obs: Observation) -> dict:
    name = next(n for n in _MEASURES if getattr(obs, n) is not None and not abs(getattr(obs, n)) < MAX_MEASURE)
    shown = obs.value_text if len(obs.value_text) <= 40 else obs.value_text[:39] + "…"
    return {"source_file": obs.source_file, "stage": "extract",
            "reason": f"figure too large to be real: {name} {getattr(obs, name):.3g} from {shown} "
                      f"at offset {obs.char_start}; row left out"}


def _restated(obs: Observation) -> bool:
    """A level already reported in the article, in a sentence that names neither its subject nor
    its period (六个项目的竣工投产推动年产值达十亿元), is that figure told again."""
    own_subject = obs.subject is not None and obs.subject in obs.sentence
    own_period = obs.period_text is not None and obs.period_text in obs.sentence
    return not own_subject and not own_period


# A numbered heading on a line of its own (二、工业和建筑业, （一）综合实力) ends a sentence even
# without punctuation; other unpunctuated line breaks are PDF wrapping and do not.
_HEADING = regex.compile(
    r"(?m)^[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])[^\n。!?;；！？]{0,30}?[ \t\u3000]*$")


def _heading_ends(text: str, article: Article, norm: NormalizedText) -> set[int]:
    ends = set()
    for m in _HEADING.finditer(text, article.body_start, article.end):
        ends.add(bisect.bisect_left(norm.offsets, m.end()))
    return ends


def _sentences(norm: NormalizedText, breaks: set[int]) -> list[tuple[int, str]]:
    out = []
    cuts = sorted(breaks)
    for m in _SENTENCE.finditer(norm.text):
        start = m.start()
        first = bisect.bisect_right(cuts, start)
        for cut in cuts[first:bisect.bisect_left(cuts, m.end(), first)]:
            out += _bounded(norm.text, start, cut)
            start = cut
        out += _bounded(norm.text, start, m.end())
    return out


MAX_SENTENCE = 400  # characters: a longer stretch without sentence punctuation is read in pieces
# where to cut, best first: a clause mark; where a figure and often its clause ends: a growth
# rate's percent sign, a count's classifier, a level's unit
_PIECE_CUTS = (regex.compile(r"[,:、]"), regex.compile("%"), regex.compile(r"(?<=\d)[个家项户]"),
               regex.compile(r"(?<=[\d万亿千百])(?:美元|元|人次)"))


def _bounded(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """The sentence text[start:end], in pieces of about MAX_SENTENCE characters when it is longer:
    cut after the last clause mark of each window, else after the last figure's end (a percent
    sign, a classifier, a unit), else at the first such place after the window. Text without punctuation (a table pasted as lines, a page's scripts) would
    otherwise make one sentence of megabytes, and every figure's look-back over it made
    extraction quadratic."""
    pieces = []
    while end - start > MAX_SENTENCE:
        lo, limit = start + MAX_SENTENCE // 2, start + MAX_SENTENCE
        marks = next((found for cuts in _PIECE_CUTS if (found := [m.end() for m in cuts.finditer(text, lo, limit)])), None)
        if marks:
            cut = marks[-1]
        else:
            after = next((m for cuts in _PIECE_CUTS if (m := cuts.search(text, limit, end))), None)
            cut = after.end() if after else end
        if cut >= end:
            break
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:end]))
    return pieces


def _sentence_rows(sentence: str, offset: int, norm: NormalizedText, original: str,
                   ctx: _ArticleContext) -> list[Observation]:
    year_hint = None
    carried = ctx.carry.period if ctx.carry is not None else None
    # 全年/年内 after "过去一年" or "2019年" mean that year, not the year the text was written
    if carried is not None and carried.end is not None and carried.type in ("year", "ytd", "quarter", "half", "month"):
        year_hint = carried.end.year
    hint_stated = ctx.carry is not None and bool(_WRITTEN_YEAR.search(ctx.carry.text))
    if ctx.head_status and _BREAKDOWN_OPENS.match(sentence):
        ctx.semicolon_status = ctx.semicolon_status or ctx.head_status  # 预计全年…。其中,…: its parts are estimates too
    periods = find_periods(sentence, ctx.ref, year_hint, hint_stated)
    if periods:
        names = _event_names(sentence)  # 三季度…云签约活动 is a name: its period is the name's
        periods = [p for p in periods if not any(n0 <= p.start and p.end < n1 for n0, n1 in names)]
    any_onward, onward = _scope_cues("onward")
    if any_onward is not None and any_onward.search(sentence):
        ctx.onward_status = next(status for cue, status in reversed(onward) if cue.search(sentence))
    figures = find_figures(sentence)
    rows: list[Observation] = []
    last_area = None
    mentions = find_mentions(sentence) if figures else []
    # with no indicator named here or carried from the sentence before, no figure can become a row
    if mentions or (figures and (ctx.previous_count or ctx.previous_measure)):
        places = sentence_places(sentence, ctx.home, tuple(mentions))
        zones = _ClauseZones(sentence, places)
        drafts = build_drafts(sentence, figures, mentions, ctx.previous_count, ctx.continued,
                              tuple(p.start for p in periods), ctx.previous_measure)
        earlier = _Earlier(own=rows, continued=ctx.semicolon_rows)
        # a breakdown (。其中,出口…) or a clause a ";" continues is about the area of the rows before
        # it (a city paper's report of its province's trade), unless it names its own
        area = ctx.last_area if ctx.last_area is not None and (ctx.continued or _BREAKDOWN_OPENS.match(sentence)) \
            else ctx.home
        for draft in drafts:
            found = _observation(draft, sentence, offset, norm, original, ctx, area, periods, places, zones, earlier)
            if found is None:
                continue
            obs, last_area = found
            rows.append(obs)
            earlier.previous = (draft, obs)
        counts = [d.mention for d in drafts if d.amount is not None and d.amount.kind == "count"]
        ctx.previous_count = counts[-1] if counts else None
        measures = [r.indicator for r in rows if r.unit != "count"]
        ctx.previous_measure = next((d.mention for d in reversed(drafts) if measures and d.mention.code == measures[-1]), None)
    else:
        ctx.previous_count = ctx.previous_measure = None
    carried_on = [p for p in periods if p.carries]
    event_days = [p for p in carried_on if p.period.type == "day"] if _event_words().search(sentence) else []
    spans = [p for p in carried_on if not ctx.is_report or _governs_report(p.period, ctx.ref)]
    if event_days:
        ctx.carry = event_days[-1]  # the sentences after an event's report go on about that day
    elif spans:
        ctx.carry = spans[-1]
    ctx.first_period = ctx.first_period or ctx.carry
    # a cue carries over a ";" only when it heads the list (预计:…;…), not when it follows a figure
    head_end = figures[0].start if figures else len(sentence)
    cue_status = _first_scope_status("clause", sentence, head_end)
    continued = sentence.rstrip().endswith((";", "；"))
    ctx.semicolon_status = (cue_status or ctx.semicolon_status) if continued else None
    ctx.head_status = cue_status
    ctx.semicolon_rows = rows if continued else []
    ctx.continued = continued
    ctx.last_area = last_area if rows else None
    return rows


_PLAN_REACH = 5  # years a report looks ahead (a five-year plan) or back (a five-year review)


def _governs_report(period: Period, ref: date | None) -> bool:
    """Whether a period a work report names governs its later sentences: the year reviewed, the
    year planned and five-year spans do; a day or month (2023年6月总书记考察, 11月6日至10日) or a
    single other year (到2028年建成) is about its own sentence."""
    if ref is None or period.end is None or period.start is None or period.type in ("day", "month"):
        return False
    if period.type == "year":
        return ref.year - 1 <= period.end.year <= ref.year
    return period.end.year <= ref.year + _PLAN_REACH and period.start.year >= ref.year - _PLAN_REACH - 1


# 、新开工120个: a list item with only an action word before its count
_BARE_LIST_ITEM = regex.compile(r"、[^,:;。、()\d]{1,5}")


@dataclass
class _Earlier:
    """The rows a sentence's row may take its kind of projects from."""
    own: list[Observation]  # the sentence's rows so far
    continued: list[Observation]  # the rows of the clause a ';' continues
    previous: tuple[Draft, Observation] | None = None  # the sentence's last row, with its draft


def _listed_kind(draft: Draft, code: str, sentence: str, earlier: _Earlier) -> str | None:
    """新引进亿元以上项目35个、新开工20个: a count listed after another, naming no kind of its own,
    counts the same kind of projects."""
    if earlier.previous is None:
        return None
    before, before_obs = earlier.previous
    if (not before_obs.subject or draft.amount is None or before.amount is None
            or draft.amount.kind != "count" or before.amount.kind != "count"
            or not (code.startswith("projects_") and before_obs.indicator.startswith("projects_"))
            or not _BARE_LIST_ITEM.fullmatch(sentence, before.amount.end, draft.amount.start)):
        return None
    return before_obs.subject


def _project_kind(draft: Draft, code: str, sentence: str, earlier: _Earlier) -> str | None:
    """在建重点项目48个,完成投资近20亿元: the investment is that of the kind of projects just counted
    in its sentence, or in the clause a ';' continues, unless that count was a part of a
    breakdown (其中…项目21个,引资额…;实际到位内资…: the breakdown ended with its clause);
    争取预算内投资项目24个,到位资金1.61亿元: also when that count is not a figure of ours."""
    if not follows_count(code):
        return None
    counts = [o for o in earlier.own if o.unit == "count" and o.indicator.startswith("projects_")] or [
        o for o in earlier.continued
        if o.unit == "count" and o.indicator.startswith("projects_") and o.rule != _BREAKDOWN_RULE]
    if counts:
        count = counts[-1]
        return count.subject or (count.indicator_text if count.indicator == "projects_key" else None)
    if m := _COUNTED_KIND_BEFORE.search(sentence, _previous_segment(sentence, draft.mention.start), draft.mention.start):
        return clean_subject(m["kind"]) or None
    return None


_BREAKDOWN_RULE = "count.breakdown"
# 争取预算内投资项目24个,到位资金…: a count of a kind of projects in the clause right before
_COUNTED_KIND_BEFORE = regex.compile(r"(?P<kind>[^,:;。、()]{2,24}?项目)[\d零〇一二三四五六七八九十百两]+个,(?:累计|共|实际)?$")


def _previous_segment(sentence: str, pos: int) -> int:
    """Start of the 、/clause segment before the one holding ``pos``: all a match that runs over
    one break up to ``pos`` can span."""
    own = break_before(sentence, _PHRASE_PUNCT, pos)
    return break_before(sentence, _PHRASE_PUNCT, own - 1) if own else 0


_WRITTEN_YEAR = regex.compile(r"(?:19|20)\d\d|[〇零一二三四五六七八九]{4}")


@cache
def _section_stop() -> regex.Pattern:
    return regex.compile("|".join(r["word"] for r in load_table("section_stops.csv", ("word",))))


@cache
def _event_words() -> regex.Pattern:
    return regex.compile("|".join(r["word"] for r in load_table("event_words.csv", ("word",))))


_NAME_BREAK = regex.compile(r"[,:;。、“”()]")
_MAX_NAME = 24


def _event_names(sentence: str) -> list[tuple[int, int]]:
    """Events' names: the words of their clause up to an event word (2024年一季度重大项目集中签约仪式)."""
    return [(max(break_before(sentence, _NAME_BREAK, m.start()), m.start() - _MAX_NAME), m.end())
            for m in _event_words().finditer(sentence)]


def _period_for(draft: Draft, sentence: str, anchor: int, periods: list[PeriodMention], ctx: _ArticleContext,
                own_subject: bool) -> PeriodMention | None:
    # 由2020年的7.2%提升至7.4%: a period joined by 的 to a figure is that figure's alone, or
    # that of the figures listed with it (从2021年的46503元和16935元)
    before = [p for p in periods if p.end <= anchor and (
        not _OWN_FIGURE.match(sentence, p.end) or _LISTED_FIGURES.fullmatch(sentence, p.end + 1, anchor))]
    days = [p for p in before if p.period.type == "day"]
    if days and _event_words().search(sentence):
        return days[-1]  # one event: its figures belong to its day
    if before:
        return before[-1]
    if own_subject and draft.mention.code == "project_investment":
        return None  # the total investment of one named project has no period
    # a period after the figure governs it only when no earlier sentence set one; from a later
    # clause only a span of the year (将新开工项目50个,力争全年完成投资…), not a date, which is that
    # clause's event (该项目总投资120亿元,拟于明年6月建成投产)
    if ctx.carry is not None:
        return ctx.carry
    after = [p for p in periods if p.start >= anchor]
    if not after or (after[0].period.type in ("day", "month")
                     and break_before(sentence, CLAUSE_END, after[0].start) > anchor):
        return None
    return after[0]


_OWN_FIGURE = regex.compile(r"的[\d一二三四五六七八九十两]")
_LISTED_FIGURES = regex.compile(r"(?:\d[^,:;。、和与及]{0,11}[、和与及])*")


@lru_cache(maxsize=256)
def _first_start(cue: regex.Pattern, sentence: str) -> float:
    """Where ``cue`` first occurs in ``sentence`` (inf: nowhere); asked once per figure."""
    m = cue.search(sentence)
    return m.start() if m else float("inf")


def _status(sentence: str, anchor: int, period: Period | None, ctx: _ArticleContext) -> str:
    clause_status = None
    past = period is not None and period.end is not None and ctx.ref is not None and period.end < ctx.ref
    segment = _clause_start_before(sentence, anchor)
    any_segment_cue = _scope_cues("segment")[0]
    in_segment = any_segment_cue is not None and any_segment_cue.search(sentence, segment, anchor) is not None
    for cue, status, scope in _status_cues():
        if scope == "clause_weak" and past:
            continue
        if scope in ("clause", "clause_weak") and _first_start(cue, sentence) < anchor:
            clause_status = clause_status or status
        if scope == "segment" and in_segment and cue.search(sentence, segment, anchor):
            clause_status = clause_status or status
    clause_status = clause_status or ctx.semicolon_status  # 预计…;…;… : the cue covers the whole list
    if clause_status == "estimate" or (clause_status is None and ctx.onward_status == "estimate"):
        status = "estimate"
    else:
        status = clause_status or "actual"
    if ctx.is_report and ctx.ref is not None and period is not None and period.start is not None:
        if period.start.year >= ctx.ref.year and status != "estimate":
            return "target"
        if period.end is not None and period.end.year < ctx.ref.year and status == "target" and clause_status is None:
            return "actual"
    if ctx.onward_status == "target" and status == "actual" and not ctx.is_report:
        return "target"
    if status == "actual" and period is not None and period.end is not None and ctx.ref is not None \
            and period.end.year > ctx.ref.year:
        return "target"  # 用3年时间突破1000亿元: a period ending in a later year has no results yet
    return status


def _observation(draft: Draft, sentence: str, offset: int, norm: NormalizedText, original: str,
                 ctx: _ArticleContext, area: Place | None, periods: list[PeriodMention],
                 places: list[tuple[int, int, Place]], zones: _ClauseZones,
                 earlier: _Earlier) -> tuple[Observation, Place | None] | None:
    """The draft's row and the area it is filed under (``area`` unless the sentence names one)."""
    anchor_start, anchor_end = draft.anchor
    mention = draft.mention
    if _in_circumstance(sentence, anchor_start) and not _in_circumstance(sentence, mention.start):
        return None  # 外贸在对美贸易下降超3成的情况下增长12%: the 3成 is not the trade's
    region = area
    drop: list[str] = [p.text for p in periods]
    subject = ""
    list_place = None
    if draft.subject is not None:
        found = gazetteer().find(draft.subject, context=area)
        rest = draft.subject[found[0][1]:] if found else ""
        if found and found[0][0] == 0 and (len(rest) <= 1 or _PLACE_GROUP.fullmatch(rest)):
            list_place = found[0][2]
        else:
            subject = clean_subject(draft.subject, tuple(drop))
    if list_place is not None:
        region = list_place
    else:
        before = [p for p in places if p[1] <= max(anchor_start, mention.end)]
        if before and not wider_elsewhere(before[-1], region, sentence, anchor_start):
            region = before[-1][2]
    # a place that opens a zone's name (株洲高新区) stays in the subject: the zone is named by both
    drop += [sentence[s:e] for s, e, _ in places if not _opens_zone_name(sentence, s, e)]
    if draft.subject is None:
        parent = draft.extra.get("parent")
        subject = mention.subject or _context_subject(draft, sentence, drop)
        if not subject and parent is not None:
            subject = parent.subject or parent.mention.subject or _context_subject(parent, sentence, drop)
    if subject and not names_a_part(subject, mention.code):
        subject = ""
    if not subject and (aspect := _ASPECT.match(sentence)) and draft.subject is None:
        subject = clean_subject(aspect["topic"], tuple(drop))  # 公路方面,新开工…项目2个: the aspect is the part
    if not subject:
        subject = zones.topic(anchor_start, ctx.topic_zone)
    code = by_sector(mention.code, subject)
    if code is None:
        return None
    if draft.amount is None and draft.growth is None and (
            _SHARE_OF_GDP.match(sentence, draft.share.lead_start)
            or (code == "gdp" and _BASE_UNNAMED.match(sentence, draft.share.lead_start))):
        return None  # a share of GDP stated alone (制造业增加值占地区生产总值比重33.5%, 民营经济增加值占比61.6%) is no figure
    period_mention = _period_for(draft, sentence, anchor_start, periods, ctx, bool(subject))
    period = period_mention.period if period_mention else None
    if period is not None and period_mention is not None and (period_mention is ctx.carry or period_mention.end <= anchor_start):
        lead = sentence[_clause_start_before(sentence, anchor_start):anchor_start]
        period = in_span(period, code, draft.amount is not None or draft.share is not None, lead,
                         draft.amount is None and draft.share is not None)
        if period is None:
            return None  # 五年增长30.8%: a level's growth over several years is no yoy_pct
    status = _status(sentence, anchor_start, period, ctx)
    if (status == "target" and period_mention is ctx.carry and period is not None and period.end is not None
            and ctx.ref is not None and period.end.year < ctx.ref.year):
        # a goal is about the future: a past period carried from earlier sentences does not govern it
        year = ctx.ref.year
        period_mention = PeriodMention(0, 0, "", Period(date(year, 1, 1), date(year, 12, 31), "year", ""))
        period = period_mention.period
    elif (status in ("target", "estimate") and period_mention is not None and ctx.ref is not None
          and (current := not_yet_ended(period_mention, ctx.ref)) is not None):
        # 全年力争…, 预计上半年… written in June: the year still running, not the last one that ended
        period_mention = replace(period_mention, period=current)
        period = current
    if not subject:
        # read last, as the rows these kinds come from are: the period and status above follow
        # from what the sentence itself names
        subject = (_project_kind(draft, code, sentence, earlier) or _listed_kind(draft, code, sentence, earlier)
                   or "")
    amount = draft.amount
    growth = draft.growth
    start, end = norm.original_span(offset + anchor_start, offset + anchor_end)
    value_text = _WHITESPACE.sub("", original[start:end])
    bound = amount.bound if amount else (growth.bound if growth else draft.share.bound)
    unit = None
    if amount is not None:
        unit = amount.unit
    obs = Observation(
        doc_id=ctx.doc_id,
        source_file=ctx.article.source_file,
        publisher=ctx.publisher,
        published=ctx.published,
        province=region.province if region else None,
        city=region.city if region else None,
        region=region.name if region else None,
        region_level=region.level if region else None,
        subject=subject or None,
        indicator=code,
        indicator_text=mention.text,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        period_type=period.type if period else "unknown",
        period_text=period_mention.text if period_mention and period_mention.text else None,
        value=amount.value if amount else None,
        unit=unit,
        value_text=value_text,
        bound=bound,
        yoy_pct=growth.pct if growth else None,
        share_pct=draft.share.pct if draft.share else None,
        rank=draft.rank.rank if draft.rank else None,
        rank_scope=draft.rank.scope if draft.rank else None,
        status=status,
        sentence=sentence,
        char_start=start,
        char_end=end,
        rule=draft.rule,
        value_high=amount.high if amount else None,
        yoy_pct_high=growth.high if growth else None,
    )
    return obs, region


_WHITESPACE = regex.compile(r"\s+")
_ASPECT = regex.compile(r"(?P<topic>[^,:;。()\d]{2,8}?)方面,")
_BASE_UNNAMED = regex.compile(r"(?:占比|比重)(?:达到|达|为|超过|提高到|提升到)?[\d.]")
_SHARE_OF_GDP = regex.compile(r"占(?:全省|全市|全国|全区)?(?:地区生产总值|生产总值|GDP|经济总量)")


@cache
def _circumstance() -> regex.Pattern:
    return regex.compile(rule_list("circumstance"))


@lru_cache(maxsize=64)  # a sentence's drafts ask about the same sentence
def _circumstance_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _circumstance().finditer(sentence)) if "下" in sentence else ()


def _in_circumstance(sentence: str, pos: int) -> bool:
    """Whether ``pos`` lies in a clause that sets the circumstance of the sentence's figure
    (在…的情况下): such a clause is about its own subject."""
    return any(start <= pos < end for start, end in _circumstance_spans(sentence))


def _context_subject(draft: Draft, sentence: str, drop: list[str]) -> str:
    mention = draft.mention
    amount = draft.amount
    if isinstance(amount, Amount) and amount.kind == "count":
        if amount.start >= mention.end:
            between = clean_subject(sentence[mention.end:amount.start], tuple(drop))
            if between:
                return between
            if amount.noun:  # 培育5家上市公司: the noun after the count says what is counted
                return clean_subject(amount.noun, tuple(drop))
            return (clean_subject(_leading_phrase(sentence, mention.start), tuple(drop))
                    or _list_topic(sentence, mention.start, drop))
        return clean_subject(amount.noun, tuple(drop)) if amount.noun else ""
    named = _NAMED_PROJECT.match(sentence, amount.end) if amount is not None and mention.code == "project_investment" else None
    if named:  # 华翔公司投资3.2亿元的高阻隔薄膜项目: the project is the subject, not its investor
        return clean_subject(named["subject"], tuple(drop))
    subject = clean_subject(_leading_phrase(sentence, mention.start), tuple(drop))
    if not subject:
        subject = _topic_subject(sentence, mention.start, drop)
    if not subject and mention.code == "project_investment" and amount is not None:
        # 投资280万元完成集镇提质改造, 投资1.65亿的XX公司: the project follows the amount
        m = _PROJECT_AFTER.match(sentence, amount.end)
        if m:
            subject = clean_subject(m["subject"], tuple(drop))
    return subject


# 民营企业为外贸主力军,实现进出口23.3亿元: the clause before names the topic, this one acts on it
_TOPIC_CLAUSE = regex.compile(r"(?P<topic>[^,:;。()]{2,12}?)(?:为|是|作为|成为)[^,:;。()]{1,12},(?:实现|完成|达到|累计)?$")


# 招商平台机构累计引荐项目58个、促成落户13个: the clause's topic, before an adverb of accumulation
_CLAUSE_TOPIC = regex.compile(r"(?P<topic>[^,:;。、()\d]{2,12}?)(?:累计|共计|先后|已经|已)")


def _list_topic(sentence: str, item_start: int, drop: list[str]) -> str:
    """The topic of the clause a bare list item (、促成落户13个) belongs to."""
    if sentence[item_start - 1:item_start] != "、":
        return ""
    m = _CLAUSE_TOPIC.match(sentence, _clause_start_before(sentence, item_start))
    return clean_subject(m["topic"], tuple(drop)) if m else ""


def _topic_subject(sentence: str, mention_start: int, drop: list[str]) -> str:
    clause = _clause_start_before(sentence, mention_start)
    if clause == 0:
        return ""
    # the topic clause is the whole clause before the mention's own
    m = _TOPIC_CLAUSE.match(sentence, _clause_start_before(sentence, clause - 1), mention_start)
    return clean_subject(m["topic"], tuple(drop)) if m else ""


def _clause_start_before(sentence: str, pos: int) -> int:
    return break_before(sentence, CLAUSE_END, pos)




# a zone heading a clause is named in its first characters (after lead words such as 力争):
# the rest of a long unpunctuated clause is not read for it
_ZONE_REACH = 64


class _ClauseZones:
    """The zone or park heading each clause of one sentence, found once per sentence (a zone
    name never runs over a clause break), with the places named in it."""

    def __init__(self, sentence: str, places: list[tuple[int, int, Place]]) -> None:
        self.sentence = sentence
        self.starts = [0] + [m.end() for m in _CLAUSE_START.finditer(sentence)]
        self.ends = [m.start() for m in _CLAUSE_START.finditer(sentence)] + [len(sentence)]
        self.any_zone = holds_zone_word(sentence)  # most sentences name none: no clause is read for one
        self.zones = [self._zone(s, e) for s, e in zip(self.starts, self.ends)]
        # for each clause, the latest clause up to it that has a zone (-1: none)
        self.last_zone: list[int] = []
        for i, zone in enumerate(self.zones):
            self.last_zone.append(i if zone else (self.last_zone[-1] if i else -1))
        self.place_starts = sorted(p_start for p_start, _, _ in places)

    def _zone(self, start: int, end: int) -> str:
        """The zone heading sentence[start:end], read in its first _ZONE_REACH characters."""
        return leading_zone(self.sentence[start:min(end, start + _ZONE_REACH)]) if self.any_zone else ""

    def topic(self, anchor: int, title_zone: str) -> str:
        """A zone that heads an earlier clause of the sentence (园区新签项目23个,税收实现翻番), else
        the article's title zone; a place named after it (…,全县…) ends its reach."""
        i = bisect.bisect_right(self.starts, anchor) - 1
        zone, zone_end = self._zone(self.starts[i], anchor), anchor
        if not zone and i > 0 and (j := self.last_zone[i - 1]) >= 0:
            zone, zone_end = self.zones[j], self.ends[j]
        if not zone:
            zone, zone_end = title_zone, 0  # the title's zone reaches up to the first place named
        k = bisect.bisect_left(self.place_starts, zone_end)
        return "" if k < len(self.place_starts) and self.place_starts[k] < anchor else zone


_CLAUSE_START = regex.compile(r"[,:;]")


_NAMED_PROJECT = regex.compile(r"的(?P<subject>[^,:;。、等的]{2,20}?项目)")
# what a sum was invested in, named right after it
_PROJECT_AFTER = regex.compile(r"(?:的|用于|完成|新建了?|建立|建设|启动|实施)(?P<subject>[^,:;。、等]{2,20}?)(?=[,:;。、等]|$|基本|正式|顺利|已)")

# a number (with its classifier: 4个) ends the phrase before it, except inside a size label
# (100亿元以上企业); a date's number ends it after its date word (5月份全市… -> 全市…)
_PHRASE_PUNCT = regex.compile(r"[,:;。、()]")
_PHRASE_BREAK = regex.compile(rf"{_PHRASE_PUNCT.pattern}|\d+(?:月份?|年度?|季度|日|号)|\d(?![\d.]*[万亿]*元?以上)(?:[个家项](?![目体庭]))?")


def _leading_phrase(sentence: str, end: int) -> str:
    # only the stretch after the last punctuation can hold a break: look no further back
    start = break_before(sentence, _PHRASE_PUNCT, end)
    last = None
    for m in _PHRASE_BREAK.finditer(sentence, max(start, end - _PHRASE_REACH), end):
        last = m
    if last is None and end - start > _PHRASE_REACH:  # a long stretch: the break may lie further back
        for m in _PHRASE_BREAK.finditer(sentence, start, end):
            last = m
    return sentence[last.end() if last else start:end]


_PHRASE_REACH = 40  # a leading phrase is short: the last break is almost always this close


def _doc_id(article: Article) -> str:
    stem = article.source_file.rsplit(".", 1)[0]
    return f"{stem}#{article.index:03d}"


def _obs_id(obs: Observation) -> str:
    key = "|".join(str(x) for x in (
        obs.source_file, obs.char_start, obs.char_end, obs.indicator, obs.subject, obs.region,
        obs.period_start, obs.period_end, obs.value, obs.yoy_pct, obs.share_pct, obs.status))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _document_row(article: Article, meta: SourceMeta, n_observations: int) -> dict:
    return {
        "doc_id": _doc_id(article),
        "source_file": article.source_file,
        "publisher": article.publisher or meta.publisher,
        "published": meta.published if article.kind == "news" or not article.dateline else article.dateline,
        "city": meta.city,
        "province": meta.province,
        "title": article.title,
        "kind": article.kind,
        "char_start": article.start,
        "char_end": article.end,
        "n_observations": n_observations,
        "meta_source": meta.meta_source,
    }


def extract_text(text: str, meta: SourceMeta) -> list[Observation]:
    """The rows of one text handled as a whole file (for table-driven tests and fuzzing)."""
    result = process_file(meta.source_file, text.encode("utf-8"), meta)
    if result.errors:
        raise InputError(result.errors[0]["stage"], result.errors[0]["reason"])
    return result.observations
