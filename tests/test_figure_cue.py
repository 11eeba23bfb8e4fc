"""The figure cue (figures.patterns().cue) is what every figure holds: a sentence without it
is skipped by find_figures, so the four scans must find nothing there."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import figures

# numerals, scale and unit words, growth, share and rank words, bounds and clause marks: the
# pieces figures are made of, in any order
_PIECES = st.sampled_from(["1", "2.5", "0", "三", "十", "百", "千", "万", "亿", "两", "余", "多", "元", "美元",
                           "个", "家", "项", "人次", "%", "倍", "翻", "番", "第", "首位", "增长", "下降", "占",
                           "比重", "达", "超过", "以上", "全省", "居", "位", ",", "、", "项目", "企业", "年",
                           "成", "近", "逾", "户"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_a_sentence_without_the_cue_has_no_figure(sentence: str) -> None:
    p = figures.patterns()
    if p.cue.search(sentence):
        return
    found = (figures._amounts(sentence, p), figures._growths(sentence, p), figures._shares(sentence, p),
             figures._ranks(sentence, p))
    assert found == ([], [], [], [])


def test_the_cue_is_found_in_each_kind_of_figure() -> None:
    cue = figures.patterns().cue
    for sentence in ("完成投资三十亿元", "签约项目12个", "同比增长8.5%", "占全省的21%", "位居全省第3", "实现翻番", "突破千亿", "居全省首位",
                     "新增市场主体逾万户", "增长两成"):
        assert cue.search(sentence), sentence
