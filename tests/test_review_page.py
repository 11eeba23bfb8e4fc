"""review.html in headless Chromium: it loads fast and cleanly, shows rows as an analyst writes them,
filters, keeps hostile text as text, and corrects the data: confirm, reject, edit and add in the
page, download the corrections, re-run with them, and find the four effects in the tables."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

import extractors
from extractors.exports import write_exports
from tests.exportkit import document, observation, write_core

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
HOSTILE = ("本报讯 </script><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
           "1至3月，全市完成外贸进出口总额107.5亿元，同比增长45.7%。全市共有1234家企业参加。\n")
DATES = "本报讯 发布时间：2024-03-20 10:30 来源：2024/3/20。1至2月，全市进出口总值42.9亿元，同比增长46.9%。\n"
SEED = "002_48d7b6b6f196053b.txt"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    (folder / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "zz_dates.txt").write_text(DATES, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def out(inputs: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    extractors.run([inputs], out, workers=1, formats=["review"], review_limit=0)
    return out


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1500,950"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def load(browser, page: Path):
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"
    return browser


@pytest.fixture
def page(out: Path, browser):
    return load(browser, out / "review.html")


def open_doc(page, doc_id: str) -> None:
    page.find_element(By.CSS_SELECTOR, f'#doc-list li[data-id="{doc_id}"]').click()


def click_row(page, obs_id: str):
    mark = page.find_element(By.CSS_SELECTOR, f'#doc mark.fig:not(.rate)[data-obs~="{obs_id}"]')
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", mark)
    mark.click()
    page.find_element(By.CSS_SELECTOR, f'#panel table.row[data-obs="{obs_id}"]')
    return mark


def panel_fields(page) -> dict[str, str]:
    table = page.find_element(By.CSS_SELECTOR, "#panel table.row")
    return {tr.get_attribute("data-field"): tr.find_element(By.TAG_NAME, "td").text
            for tr in table.find_elements(By.TAG_NAME, "tr")}


def press(page, key: str) -> None:
    page.find_element(By.TAG_NAME, "body").send_keys(key)


def test_page_loads_without_console_errors(page, out: Path) -> None:
    problems = [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    items = page.find_elements(By.CSS_SELECTOR, "#doc-list li")
    counts = [int(li.find_element(By.CSS_SELECTOR, ".n").text) for li in items]
    assert counts[0] > 0 and counts == sorted(counts, key=lambda n: n == 0)  # documents with rows first
    page.find_element(By.ID, "f-rows").click()
    assert len(page.find_elements(By.CSS_SELECTOR, "#doc-list li")) == sum(n > 0 for n in counts) < len(items)
    assert page.find_elements(By.CSS_SELECTOR, "#doc .text mark.fig")  # the first document is open


def test_a_figure_shows_its_row_as_an_analyst_writes_it(page, out: Path, inputs: Path) -> None:
    obs = pd.read_parquet(out / "observations.parquet")
    row = obs[(obs.source_file == SEED) & (obs.value == 4.29e9)].iloc[0]
    open_doc(page, row.doc_id)
    mark = click_row(page, row.obs_id)
    assert mark.text == row.value_text and "selected" in mark.get_attribute("class")
    shown = panel_fields(page)
    assert (shown["indicator"].split()[0], shown["region"], shown["status"], shown["rule"]) == (
        row.indicator, row.region, row.status, row.rule)
    assert shown["value"] == "42.9亿元 (4290000000)" and shown["yoy_pct"] == f"增长{row.yoy_pct:g}% ({row.yoy_pct:g})"
    assert shown["period"] == "2024年1—2月"
    summary = page.find_element(By.CSS_SELECTOR, "#panel .summary").text
    assert "42.9亿元" in summary and "增长46.9%" in summary
    sentence = page.find_element(By.CSS_SELECTOR, "#panel .sentence")
    assert sentence.find_element(By.TAG_NAME, "b").text == row.value_text and "1至2月" in sentence.text
    assert "42.9亿元" in mark.get_attribute("title")  # the tooltip


def test_keys_move_between_figures(page, out: Path) -> None:
    obs = pd.read_parquet(out / "observations.parquet")
    doc_rows = obs[obs.doc_id == obs.doc_id[obs.source_file == SEED].iloc[0]]
    open_doc(page, doc_rows.doc_id.iloc[0])
    seen = []
    for _ in range(len(doc_rows)):
        press(page, "j")
        seen.append(page.find_element(By.CSS_SELECTOR, "#panel table.row").get_attribute("data-obs"))
    assert seen == list(doc_rows.obs_id)
    press(page, "k")
    assert page.find_element(By.CSS_SELECTOR, "#panel table.row").get_attribute("data-obs") == doc_rows.obs_id.iloc[-2]


def test_filters_hide_documents_and_keep_the_panel_current(page, out: Path) -> None:
    obs = pd.read_parquet(out / "observations.parquet")
    target = obs[obs.status == "target"].iloc[0]
    actual = obs[(obs.status == "actual") & ~obs.doc_id.isin(obs[obs.status == "target"].doc_id)].iloc[0]
    open_doc(page, actual.doc_id)
    click_row(page, actual.obs_id)
    Select(page.find_element(By.ID, "f-status")).select_by_value("target")
    assert not page.find_elements(By.CSS_SELECTOR, f'#doc-list li[data-id="{actual.doc_id}"]')
    assert "hidden by the filters" in page.find_element(By.ID, "panel").text  # not stale
    open_doc(page, target.doc_id)
    assert "off" not in page.find_element(By.CSS_SELECTOR, f'mark.fig[data-obs~="{target.obs_id}"]').get_attribute("class")
    Select(page.find_element(By.ID, "f-status")).select_by_value("")
    assert page.find_elements(By.CSS_SELECTOR, f'#doc-list li[data-id="{actual.doc_id}"]')
    page.find_element(By.ID, "search").send_keys("1234家企业")
    time.sleep(0.3)
    assert [li.get_attribute("data-id") for li in page.find_elements(By.CSS_SELECTOR, "#doc-list li")] == ["zz_hostile#000"]


def test_hostile_text_is_shown_not_run(page) -> None:
    open_doc(page, "zz_hostile#000")
    assert page.execute_script("return window.pwned") is None
    doc = page.find_element(By.ID, "doc")
    assert "<script>window.pwned=1</script>" in doc.text and not doc.find_elements(By.TAG_NAME, "img")
    missed = [e.text for e in doc.find_elements(By.CSS_SELECTOR, ".miss")]
    # the markup's pwned=1 and =2, and 1234家; 1至3月 is a period, 107.5亿元 a row, 45.7 its growth
    assert missed == ["1", "2", "1234"]
    rate = doc.find_element(By.CSS_SELECTOR, "mark.rate")
    figure = doc.find_element(By.CSS_SELECTOR, "mark.fig:not(.rate)")
    assert (rate.text, figure.text) == ("45.7", "107.5亿元")
    assert rate.get_attribute("data-obs") == figure.get_attribute("data-obs")


def test_dates_and_times_are_not_missed_numbers(page) -> None:
    open_doc(page, "zz_dates#000")
    assert page.find_elements(By.CSS_SELECTOR, "#doc mark.fig")
    assert page.find_elements(By.CSS_SELECTOR, "#doc .miss") == []


def select_text(page, text: str) -> None:
    """Select the first occurrence of ``text`` in the open document, across element boundaries."""
    page.execute_script("""
        var body = document.getElementById('text'), want = arguments[0];
        var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT), nodes = [], all = '';
        while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
        var at = all.indexOf(want), end = at + want.length, range = document.createRange();
        nodes.forEach(function (n) {
          var a = n[1], b = n[1] + n[0].data.length;
          if (a <= at && at < b) { range.setStart(n[0], at - a); }
          if (a < end && end <= b) { range.setEnd(n[0], end - a); }
        });
        var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);""", text)


def test_corrections_made_in_the_page_change_the_tables(out: Path, inputs: Path, browser, downloads: Path,
                                                        tmp_path: Path) -> None:
    page = load(browser, out / "review.html")
    obs = pd.read_parquet(out / "observations.parquet")
    seed = obs[obs.source_file == SEED]
    confirm, reject, edit = seed.iloc[0], seed.iloc[1], seed.iloc[2]
    open_doc(page, confirm.doc_id)
    click_row(page, confirm.obs_id)
    press(page, "c")
    open_doc(page, reject.doc_id)
    click_row(page, reject.obs_id)
    page.find_element(By.ID, "reject").click()
    open_doc(page, edit.doc_id)
    click_row(page, edit.obs_id)
    press(page, "e")
    region = page.find_element(By.CSS_SELECTOR, '#panel input[name="region"]')
    region.clear()
    region.send_keys("醴陵市")
    value = page.find_element(By.CSS_SELECTOR, '#panel input[name="value"]')
    value.clear()
    value.send_keys("5.3亿", Keys.ENTER)
    assert page.find_element(By.ID, "decision").text.startswith("corrected: region = 醴陵市, value = 530000000")
    open_doc(page, "zz_hostile#000")
    select_text(page, "1234家")
    page.find_element(By.ID, "add").click()
    assert page.find_element(By.CSS_SELECTOR, '#panel input[name="value"]').get_attribute("value") == "1234"
    Select(page.find_element(By.CSS_SELECTOR, '#panel select[name="indicator"]')).select_by_value("enterprises_new")
    page.find_element(By.ID, "save").click()
    assert page.find_element(By.ID, "download").text == "Download corrections (4)"
    assert [e["message"] for e in page.get_log("browser") if e["level"] == "SEVERE"] == []

    page.find_element(By.ID, "download").click()
    downloaded = downloads / "corrections.csv"
    for _ in range(100):
        if downloaded.is_file() and downloaded.stat().st_size:
            break
        time.sleep(0.1)
    text = downloaded.read_text(encoding="utf-8-sig")
    assert sorted(line.split(",")[4] for line in text.splitlines()[1:]) == ["add", "confirm", "edit", "reject"]

    rerun = tmp_path / "rerun"
    extractors.run([inputs], rerun, workers=1, formats=["review"], review_limit=0, corrections=downloaded)
    after = pd.read_parquet(rerun / "observations.parquet")
    assert pd.read_parquet(rerun / "errors.parquet").query("stage == 'corrections'").empty
    by_obs = after.set_index("obs_id")
    assert by_obs.loc[confirm.obs_id, "review"] == "confirmed"
    assert reject.obs_id not in by_obs.index
    assert tuple(by_obs.loc[edit.obs_id, ["review", "region", "value"]]) == ("corrected", "醴陵市", 5.3e8)
    added = after[after.review == "added"]
    hostile = (inputs / "zz_hostile.txt").read_text(encoding="utf-8")
    assert len(added) == 1
    assert tuple(added.iloc[0][["indicator", "value", "value_text", "unit"]]) == ("enterprises_new", 1234.0, "1234家", "count")
    assert hostile[added.iloc[0].char_start:added.iloc[0].char_end] == "1234家"
    assert len(after) == len(obs)  # one rejected, one added

    # the page of the corrected run starts from those decisions and shows the rejected row struck through
    page = load(browser, rerun / "review.html")
    assert page.find_element(By.ID, "download").text == "Download corrections (4)"
    open_doc(page, reject.doc_id)
    struck = page.find_elements(By.CSS_SELECTOR, "#doc mark.fig.reject")
    assert [m.text for m in struck] == [reject.value_text]


def test_the_default_page_stays_small_and_fast(tmp_path: Path, browser) -> None:
    """300 documents of real text with ten rows each: the default limit's worst case, well under 8 MB."""
    text = (SEEDS / SEED).read_text(encoding="utf-8")[:1500]
    numbers = [m.span() for m in re.finditer(r"\d+(?:\.\d+)?亿元", text)] or [(0, 4)]
    sources, docs, rows = {}, [], []
    for i in range(300):
        name = f"f{i:03d}.txt"
        (tmp_path / name).write_text(text, encoding="utf-8")
        sources[name] = tmp_path / name
        docs.append(document(f"f{i:03d}#000", name, char_end=len(text), title=f"文档{i}"))
        for j in range(10):
            start, end = numbers[j % len(numbers)]
            rows.append(observation(f"{i:03d}{j:02d}", doc_id=f"f{i:03d}#000", source_file=name, char_start=start,
                                    char_end=end, value_text=text[start:end], yoy_pct=float(j)))
    out = write_core(tmp_path / "out", rows, docs)
    write_exports(out, ["review"], sources=sources)
    size = (out / "review.html").stat().st_size
    assert size < 3_000_000  # the bound is 8 MB; 1.35 MB of this is the text itself
    page = load(browser, out / "review.html")
    ready = page.execute_script("return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    assert ready < 1500
    assert len(page.find_elements(By.CSS_SELECTOR, "#doc-list li")) == 300
