"""Derived outputs: series collapse rule, workbook, DuckDB file, data package, --formats."""
from __future__ import annotations

import json
import math
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from frictionless import validate

from extractors.batch import run_batch
from extractors.exports import FORMATS, parse_formats, write_exports
from extractors.exports.dictionary import SERIES_COLUMNS, TABLES, indicator_rows
from extractors.exports.duckdb_db import analysis_db
from extractors.exports.xlsx import write_xlsx
from tests.exportkit import document, observation, write_core

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ALL_FILES = {"observations.parquet", "documents.parquet", "errors.parquet", "observations.csv", "documents.csv",
             "errors.csv", "series.parquet", "series.csv", "observations.xlsx", "indicators.duckdb",
             "datapackage.json", "indicators.csv", "review.html"}

# (case, input rows, expected series rows: only the listed fields are compared)
SERIES_CASES = [
    ("same figure in two articles: one row, newest article's row named",
     [observation("o1", doc_id="a#000", published=date(2024, 4, 1), yoy_pct=5.0),
      observation("o2", doc_id="b#000", source_file="b.txt", published=date(2024, 5, 1), yoy_pct=5.0)],
     [{"value": 1e9, "yoy_pct": 5.0, "n_rows": 2, "n_sources": 2, "conflict": False, "value_obs_id": "o2",
       "yoy_obs_id": "o2", "obs_ids": "o1 o2"}]),
    ("an exact level beats a newer approximate one; the disagreement is flagged",
     [observation("o1", published=date(2024, 4, 1), value=1e9),
      observation("o2", doc_id="b#000", source_file="b.txt", published=date(2024, 5, 1), value=1.2e9, bound="approx")],
     [{"value": 1e9, "bound": "exact", "conflict": True, "value_obs_id": "o1", "n_sources": 2}]),
    ("within one article the earliest mention wins",
     [observation("o2", char_start=50, char_end=54, value=2e8), observation("o1", char_start=10, char_end=14, value=9e8)],
     [{"value": 9e8, "value_obs_id": "o1", "conflict": True, "n_sources": 1, "obs_ids": "o1 o2"}]),
    ("a growth-only row joins the level of the only unit and gives the growth",
     [observation("lvl", value=1e9, yoy_pct=None), observation("g", value=None, unit=None, yoy_pct=7.5, char_start=20)],
     [{"unit": "CNY", "value": 1e9, "yoy_pct": 7.5, "value_obs_id": "lvl", "yoy_obs_id": "g", "n_rows": 2}]),
    ("a growth-only row stays apart when the levels come in two units",
     [observation("c", value=1e9), observation("u", value=1.5e8, unit="USD", char_start=10),
      observation("g", value=None, unit=None, yoy_pct=3.0, char_start=20)],
     [{"unit": None, "value": None, "yoy_pct": 3.0, "yoy_obs_id": "g"},
      {"unit": "CNY", "value": 1e9, "value_obs_id": "c"}, {"unit": "USD", "value": 1.5e8, "value_obs_id": "u"}]),
    ("status, subject and period keep rows apart; order is region, subject, indicator, period",
     [observation("t", status="target", value=2e9), observation("s", subject="湘钢", value=3e8, char_start=5),
      observation("y", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), period_type="year", char_start=9)],
     [{"subject": None, "period_start": date(2023, 1, 1), "year": 2023, "value_obs_id": "y"},
      {"subject": None, "period_start": date(2024, 1, 1), "status": "target", "value_obs_id": "t"},
      {"subject": "湘钢", "value": 3e8, "value_obs_id": "s"}]),
    ("rows without a period, and share-only rows, are left out",
     [observation("np", period_start=None, period_end=None, period_type="unknown"),
      observation("sh", value=None, unit=None, share_pct=40.0)],
     []),
]


