"""The outputs as analysts open them: DuckDB 1.x and 2.x, pandas/polars on the partition folder,
spreadsheets (ids, text cells, layout, print set-up, labels, cut cells), the manifest and the CLI.

The inputs are the seeds (city newspapers) plus a provincial work report, whose rows have no city.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from extractors.batch import run_batch
from extractors.exports import FORMATS, write_exports
from extractors.exports.dictionary import indicator_rows
from extractors.ids import public_obs_id
from extractors.manifest import Matcher, unused_rows
from extractors.model import SourceMeta
from extractors.vocab import rules_version
from tests.exportkit import observation, write_core

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PROVINCIAL = ROOT / "tests" / "data" / "provincial"
REPORT_TITLE = "2026年湖南省政府工作报告"
PAGE_TITLE = "株洲日报 第一版"  # a manifest title for a file of several articles
SERIES_KEY = ("region", "subject", "indicator", "period_start", "period_end", "unit", "status")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for path in [*SEEDS.glob("*.txt"), PROVINCIAL / "2026_hunan.txt"]:
        shutil.copy(path, folder / path.name)
    seeds = pd.read_csv(SEEDS / "manifest.csv", dtype=str, keep_default_na=False)
    seeds["title"] = ""
    seeds.loc[seeds.file == "002_48d7b6b6f196053b.txt", "title"] = PAGE_TITLE
    report = pd.read_csv(PROVINCIAL / "manifest.csv", dtype=str, keep_default_na=False)
    pd.concat([seeds, report]).to_csv(folder / "manifest.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def out(inputs: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    summary = run_batch([inputs], None, folder, partition_by=("city", "year"))
    write_exports(folder, FORMATS, "en", summary.sources)
    return folder


# --- indicators.duckdb ---------------------------------------------------------------------

DUCKDB1_CHECK = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({"version": duckdb.__version__,
                  "observations": con.sql("SELECT count(*) FROM observations").fetchall()[0][0],
                  "example": len(con.sql(sys.argv[2]).fetchall())}))
"""


def _duckdb1_python(cache: Path) -> Path:
    """A venv holding the newest DuckDB 1.x, built once and kept in pytest's cache folder."""
    python = cache / "bin" / "python"
    probe = [str(python), "-c", "import duckdb, sys; sys.exit(not duckdb.__version__.startswith('1.'))"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    shutil.rmtree(cache, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(cache)], check=True, capture_output=True)
    # few retries and a short timeout: offline, the skip below should come in seconds, not minutes
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--retries", "1", "--timeout", "30",
                              "duckdb>=1.0,<2"], capture_output=True, text=True, timeout=300)
    if install.returncode != 0:
        try:
            urllib.request.urlopen("https://pypi.org/simple/duckdb/", timeout=15).close()
        except (urllib.error.URLError, OSError) as e:
            pytest.skip(f"PyPI unreachable ({e}); cannot install a DuckDB 1.x wheel to test the file with")
        pytest.fail(f"could not install duckdb<2 although PyPI answers:\n{install.stderr[-2000:]}")
    return python


def readme_example_query() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r'`duckdb outputs/indicators\.duckdb "([^"]+)"`', readme).group(1)


