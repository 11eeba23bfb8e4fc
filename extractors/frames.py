"""Group one sentence's figures into draft rows: which indicator each figure measures.

Input: a cleaned sentence, its figures (figures.py) and its indicator mentions
(resolve/indicators.py). Output: ``Draft`` rows with the indicator, the figure(s) and the
subject the wording gives. Region, period and status are resolved later, in extract.py.

The rules, in the order Chinese reporting uses them:
- a money amount measures the nearest indicator before it that is measured in money;
- a count measures the count indicator of its own 、-segment (签约/开工/新增 + 项目/企业), the
  first one before it, else one after it in the same clause (17个项目成功签约);
- a growth rate joins the row of the indicator it follows, or makes a growth-only row;
- 分别 lists give one row per listed item, and a list of growth rates is spread over the rows
  it follows;
- a share or a rank joins the row it follows.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from functools import cache

import regex

from .figures import CLAUSE_END, LIST_MARKS, Amount, Figure, Growth, Rank, Share, break_before, rule_list
from .resolve.indicators import Mention
from .resolve.subjects import clean_subject, compact_parts, share_head
from .vocab import load_table

_CLAUSE_BREAK = regex.compile(rf"[,:;。(){LIST_MARKS}]")
_SEGMENT_BREAK = regex.compile(rf"[,:;。、(){LIST_MARKS}]")
# The items of a 分别 list: X、Y和Z before 分别 or before the indicator.
# "and" between Chinese words: scraped pages that ran a translation tool over part of a sentence
_LIST_JOIN = regex.compile(r"、|和|及|与|以及|(?<=\p{Han})and(?=\p{Han})")
_LIST_END = regex.compile(r"等|为|是|分别|均")
_LIST_LEAD = regex.compile(r".*(?:依次为|依次是|分别为|分别是|为|是|包括)")
_EACH = regex.compile(r"均|都")
# An amount that only labels a kind of thing (亿元以上项目, 5000万元以上产业项目) is not a figure.
_LABEL_AFTER = regex.compile(r"(?:以上|以下)的?[^\d,:;。、]{0,6}?(?:项目|企业)|(?:项目|企业)")
_MILESTONE_AFTER = regex.compile(r"大关|关口|台阶")
_REACHED_AFTER = regex.compile(r"[,、](?:达到|达|为)")
# 新增4个过五百亿的县市, 2个经济总量超千亿元的县: an amount after a count in its own item, with only
# a measure's name and a threshold word between, is the class of the things counted
_COUNT_NUMERAL = r"[\d一二三四五六七八九十两]"
_COUNTED_CLASS = regex.compile(rf"(?<!第){_COUNT_NUMERAL}+[个家](?P<between>[^\d,:;。、]{{0,10}})$")
# a class ends right before the amount: a numeral and classifier at most 12 characters back
# start the only stretch worth searching (a long unpunctuated segment is not rescanned)
_COUNTED_TAIL = regex.compile(rf"{_COUNT_NUMERAL}[个家][^\d,:;。、]{{0,10}}$")
_COUNTED_TAIL_REACH = 12
_NUMERAL_CHAR = regex.compile(_COUNT_NUMERAL)
_THRESHOLD = regex.compile(r"(?:超过|超|过|近|达到|达|突破|逾)?")


def counted_class_before(sentence: str, segment: int, end: int) -> regex.Match | None:
    """``_COUNTED_CLASS.search(sentence, segment, end)``, without scanning the whole segment."""
    tail = _COUNTED_TAIL.search(sentence, max(segment, end - _COUNTED_TAIL_REACH), end)
    if tail is None:
        return None
    lo = tail.start()  # back to the start of its numerals: no match can start before them
    while lo > segment and _NUMERAL_CHAR.match(sentence, lo - 1):
        lo -= 1
    return _COUNTED_CLASS.search(sentence, lo, end)


def _counted_class(sentence: str, amount: Amount, mentions: "_Mentions") -> bool:
    """Whether ``amount`` only names the class of things a count before it counts (a threshold);
    56个项目累计完成投资31.2亿元 is a figure of those projects."""
    m = counted_class_before(sentence, _segment_start(sentence, amount.start), amount.start)
    if m is None:
        return False
    rest, pos = "", m.start("between")
    for mention in mentions.within(pos, amount.start):
        rest += sentence[pos:mention.start]
        pos = mention.end
    rest += sentence[pos:amount.start]
    return bool(_THRESHOLD.fullmatch(rest))
_PAREN = regex.compile(r"\([^()]*\)")


@dataclass
class Draft:
    mention: Mention
    amount: Amount | None = None
    growth: Growth | None = None
    share: Share | None = None
    rank: Rank | None = None
    subject: str | None = None  # set by a 分别 list or a counted noun; None: decide from context
    rule: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def anchor(self) -> tuple[int, int]:
        """The span the row points at: its amount, else its growth, else its share."""
        fig = self.amount or self.growth or self.share
        assert fig is not None
        return fig.start, fig.end


@cache
def _count_nouns() -> dict[str, tuple[regex.Pattern, str]]:
    rows = load_table("count_nouns.csv", ("code", "noun", "classifier"))
    return {r["code"]: (regex.compile(r["noun"]), r["classifier"]) for r in rows}


@cache
def _count_total_verb() -> regex.Pattern:
    return regex.compile(rule_list("count_total_verb"))


def _kind_fits(mention: Mention, amount: Amount) -> bool:
    if amount.kind == "scaled":
        return mention.kind == "money"
    return mention.kind == amount.kind


def _count_fits(phrase: str, mention: Mention, amount: Amount) -> bool:
    """Whether ``phrase`` (the count's own list item, without the count) names what the indicator counts."""
    noun, classifiers = _count_nouns().get(mention.code, (None, ""))
    if noun is None:
        return False
    classifier = amount.text[-1]
    return (classifier in classifiers.split("|") and bool(noun.search(phrase))
            and not _count_not_started().search(phrase))


class _Mentions:
    """A sentence's mentions (left to right, never overlapping, so their starts and ends are both
    sorted), looked up by position without scanning them all for every figure."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.items = mentions
        self.starts = [m.start for m in mentions]
        self.ends = [m.end for m in mentions]

    def within(self, lo: int, hi: int) -> list[Mention]:
        """Those lying inside [lo, hi)."""
        return self.items[bisect.bisect_left(self.starts, lo):bisect.bisect_right(self.ends, hi)]

    def starting_in(self, lo: int, hi: int) -> list[Mention]:
        return self.items[bisect.bisect_left(self.starts, lo):bisect.bisect_left(self.starts, hi)]

    def ending_by(self, pos: int) -> int:
        """How many end at or before ``pos``."""
        return bisect.bisect_right(self.ends, pos)


# an item of a list with its value in brackets (长沙(1856.3亿元)), and the list's next items
_PAREN_ITEM = regex.compile(r"(?:^|(?<=[,:;、和]))(?P<item>[^,:;。、()\d]{1,12})\($")
_MORE_PAREN_ITEMS = regex.compile(r"(?:(?:、|和|及)[^,:;。、()\d]{1,12}\([^()]{1,24}\))*")


def _paren_listed(sentence: str, amount: Amount, mentions: _Mentions) -> tuple[Mention, str] | None:
    """The indicator named right after a list of items with their values in brackets, and the
    item ``amount`` (in its brackets) belongs to; None elsewhere."""
    open_ = sentence.rfind("(", 0, amount.start)
    close = sentence.find(")", amount.end)
    if open_ < 0 or close < 0 or not _FIGURE_ONLY.fullmatch(sentence, open_ + 1, close):
        return None
    item = _PAREN_ITEM.search(sentence, max(0, open_ - 13), open_ + 1)
    rest = _MORE_PAREN_ITEMS.match(sentence, close + 1)
    after = mentions.starting_in(rest.end(), rest.end() + 1)
    return (after[0], item["item"]) if item and after and _kind_fits(after[0], amount) else None


_FIGURE_ONLY = regex.compile(r"[^()]{1,24}")


def _money_mention(mentions: _Mentions, amount: Amount) -> Mention | None:
    for i in range(mentions.ending_by(amount.start) - 1, -1, -1):
        if _kind_fits(mentions.items[i], amount):
            return mentions.items[i]
    return None


@cache
def _count_not_started() -> regex.Pattern:
    return regex.compile(rule_list("count_not_started"))


@cache
def _breakdown_lead() -> regex.Pattern:
    return regex.compile(rule_list("breakdown_lead"))


@cache
def _count_level_before() -> regex.Pattern:
    return regex.compile(rf"(?<=(?:{rule_list('count_level_before')}))")


@cache
def _noun_before_count() -> regex.Pattern:
    nouns = "|".join(n.pattern for n, _ in _count_nouns().values())
    return regex.compile(rf"(?<=(?:{nouns})(?:近|约|超过?|逾|达到?|共|计)?)")


def _counts_something_else(sentence: str, amount: Amount, mentions: _Mentions) -> bool:
    """10个村, 50个工作日: a word after the count that is neither what the indicators count nor
    an action (17个成功签约) nor the end of the phrase names something else being counted; and
    从1家增长至22家 counts levels, not new ones."""
    # both checked as lookbehinds at the number: what ends right before it
    if _count_level_before().match(sentence, amount.start):
        return True
    if amount.noun or _noun_before_count().match(sentence, amount.start):
        return False  # 项目17个成功落地: what is counted is named right before the number
    after = amount.tail if amount.tail >= 0 else amount.end
    while m := _NEXT_LISTED_COUNT.match(sentence, after):
        after = m.end()  # 50个、70个工作日: the items of a list count the same thing
    if after >= len(sentence) or not _HAN.match(sentence, after):
        return False
    return not mentions.starting_in(after, after + _ACTION_GAP + 1)


# 15个产业平台落地项目2200个: the action has a count of its own ahead; the first only counts the actors
_OWN_COUNT_AHEAD = regex.compile(r"[^\d,:;。、]{0,8}?[\d零〇一二三四五六七八九十百千万两.]+[个家项宗户]")
_HAN = regex.compile(r"\p{Han}")
_ACTION_GAP = 2  # an adverb may stand between a count and its action: 17个成功签约
_NEXT_LISTED_COUNT = regex.compile(r"、[\d.零〇一二三四五六七八九十百千万两]+[个家项宗户]")


def _segment_start(sentence: str, pos: int) -> int:
    """Start of the 、-item holding ``pos``; examples listed before 等 belong to the item they
    lead into: 新引进A、B、C等项目36个 is one item."""
    seg_start = break_before(sentence, _SEGMENT_BREAK, pos)
    if sentence[seg_start - 1:seg_start] == "、" and "等" in sentence[seg_start:pos]:
        return break_before(sentence, _CLAUSE_BREAK, pos)
    return seg_start


def _count_mention(sentence: str, mentions: _Mentions, amount: Amount) -> Mention | None:
    seg_start = _segment_start(sentence, amount.start)
    before = [m for m in mentions.within(seg_start, amount.start) if m.kind == "count"]
    # what is counted may be named earlier in the clause: 引荐项目58个、促成落户13个
    clause_start = break_before(sentence, _CLAUSE_BREAK, amount.start)
    phrase = sentence[clause_start:amount.start] + amount.noun
    own = sentence[seg_start:amount.start] + amount.noun
    for m in before:
        if _count_fits(phrase, m, amount) and not _noun_not_head(own, m):
            return m
    # the action word must sit in the count's own list item: 引荐项目58个、促成落户13个
    clause_end_m = _SEGMENT_BREAK.search(sentence, amount.end)
    clause_end = clause_end_m.start() if clause_end_m else len(sentence)
    for m in mentions.starting_in(amount.end, clause_end):
        # after the number only an action word names the count (17个项目成功签约); a noun
        # there (17个重大项目) only labels what is counted
        if (m.verb_only and not _OWN_COUNT_AHEAD.match(sentence, m.end, clause_end)
                and _count_fits(sentence[clause_start:amount.start] + sentence[amount.end:m.end], m, amount)):
            return m
    return None


_HEAD_TAIL = 2  # characters a counted noun may be followed by and still head its phrase (企业数)


def _noun_not_head(item: str, mention: Mention) -> bool:
    """新增国家中小企业特色产业集群7个: the counted noun (企业) is inside the item but another noun
    (集群) heads it, so the count is of something else."""
    noun = _count_nouns()[mention.code][0]
    found = list(noun.finditer(item))
    return bool(found) and len(item) - found[-1].end() > _HEAD_TAIL


def _list_items(sentence: str, end: int, floor: int, n: int | None = None) -> list[tuple[str, int]]:
    """The X、Y和Z items ending at ``end`` (not before ``floor``), with their start offsets.
    With ``n`` (how many values the list must take) a split into exactly ``n`` items is
    preferred: 金融业、软件和信息服务业 are two items, 城镇和农村居民 two without a 、."""
    start = max(floor, break_before(sentence, _CLAUSE_BREAK, end))
    segment = sentence[start:end]
    if not _has_list(segment, n):
        # the list may sit in the clause before: 欧盟、美国和东盟为前三大贸易伙伴,分别…
        prev_end = start - 1
        if prev_end <= floor:
            return []
        start = max(floor, break_before(sentence, _CLAUSE_BREAK, prev_end))
        segment = sentence[start:prev_end]
        if not _has_list(segment, n):
            return []
    first_join = _LIST_JOIN.search(segment)
    cut = _LIST_END.search(segment, first_join.start())
    if cut:
        segment = segment[: cut.start()]
    if lead := _LIST_LEAD.match(segment, 0, first_join.start()):  # 增速居前三位的依次为A、B和C
        segment, start = segment[lead.end():], start + lead.end()
    splits = [_split(segment, start, _LIST_JOIN)]
    if n is not None and "、" in segment:
        splits.append(_split(segment, start, _ENUMERATION_COMMA))
    items = next((s for s in splits if len(s) == n), splits[0])
    if len(items) > 1 and len(items[-1][0]) > 1:
        # 城、乡居民: a one-character item shares the head noun of the last item
        head = items[-1][0][1:]
        items = [(t + head if len(t) == 1 else t, s) for t, s in items]
    return list(zip(share_head([t for t, _ in items]), [s for _, s in items]))


_ENUMERATION_COMMA = regex.compile("、")


# 快递业务量增长20.8%, 开行数量增长39.6%: a measure word of the growth's own clause that no term knows
_MEASURE_BEFORE_GROWTH = regex.compile(r"\p{Han}(?:额|量|数|指数|价格|规模)(?:同比|累计|分别)?$")


_MEASURE_BEFORE_AMOUNT = regex.compile(r"\p{Han}(?:额|量|规模)(?:达到|达|突破|超过|超|为|约|近|增至|提高到|提升到)?$")
_RESTATED = regex.compile(r"(?:折合|约合|折)(?:人民币)?约?$")
_RESTATED_REACH = 5
# 较“十三五”末净增1万亿元, 比上年增加320亿元: a change of a level in money, not a level
_INCREMENT = regex.compile(r"(?:净增加|净增|增加了|增加|增长了|多增|增量|新增)(?:超过|超|近|约|达)?$")


def _own_measure(sentence: str, mention: Mention, figure: Growth | Amount,
                 measure: regex.Pattern = _MEASURE_BEFORE_GROWTH) -> bool:
    """Whether the figure's own clause names a measure of its own after the last mention (in an
    earlier clause): the figure is that measure's, not the mention's."""
    clause_start = break_before(sentence, _CLAUSE_BREAK, figure.start)
    return mention.end <= clause_start and bool(measure.search(sentence, clause_start, figure.start))


_VALUE_JOIN = regex.compile(r"(?:、|和|及|与|,)?")
_LISTED_GAP = 8  # what may stand between two listed indicators: 、 and a modifier (、规上服务业)


def _listed_mentions(sentence: str, mentions: "_Mentions", values_start: int, n: int | None = None) -> list[Mention]:
    """The indicators a 分别 list of values is spread over, when the clause before the values
    names two or more (exactly ``n`` when given) joined by 、/和/及/与; else []."""
    clause_start = break_before(sentence, CLAUSE_END, values_start)
    listed = mentions.within(clause_start, values_start)
    if len(listed) < 2 or (n is not None and len(listed) != n):
        return []
    for a, b in zip(listed, listed[1:]):
        between = sentence[a.end:b.start]
        if len(between) > _LISTED_GAP or not _LIST_JOIN.search(between):
            return []
    if "分别" not in sentence[listed[-1].end:values_start]:
        return []
    return listed


# adverbs and verbs between a part's name and its growth: 股份制企业同比增长
_BEFORE_GROWTH = regex.compile(r"(?:同比|比上年|比去年同期|比上年同期|分别|累计|全年|均|也|则|亦|实现|达到|达|同口径|可比口径|按可比价格计算)+$")
_OWN_PART_MIN = 2
_ECONOMY = regex.compile(r"经济$")  # 数字经济, 县域经济: a part of GDP, never of another indicator


def _own_part(sentence: str, mention: Mention, growth: Growth) -> str | None:
    """国有控股企业增加值增长3.9%,股份制企业增长6.2%: a growth in a later clause than its indicator,
    after a part named in its own clause, is that part's (None: decide from the context)."""
    clause_start = break_before(sentence, CLAUSE_END, growth.start)
    if clause_start <= mention.end:
        return None
    part = _BEFORE_GROWTH.sub("", sentence[clause_start:growth.start])
    return part if len(part) >= _OWN_PART_MIN else None