@pytest.mark.parametrize("name,rows,expected", SERIES_CASES, ids=[c[0] for c in SERIES_CASES])
def test_series_collapse_rule(tmp_path: Path, name: str, rows: list[dict], expected: list[dict]) -> None:
    out = write_core(tmp_path, rows)
    write_exports(out, ["series"])
    series = pd.read_parquet(out / "series.parquet")
    assert list(series.columns) == list(SERIES_COLUMNS)
    got = series.astype(object).where(series.notna(), None).to_dict("records")
    assert len(got) == len(expected)
    for row, want in zip(got, expected):
        assert {k: row[k] for k in want} == want


def test_series_csv_matches_parquet_and_neutralises_text(tmp_path: Path) -> None:
    out = write_core(tmp_path, [observation("o1", subject="=HYPERLINK(1)", value=1.075e10)])
    write_exports(out, ["series"])
    raw = (out / "series.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    row = dict(zip(*[line.split(",") for line in raw[3:].decode().strip().split("\r\n")]))
    assert row["subject"] == "'=HYPERLINK(1)"
    assert row["value"] == "10750000000" and row["conflict"] == "false" and row["period_end"] == "2024-03-31"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    run_batch([SEEDS], None, out)
    write_exports(out, FORMATS, "en", {p.name: p for p in SEEDS.glob("*.txt")})
    return out


def test_all_formats_write_every_file(seeds_out: Path) -> None:
    assert {p.name for p in seeds_out.iterdir() if not p.name.startswith(".")} == ALL_FILES


def test_workbook_reads_back(seeds_out: Path) -> None:
    obs = pd.read_parquet(seeds_out / "observations.parquet")
    book = openpyxl.load_workbook(seeds_out / "observations.xlsx")
    assert book.sheetnames == ["observations", "series", "documents", "errors", "indicators", "about"]
    ws = book["observations"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["region", "subject", "indicator_name"] and header.index("value_yi") == header.index("value") + 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(obs) + 1}"
    assert ws.max_row == len(obs) + 1
    col = {name: i for i, name in enumerate(header)}
    for xl_row, row in zip(ws.iter_rows(min_row=2, values_only=True), obs.itertuples()):
        assert xl_row[col["obs_id"]] == row.obs_id
        assert xl_row[col["published"]] == datetime.combine(row.published, datetime.min.time())
        if math.isnan(row.value):
            assert xl_row[col["value"]] is None and xl_row[col["value_yi"]] is None
        else:
            assert xl_row[col["value"]] == row.value
            yi = xl_row[col["value_yi"]]
            assert (yi is None) == (row.unit not in ("CNY", "USD"))
            assert yi is None or yi == pytest.approx(row.value / 1e8)
    first = ws.cell(row=2, column=col["published"] + 1)
    assert first.is_date and first.number_format == "yyyy-mm-dd"
    widths = {name: ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for name, i in col.items()}
    assert widths["sentence"] > widths["obs_id"] > widths["rank"]
    assert [c.value for c in book["indicators"]["A"]][1:] == [r["code"] for r in indicator_rows()]
    about = {r[0]: r for r in book["about"].iter_rows(values_only=True)}
    assert about["observations"][2:5] == (len(obs), len(obs), 0)


def test_workbook_chinese_labels_and_formula_text(tmp_path: Path) -> None:
    out = write_core(tmp_path, [observation("o1", subject="=cmd|'/c calc'!A1", sentence="+1 是公式吗")])
    write_exports(out, ["xlsx"], labels="zh")
    book = openpyxl.load_workbook(out / "observations.xlsx")
    assert book.sheetnames == ["观测值", "时间序列", "文档", "错误", "指标字典", "说明"]
    ws = book["观测值"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["地区", "对象", "指标名称", "期间开始"] and "数值(亿)" in header
    row = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True))))
    # a string cell is never a formula: the text is kept as written, with no visible guard
    assert row["对象"] == "=cmd|'/c calc'!A1" and row["原句"] == "+1 是公式吗"
    assert ws.cell(row=2, column=header.index("对象") + 1).data_type == "s"
    assert row["数值(亿)"] == 10


