"""Corrections as data (--corrections): each action's effect on the tables, bad decisions as errors,
and the cache and determinism guarantees with corrections applied."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import extractors
from extractors.corrections import Corrections, CorrectionsError

# the last sentence's 7家 is a figure the rules do not take: the one the analyst adds
ARTICLE = "本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。其中出口28.1亿元，增长50.2%。去年那边大约落地了7家。\n"
MANIFEST = "file,publisher,published,city\na.txt,株洲日报,2024-03-20,株洲市\nb.txt,株洲日报,2024-03-21,株洲市\n"
HEADER = "source_file,char_start,char_end,indicator,action,region,value,yoy_pct,new_indicator,status\n"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE.replace("42.9", "43.9"), encoding="utf-8")
    (folder / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def plain(inputs: Path, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("plain")
    extractors.run([inputs], out, workers=1, formats="parquet")
    return pd.read_parquet(out / "observations.parquet")


def span(text: str, figure: str) -> tuple[int, int]:
    start = text.index(figure)
    return start, start + len(figure)


def line(row, action: str, **cells: str) -> str:
    values = [row.source_file, str(row.char_start), str(row.char_end), row.indicator, action]
    return ",".join(values + [cells.get(c, "") for c in HEADER.strip().split(",")[5:]]) + "\n"


def pick(rows: pd.DataFrame, source_file: str, value_text: str) -> pd.Series:
    return rows[(rows.source_file == source_file) & (rows.value_text == value_text)].iloc[0]


def test_confirm_reject_edit_add(inputs: Path, plain: pd.DataFrame, tmp_path: Path) -> None:
    start, end = span(ARTICLE, "7家")
    assert not ((plain.source_file == "a.txt") & (plain.indicator == "projects_signed")).any()
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "\ufeff" + HEADER
        + line(pick(plain, "a.txt", "42.9亿元"), "confirm")
        + line(pick(plain, "a.txt", "28.1亿元"), "reject")
        + line(pick(plain, "b.txt", "43.9亿元"), "edit", region="醴陵市", value="4390000000.5",
               new_indicator="exports")
        + f"a.txt,{start},{end},projects_signed,add,,7,,,target\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = extractors.run([inputs], out, workers=1, formats="parquet,csv", corrections=corrections)
    obs = pd.read_parquet(out / "observations.parquet")
    by = {(r.source_file, r.value_text, r.indicator): r for r in obs.itertuples()}
    assert by[("a.txt", "42.9亿元", "trade_total")].review == "confirmed"
    assert ("a.txt", "28.1亿元", "exports") not in by
    edited = by[("b.txt", "43.9亿元", "exports")]
    assert (edited.review, edited.region, edited.region_level, edited.value) == (
        "corrected", "醴陵市", "county", 4390000000.5)
    added = by[("a.txt", "7家", "projects_signed")]
    assert (added.review, added.value, added.status, added.char_start, added.char_end, added.rule) == (
        "added", 7.0, "target", start, end, "manual")
    assert pd.isna(added.region) and added.published.isoformat() == "2024-03-20"
    assert added.sentence == "去年那边大约落地了7家。"
    untouched = obs[obs.review.isna()]
    assert len(untouched) == len(plain) - 3  # the rejected, the edited and the confirmed row
    assert summary.observations == len(obs) == len(plain)  # one row rejected, one added
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_file")
    assert docs.loc["a.txt", "n_observations"] == (obs.source_file == "a.txt").sum()
    assert pd.read_parquet(out / "errors.parquet").empty
    csv = pd.read_csv(out / "observations.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert sorted(csv.review) == sorted(obs.review.astype(object).fillna(""))


def test_a_decision_without_its_row_is_an_error_and_nothing_else_is_lost(inputs: Path, plain: pd.DataFrame,
                                                                           tmp_path: Path) -> None:
    row = plain.iloc[0]
    corrections = tmp_path / "c.csv"
    corrections.write_text(  # no BOM this time
        HEADER + line(row, "confirm")
        + "a.txt,1,3,gdp,reject,,,,,\n"  # no such row
        + "gone.txt,1,3,gdp,confirm,,,,,\n"  # no such file in the run
        + "a.txt,5,9,gdp,frobnicate,,,,,\n"  # unknown action
        + "a.txt,5,9,gdp,edit,,lots,,,\n"  # not a number
        + "a.txt,5,9,gdp,add,,,,,\n"  # nothing to add
        + "a.txt,5,9,gdp,edit,,,,,maybe\n", encoding="utf-8")  # not a status
    out = tmp_path / "out"
    extractors.run([inputs], out, workers=1, formats="parquet", corrections=corrections)
    obs = pd.read_parquet(out / "observations.parquet")
    assert len(obs) == len(plain) and (obs.review == "confirmed").sum() == 1
    errors = pd.read_parquet(out / "errors.parquet")
    assert set(errors.stage) == {"corrections"}
    reasons = " | ".join(errors.reason)
    for needed in ("line 3: reject of gdp at 1-3: no such row in this run",
                   "line 4: confirm of gdp at 1-3: source file not among the inputs",
                   "line 5: action 'frobnicate'", "line 6: value 'lots' is not a number",
                   "line 7: an added figure needs", "line 8: status 'maybe'"):
        assert needed in reasons
    assert set(errors.source_file) == {"a.txt", "gone.txt"}


def test_a_file_without_the_address_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CorrectionsError, match="missing column"):
        Corrections.parse("source_file,action\na.txt,reject\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("file,action\n", encoding="utf-8")
    with pytest.raises(CorrectionsError):
        extractors.run([tmp_path], tmp_path / "out", workers=1, formats="parquet", corrections=bad)


def test_the_later_decision_about_a_row_wins() -> None:
    parsed = Corrections.parse(HEADER + "a.txt,1,3,gdp,confirm,,,,,\na.txt,1,3,gdp,reject,,,,,\n")
    assert [c.action for c in parsed.decisions] == ["reject"]
    assert "replaced by line 3" in parsed.errors[0]["reason"]


def test_cache_and_determinism_hold_with_corrections(inputs: Path, plain: pd.DataFrame, tmp_path: Path) -> None:
    corrections = tmp_path / "c.csv"
    corrections.write_text(HEADER + line(plain.iloc[0], "reject") + line(plain.iloc[1], "edit", value="1"),
                           encoding="utf-8")
    cached = tmp_path / "cached"
    extractors.run([inputs], cached, workers=1, formats="parquet,csv")  # fills the cache, no corrections
    again = extractors.run([inputs], cached, workers=1, formats="parquet,csv", corrections=corrections)
    assert (again.files_cached, again.files_extracted) == (2, 0)  # corrections never force extraction
    fresh = tmp_path / "fresh"
    extractors.run([inputs], fresh, workers=2, formats="parquet,csv", corrections=corrections, use_cache=False)
    for name in ("observations", "documents", "errors"):
        for ext in ("parquet", "csv"):
            assert (cached / f"{name}.{ext}").read_bytes() == (fresh / f"{name}.{ext}").read_bytes(), name
    assert len(pd.read_parquet(fresh / "observations.parquet")) == len(plain) - 1
    extractors.run([inputs], cached, workers=1, formats="parquet,csv")  # without them: back to the rules' rows
    assert len(pd.read_parquet(cached / "observations.parquet")) == len(plain)
    assert pd.read_parquet(cached / "observations.parquet").review.isna().all()


def test_spreadsheet_escapes_are_undone(plain: pd.DataFrame) -> None:
    parsed = Corrections.parse(HEADER.replace("status", "subject") + "a.txt,1,3,gdp,edit,,,-3.5,,'=民营企业\n")
    (c,) = parsed.decisions
    assert c.fields == {"yoy_pct": -3.5, "subject": "=民营企业"}


def test_copied_inputs_keep_their_decisions(inputs: Path, plain: pd.DataFrame, tmp_path: Path) -> None:
    """Decisions are addressed by file name and span, so the same files elsewhere take them too."""
    moved = tmp_path / "elsewhere"
    shutil.copytree(inputs, moved)
    corrections = tmp_path / "c.csv"
    corrections.write_text(HEADER + line(plain.iloc[0], "confirm"), encoding="utf-8")
    extractors.run([moved], tmp_path / "out", workers=1, formats="parquet", corrections=corrections)
    assert (pd.read_parquet(tmp_path / "out" / "observations.parquet").review == "confirmed").sum() == 1


def test_the_cache_keeps_the_rules_rows_of_a_corrected_file(inputs: Path, plain: pd.DataFrame, tmp_path: Path) -> None:
    """A file extracted on a run with corrections is cached as the rules read it: the next run
    without them gives the plain rows back."""
    corrections = tmp_path / "c.csv"
    corrections.write_text(HEADER + line(plain.iloc[0], "reject"), encoding="utf-8")
    out = tmp_path / "out"
    extractors.run([inputs], out, workers=1, formats="parquet", corrections=corrections)
    assert len(pd.read_parquet(out / "observations.parquet")) == len(plain) - 1
    again = extractors.run([inputs], out, workers=1, formats="parquet")
    assert (again.files_cached, again.files_extracted) == (2, 0)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "observations.parquet"), plain)