def _compact_items(sentence: str, mention: Mention, n: int) -> list[tuple[str, int]]:
    """城乡居民人均可支配收入分别…: the parts a compact word before or in the mention names."""
    start = break_before(sentence, _SEGMENT_BREAK, mention.start)
    word = mention.subject or sentence[start:mention.start]
    return [(part, mention.start) for part in compact_parts(word, n)]


def _has_list(segment: str, n: int | None) -> bool:
    """A 、 list, or (when the number of values is known) items joined by 和/及/与 alone."""
    return "、" in segment or (n is not None and n > 1 and bool(_LIST_JOIN.search(segment)))


def _split(segment: str, start: int, joins: regex.Pattern) -> list[tuple[str, int]]:
    items, pos = [], 0
    for m in joins.finditer(segment):
        items.append((segment[pos:m.start()], start + pos))
        pos = m.end()
    items.append((segment[pos:], start + pos))
    return [(t, s) for t, s in items if t]


def _inherit_count(sentence: str, amount: Amount, drafts: list[Draft], previous: Mention | None,
                   continues: bool, prior_count: Amount | None) -> Draft | None:
    """其中10亿元以上项目12个: a count with no wording of its own breaks down the count before it;
    ``previous`` is the count of the sentence before, which ``continues`` after a ';'; ``prior_count``
    is the sentence's last count before this one, a figure or not (总量达2037.7万户,其中企业929.8万户
    breaks down a stock, which is no figure)."""
    earlier = [d for d in drafts if d.amount is not None and d.amount.kind == "count"]
    if earlier and prior_count is not earlier[-1].amount:
        return None
    seg_start = break_before(sentence, _SEGMENT_BREAK, amount.start)
    phrase = sentence[seg_start:amount.start] or amount.noun
    if earlier and (sentence[seg_start - 1:seg_start] == "、" or sentence[seg_start:amount.start]
                    or _breakdown_lead().search(sentence, 0, amount.start)):
        # a list going on (、过亿项目10个): a clause that opens with its count (,8家企业获评…) says
        # something else about other things
        mention = earlier[-1].mention
    elif earlier:
        return None
    elif continues or _breakdown_lead().search(sentence, 0, amount.start):
        mention = previous
    else:
        return None
    if mention is None:
        return None
    if not _count_fits(phrase, mention, amount) or _noun_not_head(phrase, mention) or _count_total_verb().search(phrase):
        return None
    return Draft(mention, amount=amount, subject=phrase, rule="count.breakdown")