def test_workbook_cut_at_the_row_limit_says_so(tmp_path: Path) -> None:
    rows = [observation(f"o{i:02}", char_start=i, char_end=i + 2, period_start=date(2000 + i, 1, 1),
                        period_end=date(2000 + i, 12, 31)) for i in range(10)]
    out = write_core(tmp_path, rows)
    with analysis_db(out, keep_file=False) as con:
        write_xlsx(out, con, "en", max_rows=5)
    book = openpyxl.load_workbook(out / "observations.xlsx")
    ws = book["observations"]
    assert ws.max_row == 5
    col = [c.value for c in ws[1]].index("obs_id")
    assert [r[col] for r in ws.iter_rows(min_row=2, max_row=4, values_only=True)] == ["o00", "o01", "o02"]
    assert ws.cell(row=5, column=1).value.startswith("7 more rows not shown")
    assert "observations.parquet" in ws.cell(row=5, column=1).value
    about = {r[0]: r for r in book["about"].iter_rows(values_only=True)}
    assert about["observations"][2:4] == (10, 3) and about["observations"][1].startswith("7 more rows")
    assert about["documents"][1:4] == (None, 1, 1)


def test_duckdb_file_answers_bi_queries(seeds_out: Path) -> None:
    obs = pd.read_parquet(seeds_out / "observations.parquet")
    series = pd.read_parquet(seeds_out / "series.parquet")
    con = duckdb.connect(str(seeds_out / "indicators.duckdb"), read_only=True)
    tables = {r[0]: r[1] for r in con.sql("SELECT table_name, table_type FROM information_schema.tables").fetchall()}
    assert tables == {"observations": "BASE TABLE", "documents": "BASE TABLE", "errors": "BASE TABLE",
                      "indicators": "BASE TABLE", "series": "BASE TABLE", "series_wide": "VIEW",
                      "observations_full": "VIEW"}
    assert con.sql("SELECT count(*) FROM observations").fetchall()[0][0] == len(obs)
    for table in ("observations", "documents", "errors"):  # the same rows in the same order as the files
        assert con.sql(f"SELECT * FROM {table}").fetchall() == \
            duckdb.sql(f"SELECT * FROM read_parquet('{seeds_out / table}.parquet')").fetchall()
    assert con.sql("SELECT count(*) FROM series_wide").fetchall()[0][0] == len(series)
    one = series[(series.unit == "CNY") & series.value.notna()].iloc[0]
    got = con.sql("SELECT value, value_yi, indicator_name_zh, yoy_pct FROM series_wide WHERE value_obs_id = ? "
                  "AND region = ?", params=[one.value_obs_id, one.region]).fetchall()
    name = {r["code"]: r["name_zh"] for r in indicator_rows()}[one.indicator]
    assert got[0][0] == one.value and got[0][1] == pytest.approx(one.value / 1e8) and got[0][2] == name


