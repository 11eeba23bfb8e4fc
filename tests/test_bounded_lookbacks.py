"""Look-backs that read only the stretch that can matter find what a scan of the whole
sentence (or clause) finds: a long unpunctuated text is not rescanned for every figure, and the
rows stay the same."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import figures, frames
from extractors.resolve import subjects

# numerals, classifiers, clause marks, per-unit and tail words and plain words, in any order
_PIECES = st.sampled_from(["1", "25", "三", "十", "两", "个", "家", "第", "过", "超", "亿元", "的", "县", "企业",
                           ",", "、", ":", "。", "(", ")", "①", "每", "人均", "可支配", "亩均", "均价", "户",
                           "完成", "实现了", "达", "在全市", "全市", "项目", "增长", "“", "”"])
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)
_BREAKS = (figures.CLAUSE_END, figures._CLAUSE_BREAK, frames._CLAUSE_BREAK, frames._SEGMENT_BREAK)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_break_before_is_the_end_of_the_last_match_before(text: str) -> None:
    for pattern in _BREAKS:
        for pos in range(len(text) + 1):
            expected = max((m.end() for m in pattern.finditer(text, 0, pos)), default=0)
            assert figures.break_before(text, pattern, pos) == expected, (pattern.pattern, text, pos)


# a count and up to 12 words of what it counts, ending where an amount would start
_CLASSES = st.tuples(_TEXTS, st.sampled_from(["1", "25", "三", "第2", "十两"]), st.sampled_from(["个", "家"]),
                     st.text(alphabet="过超五百亿的县市企业个家,", max_size=12)).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXTS, _CLASSES), st.data())
def test_the_counted_class_is_found_as_by_a_scan_of_the_segment(text: str, data: st.DataObject) -> None:
    end = data.draw(st.one_of(st.just(len(text)), st.integers(0, len(text))))
    segment = data.draw(st.integers(0, end))
    full = frames._COUNTED_CLASS.search(text, segment, end)
    bounded = frames.counted_class_before(text, segment, end)
    assert (bounded and (bounded.span(), bounded["between"])) == (full and (full.span(), full["between"]))


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_a_tail_word_is_found_within_its_reach_of_the_end(text: str) -> None:
    tail = subjects._rules()["tail"]
    full = tail.search(text)
    near = tail.search(text, max(0, len(text) - subjects._tail_reach() - 1))
    assert (near and near.span()) == (full and full.span())


@settings(max_examples=600, deadline=None)
@given(_TEXTS)
def test_a_per_unit_word_before_a_figure_is_one_the_whole_sentence_shows(text: str) -> None:
    """_amounts skips the per-unit search when the sentence has no per-unit word before the
    figure, and starts it at the first one."""
    per_unit = figures.patterns().per_unit
    first = per_unit.search(text)
    for end in (i for i, c in enumerate(text) if c.isdigit()):  # a figure's number starts here
        for lo in range(end + 1):
            found = per_unit.search(text, lo, end) is not None
            shortcut = (first is not None and first.start() < end
                        and per_unit.search(text, max(first.start(), lo), end) is not None)
            assert shortcut == found, (text, lo, end)


_ZONE_PIECES = st.sampled_from(["株洲", "高新", "区", "园", "产业", "工业园", "新区", "基地", "“", "”", "力争", "全市",
                                "项目", "12", "个", "该", "这", ",", "经开区", "开发"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_ZONE_PIECES, max_size=12).map("".join))
def test_a_text_without_a_zone_word_starts_with_no_zone(text: str) -> None:
    """_ClauseZones reads no clause of a sentence that holds no zone word."""
    if subjects.leading_zone(text):
        assert subjects.holds_zone_word(text), text