def build_drafts(sentence: str, figures: list[Figure], mentions: list[Mention],
                 previous_count: Mention | None = None, continues: bool = False,
                 period_starts: tuple[int, ...] = (), previous_measure: Mention | None = None) -> list[Draft]:
    """Draft rows for one sentence; ``previous_count`` is the count indicator of the sentence before,
    which ``continues`` after a ';'; ``period_starts`` are where the sentence's period wordings begin;
    ``previous_measure`` is the last other indicator of the sentence before, which a sentence that
    opens with a breakdown lead (其中,第二产业增长7%) breaks down."""
    drafts: list[Draft] = []
    last_for: dict[Mention, Draft] = {}
    # 进出口30.2亿元(出口7.3亿元、进口22.9亿元),增长6.3%: a parenthesis breaks down the row before it
    parens = [(m.start(), m.end()) for m in _PAREN.finditer(sentence)]

    def paren_parent(pos: int) -> Draft | None:
        for open_, close in parens:
            if open_ < pos < close:
                before = [d for d in drafts if d.anchor[1] <= open_]
                return before[-1] if before else None
        return None
    pending_growth: list[Growth] = []
    last_count: Amount | None = None
    spread: dict[int, int] = {}  # amounts given so far after each 分别 that lists indicators

    index = _Mentions(mentions)
    # the indicator broken down, standing before the sentence: its parts name only themselves
    lead_in = (replace(previous_measure, start=0, end=0, subject="") if previous_measure is not None
               and _breakdown_lead().match(sentence) else None)

    def last_mention_before(pos: int) -> Mention | None:
        n = index.ending_by(pos)
        return mentions[n - 1] if n else lead_in

    def flush_growth_list() -> None:
        if not pending_growth:
            return
        values = list(pending_growth)
        pending_growth.clear()
        open_rows = [d for d in drafts if d.growth is None and d.amount is not None]
        tail = open_rows[-len(values):] if len(open_rows) >= len(values) else []
        if len(values) > 1 and tail and all(d.anchor[0] < values[0].start for d in tail):
            for d, g in zip(tail, values):
                d.growth = g
            return
        mention = last_mention_before(values[0].start)
        if mention is None:
            return
        if len(values) == 1:
            _attach_growth(values[0], mention)
            return
        fenbie = sentence.rfind("分别", mention.end, values[0].start)
        named = _list_items(sentence, fenbie, mention.end, len(values)) if fenbie >= 0 else []
        if len(named) == len(values):  # …增长8.2%,增速居前三位的依次为A、B和C,分别增长…: the items named before 分别
            drafts.extend(Draft(mention, growth=g, subject=item, rule="list.growth") for (item, _), g in zip(named, values))
            return
        listed = _listed_mentions(sentence, index, values[0].start, len(values))
        if listed:  # 接待游客人次和旅游收入分别增长17.6%、16.8%: one value per indicator listed
            drafts.extend(Draft(m, growth=g, subject=m.subject, rule="list.indicators") for m, g in zip(listed, values))
            return
        items = _list_items(sentence, mention.start, 0, len(values)) if mention else []
        if len(items) != len(values):
            items = _compact_items(sentence, mention, len(values))
        if len(items) == len(values):
            for (item, _), g in zip(items, values):
                drafts.append(Draft(mention, growth=g, subject=item, rule="list.growth"))

    def _attach_growth(g: Growth, mention: Mention) -> None:
        if drafts and "parent" in drafts[-1].extra and paren_parent(g.start) is None:
            parent = drafts[-1].extra["parent"]
            if parent.growth is None:
                parent.growth = g
                return
        d = last_for.get(mention)
        if d is not None and d.growth is None and drafts and drafts[-1] is d:
            d.growth = g
            return
        if mention.verb_only:
            return  # an action word (引进, 签约) names counts, never a growth rate on its own
        if _EACH.search(sentence, mention.end, g.start):
            items = _list_items(sentence, mention.start, 0)
            if len(items) > 1:  # 陶瓷、花炮出口额均提升20%: the same growth for every item
                drafts.extend(Draft(mention, growth=g, subject=item, rule="list.each") for item, _ in items)
                return
        part = _own_part(sentence, mention, g)
        if part and _ECONOMY.search(part) and "gdp" not in mention.code.split("|"):
            return  # 进出口增长5.4%,数字经济增长12%: an economy of its own grows, no part of trade
        d = Draft(mention, growth=g, subject=part, rule="growth")
        drafts.append(d)
        last_for[mention] = d

    for fig in figures:
        if not isinstance(fig, Growth) or not fig.listed or (
                pending_growth and not _VALUE_JOIN.fullmatch(sentence, pending_growth[-1].end, fig.start)):
            flush_growth_list()  # a new list of values starts: 分别增长9.8%,规上…分别增长6.1%
        if isinstance(fig, Amount):
            prior_count, last_count = last_count, (fig if fig.kind == "count" else last_count)
            if fig.kind != "count" and (_LABEL_AFTER.match(sentence, fig.end) or _counted_class(sentence, fig, index)
                                        or _RESTATED.search(sentence, max(0, fig.start - _RESTATED_REACH), fig.start)
                                        or _INCREMENT.search(sentence, max(0, fig.start - _RESTATED_REACH), fig.start)):
                continue  # 折合1148亿元人民币: the same figure in another currency; 净增1万亿元: an increment
            if fig.kind == "count" and _counts_something_else(sentence, fig, index):
                continue
            mention = _count_mention(sentence, index, fig) if fig.kind == "count" else _money_mention(index, fig)
            if mention is None and fig.kind != "count" and (named := _paren_listed(sentence, fig, index)):
                # 长沙(1856.3亿元)、岳阳(512.6亿元)进出口总额…: each item's value, the indicator after the list
                drafts.append(Draft(named[0], amount=fig, subject=named[1], rule="list.paren." + fig.kind))
                continue
            fenbie = sentence.rfind("分别", break_before(sentence, CLAUSE_END, fig.start), fig.start) \
                if fig.kind != "count" else -1
            if fenbie >= 0 and (listed := _listed_mentions(sentence, index, fenbie + 2)):
                # 财政收入、支出分别突破300亿元和3000亿元: the k-th amount after 分别 is the k-th indicator's
                k = spread.get(fenbie, 0)
                spread[fenbie] = k + 1
                mention = listed[k] if k < len(listed) else None
            if mention is None and fig.kind == "count":
                inherited = _inherit_count(sentence, fig, drafts, previous_count, continues, prior_count)
                if inherited is not None:
                    drafts.append(inherited)
                continue
            if mention is None or (fig.kind != "count" and _own_measure(sentence, mention, fig, _MEASURE_BEFORE_AMOUNT)):
                continue  # 三大先导产业规模突破2万亿元: the clause's own measure (规模), not the indicator before
            prev = last_for.get(mention)
            if prev is not None and prev.amount is None and drafts and drafts[-1] is prev and \
                    not any(prev.anchor[1] <= p < fig.start for p in period_starts):
                # 增长8%,有望突破3000亿元: the level joins its growth, unless a period between them
                # gives the level a horizon of its own (每年增长8%,用3年时间突破1000亿元)
                prev.amount = fig
                continue
            last = prev.amount if prev is not None and drafts and drafts[-1] is prev else None  # its row's level
            if (last is not None and last.bound == "exact" and fig.bound == "at_least" and fig.unit == last.unit
                    and fig.value <= last.value
                    and (_MILESTONE_AFTER.match(sentence, fig.end) or not any(map(str.isdigit, fig.text)))):
                continue  # 进出口总额1023.5亿元,首次突破千亿大关: the milestone the level passed, told again
            if last is not None and prev.growth is None and last.bound == "at_least":
                if _MILESTONE_AFTER.match(sentence, last.end) or _REACHED_AFTER.fullmatch(sentence, last.end, fig.start):
                    # 突破4亿美元大关,达4.8亿美元, 突破2万亿元、达到23562亿元: the exact level replaces the milestone
                    prev.amount = fig
                    continue
                if sentence[last.end:fig.start] == "、":
                    # 接连突破8万亿元、9万亿元: the last milestone passed is the level reached
                    prev.amount = replace(fig, bound=last.bound)
                    continue
            d = Draft(mention, amount=fig, rule="amount." + fig.kind)
            parent = paren_parent(fig.start)
            if parent is not None:
                d.extra["parent"] = parent
            drafts.append(d)
            last_for[mention] = d
        elif isinstance(fig, Growth):
            if fig.listed:
                pending_growth.append(fig)
                continue
            mention = last_mention_before(fig.start)
            if mention is not None and not _own_measure(sentence, mention, fig):
                _attach_growth(fig, mention)
        elif isinstance(fig, Share):
            mention = last_mention_before(fig.lead_start)
            clause_start = break_before(sentence, CLAUSE_END, fig.lead_start)
            if (mention is None or mention.end <= clause_start) and sentence[clause_start:fig.lead_start]:
                # a part its clause names, before 占: its share of the total named after 占
                # (战略性新兴产业占规上工业增加值比重超过25%), else no row (…收入稳步提高,工业战略性新兴
                # 产业占规上工业比重30%: no indicator names that total)
                base = index.within(fig.lead_start, fig.start)
                part = clean_subject(sentence[clause_start:fig.lead_start]) if base else ""
                if part:
                    drafts.append(Draft(base[0], share=fig, subject=part, rule="share.of_total"))
                continue
            if fig.continues and drafts and drafts[-1].share is not None:
                before = drafts[-1]
                drafts.append(Draft(before.mention, share=fig, rule="share.next", extra=dict(before.extra)))
                continue
            target = drafts[-1] if drafts else None
            mention = last_mention_before(fig.lead_start)
            if target is not None and target.share is None and (
                    mention is None or target.mention is mention or _named_again(sentence, mention, target.mention)):
                target.share = fig
            elif mention is not None and last_for.get(mention) is None:
                d = Draft(mention, share=fig, rule="share")
                drafts.append(d)
                last_for[mention] = d
        elif isinstance(fig, Rank):
            if drafts and drafts[-1].rank is None:
                drafts[-1].rank = fig
    flush_growth_list()
    _spread_amount_lists(sentence, drafts)
    _spread_share_lists(sentence, drafts)
    return _spread_each(sentence, _without_passed_milestones(drafts))