def test_datapackage_validates_against_the_written_csv(seeds_out: Path) -> None:
    package = json.loads((seeds_out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == [f"{t}.csv" for t in TABLES]
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["status"]["constraints"]["enum"] == ["actual", "estimate", "target"]
    assert "trade_total" in fields["indicator"]["constraints"]["enum"]
    assert fields["yoy_pct"]["unit"] == "percent" and fields["published"]["type"] == "date"
    assert fields["value"]["type"] == "number" and fields["rank"]["type"] == "integer"
    report = validate(str(seeds_out / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]


def test_datapackage_catches_a_code_outside_the_contract(seeds_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(seeds_out, out)
    lines = (out / "observations.csv").read_bytes().split(b"\r\n")
    assert b",actual," in lines[1]
    lines[1] = lines[1].replace(b",actual,", b",bogus,")
    (out / "observations.csv").write_bytes(b"\r\n".join(lines))
    report = validate(str(out / "datapackage.json"))
    assert not report.valid
    assert ["status", "constraint-error"] in report.flatten(["fieldName", "type"])


@pytest.mark.parametrize("text,expected", [
    ("all", FORMATS),
    ("xlsx", ("parquet", "xlsx")),
    ("review, duckdb", ("parquet", "duckdb", "review")),
    ("datapackage", ("parquet", "csv", "series", "datapackage")),
])
def test_parse_formats(text: str, expected: tuple[str, ...]) -> None:
    assert parse_formats(text) == expected


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format.*pdf"):
        parse_formats("xlsx,pdf")


def test_formats_choose_files_and_drop_stale_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([SEEDS], None, out)
    write_exports(out, FORMATS)
    write_exports(out, ["xlsx"])
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {"observations.parquet", "documents.parquet", "errors.parquet",
                                               "observations.xlsx"}


def test_exports_are_byte_identical_across_runs(tmp_path: Path) -> None:
    contents = []
    for run in ("a", "b"):
        out = tmp_path / run
        run_batch([SEEDS], None, out)
        write_exports(out, FORMATS, "zh", {p.name: p for p in SEEDS.glob("*.txt")})
        # indicators.duckdb: DuckDB stamps each new file with a random id, so it is compared by content
        contents.append({p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.suffix != ".duckdb"})
        with duckdb.connect(str(out / "indicators.duckdb"), read_only=True) as con:
            contents[-1]["db"] = [con.sql(f"SELECT * FROM {t}").fetchall() for t in ("observations", "series_wide")]
    assert contents[0] == contents[1]


def test_command_line_formats_and_labels(tmp_path: Path) -> None:
    from pipeline import main

    out = tmp_path / "cli"
    assert main([str(SEEDS), "--out", str(out), "--formats", "xlsx,review", "--labels", "zh", "--review-limit", "2"]) == 0
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {"observations.parquet", "documents.parquet", "errors.parquet",
                                               "observations.xlsx", "review.html"}
    assert openpyxl.load_workbook(out / "observations.xlsx").sheetnames[0] == "观测值"
    page = (out / "review.html").read_text(encoding="utf-8")
    total = len(pd.read_parquet(out / "documents.parquet"))
    assert page.count('<script type="application/json" id="t') == 2 and f"the first 2 of {total} documents" in page
    with pytest.raises(SystemExit):
        main([str(SEEDS), "--out", str(out), "--formats", "pdf"])


def test_review_page_shows_each_rejected_row_in_its_own_document(tmp_path: Path) -> None:
    text = "本报讯 一季度进出口总额10亿元。" * 20
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs = [document("a#000", "a.txt", char_end=100), document("a#001", "a.txt", char_start=100, char_end=len(text))]
    rows = [observation(f"o{at}", doc_id="a#000" if at < 100 else "a#001", char_start=at, char_end=at + 4)
            for at in (10, 30, 110, 150)]
    out = write_core(tmp_path / "out", rows, docs)
    decisions = tmp_path / "corrections.csv"
    decisions.write_text("source_file,char_start,char_end,indicator,action\n"
                         + "".join(f"a.txt,{at},{at + 4},trade_total,reject\n" for at in (150, 30, 10)), encoding="utf-8")
    write_exports(out, ["review"], sources={"a.txt": tmp_path / "a.txt"}, corrections=decisions)
    page = (out / "review.html").read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="data">')[1].split("</script>")[0])
    field = {name: i for i, name in enumerate(data["fields"])}
    shown = {d["id"]: [(data["rows"][i][field["char_start"]], data["rows"][i][field["review"]]) for i in d["rows"]]
             for d in data["docs"]}
    assert shown == {"a#000": [(10, None), (10, "rejected"), (30, None), (30, "rejected")],
                     "a#001": [(110, None), (150, None), (150, "rejected")]}