def test_duckdb_file_opens_with_duckdb_1x_and_2x(out: Path, request: pytest.FixtureRequest) -> None:
    python = _duckdb1_python(Path(request.config.cache.mkdir("duckdb1-venv")))
    db = str(out / "indicators.duckdb")
    result = subprocess.run([str(python), "-c", DUCKDB1_CHECK, db, readme_example_query()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    old = json.loads(result.stdout)
    assert old["version"].startswith("1.")
    con = duckdb.connect(db, read_only=True)
    assert duckdb.__version__.startswith("2.")
    assert old["observations"] == con.sql("SELECT count(*) FROM observations").fetchall()[0][0] > 0
    assert old["example"] == len(con.sql(readme_example_query()).fetchall()) > 0


def test_readme_example_gives_one_row_per_series_key_and_never_mixes_currencies(out: Path) -> None:
    con = duckdb.connect(str(out / "indicators.duckdb"), read_only=True)
    query = readme_example_query()
    rows = con.sql(query).df()
    # the rows the example shows are the series rows its filter selects, one row each
    where = query.split("WHERE", 1)[1].split("ORDER BY")[0]
    keys = con.sql(f"SELECT DISTINCT {', '.join(SERIES_KEY)} FROM series_wide WHERE {where}").fetchall()
    assert len(rows) == len(keys) > 0
    shown = [c for c in rows.columns if c not in ("value_yi", "yoy_pct")]
    assert not rows.duplicated(subset=shown).any(), rows[rows.duplicated(subset=shown, keep=False)]
    assert "湖南省" in set(rows.region)  # the provincial report is among them
    money = rows[rows.value_yi.notna()]
    assert set(money.unit_yi) <= {"亿元", "亿美元"} and money.unit_yi.notna().all()
    units = con.sql("SELECT DISTINCT unit, unit_yi FROM series_wide WHERE value_yi IS NOT NULL").fetchall()
    assert set(units) <= {("CNY", "亿元"), ("USD", "亿美元")}


# --- partition folder ----------------------------------------------------------------------

def test_partition_folder_reads_in_pandas_polars_and_duckdb_with_empty_keys(out: Path) -> None:
    polars = pytest.importorskip("polars")
    flat = pd.read_parquet(out / "observations.parquet")
    folder = out / "observations"
    no_city = int(flat.city.isna().sum())
    assert no_city > 0  # the provincial report's rows
    frame = pd.read_parquet(folder)
    assert len(frame) == len(flat) and set(frame.obs_id) == set(flat.obs_id)
    assert (frame.city == "").sum() == no_city
    got = frame.set_index("obs_id").year.astype(int).reindex(flat.obs_id)
    dates = flat.period_end.where(flat.period_end.notna(), flat.published)
    assert list(got) == [0 if pd.isna(d) else d.year for d in dates]
    lazy = polars.scan_parquet(folder, hive_partitioning=True).collect()
    assert lazy.height == len(flat) and lazy.filter(polars.col("city") == "").height == no_city
    glob = (folder / "**" / "*.parquet").as_posix()
    rows = duckdb.sql(f"SELECT count(*), count(*) FILTER (WHERE city = '') FROM read_parquet('{glob}', "
                      "hive_partitioning = true)").fetchall()
    assert rows == [(len(flat), no_city)]


def test_partition_folder_follows_the_umask(inputs: Path, tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        run_batch([inputs / "2026_hunan.txt"], None, tmp_path, partition_by=("city",))
    finally:
        os.umask(previous)
    folder = tmp_path / "observations"
    assert folder.stat().st_mode & 0o777 == 0o750  # mkdtemp's 0700 before
    for path in folder.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o750 if path.is_dir() else 0o640), path


# --- ids and text cells --------------------------------------------------------------------

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # what Excel or Calc reads as a number


def test_ids_cannot_be_read_as_numbers(out: Path) -> None:
    assert public_obs_id("3719414765720746") == "obs_3719414765720746"  # the two examples
    assert public_obs_id("0390504509e12475") == "obs_0390504509e12475"
    observations = pd.read_csv(out / "observations.csv", dtype=str, encoding="utf-8-sig")
    documents = pd.read_csv(out / "documents.csv", dtype=str, encoding="utf-8-sig")
    assert observations.obs_id.str.fullmatch(r"obs_[0-9a-f]{16}").all()
    for doc_id in (*observations.doc_id, *documents.doc_id):
        assert re.fullmatch(r".+#\d{3}", doc_id) and not NUMBER.fullmatch(doc_id)
    book = openpyxl.load_workbook(out / "observations.xlsx", read_only=True)
    ws = book["observations"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    for row in ws.iter_rows(min_row=2):
        assert row[header.index("obs_id")].data_type == "s" and row[header.index("doc_id")].data_type == "s"


def test_csv_keeps_the_formula_guard_and_the_workbook_shows_text_as_written(tmp_path: Path) -> None:
    out = write_core(tmp_path / "core", [observation("obs_1", subject="=1+2", sentence="-5% 是降幅")])
    write_exports(out, ["series", "xlsx"])
    series = (out / "series.csv").read_text(encoding="utf-8-sig")
    assert ",'=1+2," in series
    ws = openpyxl.load_workbook(out / "observations.xlsx")["observations"]
    header = [c.value for c in ws[1]]
    subject, sentence = ws.cell(2, header.index("subject") + 1), ws.cell(2, header.index("sentence") + 1)
    assert (subject.value, subject.data_type) == ("=1+2", "s")
    assert (sentence.value, sentence.data_type) == ("-5% 是降幅", "s")


# --- workbook layout -----------------------------------------------------------------------

def test_workbook_opens_on_what_an_analyst_reads_first(out: Path, inputs: Path) -> None:
    book = openpyxl.load_workbook(out / "observations.xlsx")
    header = [c.value for c in book["observations"][1]]
    assert header[:17] == ["region", "subject", "indicator_name", "period_start", "period_end", "period_type",
                           "period_text", "value", "value_yi", "unit", "bound", "yoy_pct", "share_pct", "status",
                           "publisher", "published", "source_file"]
    assert header[-5:] == ["obs_id", "doc_id", "char_start", "char_end", "rule"]
    names = {r["code"]: r["name_en"] for r in indicator_rows()}
    series = book["series"]
    s_header = [c.value for c in series[1]]
    assert s_header[:3] == ["region", "subject", "indicator_name"] and s_header[-3:] == [
        "value_obs_id", "yoy_obs_id", "obs_ids"]
    rows = list(series.iter_rows(min_row=2, values_only=True))
    assert rows and all(r[2] == names[r[s_header.index("indicator")]] for r in rows)
    about = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True) if r[0]}
    assert str(inputs.resolve()) in about["source folder"] and "6 input files" in about["source folder"]
    assert about["rules version"] == rules_version()
    assert "亿元" in about["value vs value_yi"] and "亿美元" in about["value vs value_yi"]
    assert "indicators.duckdb" in about["full tables"] and "CNY" in about["units"]
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
        assert setup.fitToWidth in (None, 1)  # 1 is the default and may be left out of the file
        assert ws.print_title_rows == "$1:$1"


def test_chinese_labels_also_label_code_values(out: Path, tmp_path: Path) -> None:
    zh = tmp_path / "zh"
    zh.mkdir()
    for name in ("observations", "documents", "errors"):
        shutil.copy(out / f"{name}.parquet", zh)
    write_exports(zh, ["xlsx"], labels="zh")
    book = openpyxl.load_workbook(zh / "observations.xlsx")
    ws = book["观测值"]
    header = [c.value for c in ws[1]]
    column = {name: [r[header.index(name)] for r in ws.iter_rows(min_row=2, values_only=True)]
              for name in ("状态", "单位", "期间类型", "地区级别", "指标名称", "指标代码")}
    assert set(column["状态"]) <= {"实际", "预计", "目标"} and "实际" in column["状态"]
    assert set(column["单位"]) - {None} <= {"元", "美元", "个", "人次"}
    assert "年度" in column["期间类型"] and "省级" in column["地区级别"]
    names = {r["code"]: r["name_zh"] for r in indicator_rows()}
    assert column["指标名称"] == [names[code] for code in column["指标代码"]]  # codes stay beside the names
    kinds = {r[[c.value for c in book["文档"][1]].index("类型")] for r in book["文档"].iter_rows(min_row=2, values_only=True)}
    assert "工作报告" in kinds


def test_a_cell_over_the_excel_limit_says_it_was_cut_and_the_about_sheet_counts_it(tmp_path: Path) -> None:
    long = "全市进出口总额增长。" * 4_000  # 40,000 characters
    out = write_core(tmp_path, [observation("obs_1", sentence=long), observation("obs_2", char_start=9)])
    write_exports(out, ["xlsx"])
    book = openpyxl.load_workbook(out / "observations.xlsx")
    ws = book["observations"]
    cell = ws.cell(2, [c.value for c in ws[1]].index("sentence") + 1).value
    assert len(cell) <= 32_767 and cell.startswith(long[:1000])
    assert cell.endswith("[cut: 40,000 characters, a cell holds 32,767; full text in observations.parquet / "
                         "observations.csv / indicators.duckdb]")
    about = {r[0]: r for r in book["about"].iter_rows(values_only=True)}
    assert about["observations"][2:5] == (2, 2, 1) and about["series"][4] == 0


# --- manifest, CLI, summary ----------------------------------------------------------------

def test_manifest_title_wins_over_the_page_furniture(out: Path) -> None:
    documents = pd.read_parquet(out / "documents.parquet")
    report = documents[documents.source_file == "2026_hunan.txt"]
    assert list(report.title) == [REPORT_TITLE] and list(report.kind) == ["work_report"]  # was 下载, news
    page = documents[documents.source_file == "002_48d7b6b6f196053b.txt"]
    assert len(page) > 1 and PAGE_TITLE not in set(page.title)  # several articles keep their headlines


class CountedRows(dict):
    """Manifest rows that count how many rows they hand out (iteration, keys, values, items) and
    stop a matcher that goes over the rows for every file as soon as it passes ``budget``."""

    def __init__(self, rows: dict[str, SourceMeta], budget: int) -> None:
        super().__init__(rows)
        self.handed, self.budget = 0, budget

    def _count(self, items):
        for item in items:
            self.handed += 1
            assert self.handed <= self.budget, "the manifest rows are gone over again for every file"
            yield item

    def __iter__(self):
        return self._count(super().__iter__())

    def keys(self):
        return self._count(super().keys())

    def values(self):
        return self._count(super().values())

    def items(self):
        return self._count(super().items())


def test_manifest_matching_is_linear_and_keeps_its_rules() -> None:
    def meta(name: str) -> SourceMeta:
        return SourceMeta(source_file=name)

    metas = {"a.txt": meta("a"), "x/b.txt": meta("x/b"), "y/x/b.txt": meta("y/x/b"), "in/c.txt": meta("in/c")}
    match = Matcher(metas)
    assert match(Path("/data/a.txt")) is metas["a.txt"]  # by name first
    assert match(Path("/data/y/x/b.txt")) is metas["x/b.txt"]  # first of the rows the path ends with
    assert match(Path("in/c.txt")) is None  # a relative path must end with "/" + the row's path
    assert match(Path("/in/c.txt")) is metas["in/c.txt"]
    n = 20_000
    # Trying every row for every file (35.9 s here) hands out n rows per file, n * n in all; the
    # matchers (this one and unused_rows') read the rows once each and unused_rows lists them.
    many = CountedRows({f"d{i}/f{i}.txt": meta(str(i)) for i in range(n)}, budget=5 * n)
    files = [Path(f"/archive/2024/d{i}/f{i}.txt") for i in range(n)]
    match = Matcher(many)
    assert all(match(path) is many[f"d{i}/f{i}.txt"] for i, path in enumerate(files))
    assert unused_rows(Path("manifest.csv"), many, files) == []


# A clock for the run below: 0 until the package is imported, 1000 s from then on, 2000 s once
# the last export (the workbook) is in the output folder. The summary then says 2000.00 s only if
# its seconds start before the imports and end after the exports.
CLOCKED_RUN = """
import os, runpy, sys, time
def clock():
    if "extractors" not in sys.modules:
        return 0.0
    return 2000.0 if os.path.exists(os.path.join("outputs", "observations.xlsx")) else 1000.0
time.perf_counter = clock
sys.argv = [sys.argv[1], "--workers", "1"]
sys.path.insert(0, os.path.dirname(sys.argv[0]))  # as `python pipeline.py` does
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_cli_defaults_are_in_the_working_directory_and_seconds_cover_the_whole_run(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("本报讯 1至2月，全市进出口总值42.9亿元，同比增长46.9%。\n",
                                              encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", CLOCKED_RUN, str(ROOT / "pipeline.py")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "outputs" / "observations.xlsx").is_file()
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 documents, 1 observations") and summary.endswith("-> outputs")
    seconds = float(re.search(r" in ([\d.]+) s ", summary).group(1))
    assert seconds == 2000.0  # imports and exports included, not only the extraction