def _named_again(sentence: str, mention: Mention, before: Mention) -> bool:
    """税收收入151.3亿元,…,税收占…比重为63.9%: the indicator named again heading its own clause
    (a part named before it, 机电产品出口占比86%, is another row)."""
    return mention.code == before.code and mention.start == break_before(sentence, CLAUSE_END, mention.start)


def _spread_share_lists(sentence: str, drafts: list[Draft]) -> None:
    """先进制造业、高技术制造业增加值占…比重分别达56.2%、34.7%: one share per listed item."""
    shares = [d for d in drafts if d.share is not None and d.amount is None and d.growth is None and d.subject is None]
    if len(shares) < 2 or "分别" not in sentence[shares[0].share.lead_start:shares[0].share.start]:
        return
    mention = shares[0].mention
    if any(d.mention is not mention for d in shares):
        return
    items = _list_items(sentence, mention.start, 0, len(shares))
    if len(items) == len(shares):
        for d, (item, _) in zip(shares, items):
            d.subject = item
            d.rule = "list." + d.rule


def _without_passed_milestones(drafts: list[Draft]) -> list[Draft]:
    """经济总量接连跨越3000亿元、3500亿元两个台阶,2023年地区生产总值达3850亿元: a milestone that an
    exact level of the same indicator, given later in the sentence, passed is that level told
    again (a milestone row alone stays)."""
    def passed(i: int, d: Draft) -> bool:
        a = d.amount
        return a is not None and a.bound == "at_least" and d.growth is None and d.share is None and any(
            e.amount is not None and e.amount.bound == "exact" and e.mention.code == d.mention.code
            and e.amount.unit == a.unit and e.amount.value >= a.value and e.subject == d.subject
            for e in drafts[i + 1:])
    return [d for i, d in enumerate(drafts) if not passed(i, d)]


def _spread_each(sentence: str, drafts: list[Draft]) -> list[Draft]:
    """唐山、沧州两市到位资金均超过150亿元: an amount 均 gives every listed item is one row each."""
    out = []
    for d in drafts:
        if d.amount is not None and d.subject is None and _EACH.search(sentence, d.mention.end, d.amount.start):
            items = _list_items(sentence, d.mention.start, 0)
            if len(items) > 1:
                out += [replace(d, subject=item, rule="list.each." + d.rule, extra=dict(d.extra)) for item, _ in items]
                continue
        out.append(d)
    return out


def _spread_amount_lists(sentence: str, drafts: list[Draft]) -> None:
    """分别 lists of amounts: X、Y分别出口A、B -> one row per item, in order."""
    by_mention: dict[Mention, list[Draft]] = {}
    for d in drafts:
        if d.amount is not None and d.subject is None:
            by_mention.setdefault(d.mention, []).append(d)
    for mention, rows in by_mention.items():
        if len(rows) < 2:
            continue
        fenbie = sentence.rfind("分别", 0, rows[0].amount.start)
        end = fenbie if fenbie >= 0 and fenbie >= mention.start - 2 else mention.start
        if fenbie < 0:
            continue
        items = _list_items(sentence, min(end, mention.start), 0, len(rows))
        if len(items) != len(rows):
            items = _compact_items(sentence, mention, len(rows))
        if len(items) == len(rows):
            for d, (item, _) in zip(rows, items):
                d.subject = item
                d.rule = "list." + d.rule
