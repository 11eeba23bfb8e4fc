"""review.html in headless Chromium: loads without console errors, a click shows the right row,
filters work, and hostile input text stays text."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from extractors.batch import run_batch
from extractors.exports import write_exports

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
HOSTILE = ("本报讯 </script><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
           "1至3月，全市完成外贸进出口总额107.5亿元，同比增长45.7%。全市共有1234家企业参加。\n")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    inputs = tmp_path_factory.mktemp("in")
    for seed in SEEDS.iterdir():
        shutil.copy(seed, inputs / seed.name)
    (inputs / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    run_batch([inputs], None, out)
    write_exports(out, ["review"], sources={p.name: p for p in inputs.glob("*.txt")}, review_limit=0)
    return out


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(out: Path, browser):
    browser.get((out / "review.html").as_uri())
    return browser


def test_page_loads_without_console_errors(page, out: Path) -> None:
    problems = [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    assert page.find_elements(By.CSS_SELECTOR, "section.doc")
    assert page.get_screenshot_as_file(str(out / "review.png"))
    assert (out / "review.png").stat().st_size > 10_000


def test_click_on_a_figure_shows_its_row(page, out: Path) -> None:
    obs = pd.read_parquet(out / "observations.parquet")
    row = obs[(obs.source_file == "002_48d7b6b6f196053b.txt") & (obs.value == 4.29e9)].iloc[0]
    mark = page.find_element(By.CSS_SELECTOR, f'mark.fig[data-obs~="{row.obs_id}"]')
    assert mark.text == row.value_text
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", mark)
    mark.click()
    assert "selected" in mark.get_attribute("class")
    table = page.find_element(By.CSS_SELECTOR, f'#panel table[data-obs="{row.obs_id}"]')
    shown = {tr.find_element(By.TAG_NAME, "th").text: tr.find_element(By.TAG_NAME, "td").text
             for tr in table.find_elements(By.TAG_NAME, "tr")}
    assert (shown["indicator"], shown["region"], shown["status"], shown["value_text"], shown["rule"]) == (
        row.indicator, row.region, row.status, row.value_text, row.rule)
    assert (shown["period_start"], shown["period_end"]) == (row.period_start.isoformat(), row.period_end.isoformat())
    assert float(shown["value"]) == row.value and float(shown["yoy_pct"]) == row.yoy_pct
    assert page.get_screenshot_as_file(str(out / "review-click.png"))


def test_filters_dim_other_figures_and_hide_documents(page, out: Path) -> None:
    obs = pd.read_parquet(out / "observations.parquet")
    target = obs[obs.status == "target"].iloc[0]
    actual = obs[(obs.status == "actual") & ~obs.doc_id.isin(obs[obs.status == "target"].doc_id)].iloc[0]
    Select(page.find_element(By.ID, "f-status")).select_by_value("target")
    mark = page.find_element(By.CSS_SELECTOR, f'mark.fig[data-obs~="{target.obs_id}"]')
    assert "off" not in mark.get_attribute("class")
    assert not page.find_element(By.ID, actual.doc_id).is_displayed()
    Select(page.find_element(By.ID, "f-status")).select_by_value("")
    assert page.find_element(By.ID, actual.doc_id).is_displayed()


def test_hostile_text_is_shown_not_run(page) -> None:
    assert page.execute_script("return window.pwned") is None
    doc = page.find_element(By.ID, "zz_hostile#000")
    assert "<script>window.pwned=1</script>" in doc.text
    assert len(page.find_elements(By.TAG_NAME, "script")) == 2 and not doc.find_elements(By.TAG_NAME, "img")
    missed = [e.text for e in doc.find_elements(By.CSS_SELECTOR, ".miss")]
    # the markup's pwned=1 and =2, and 1234家; 1至3月 is a period, 107.5亿元 a row, 45.7 its growth
    assert missed == ["1", "2", "1234"]
    rate = doc.find_element(By.CSS_SELECTOR, "mark.rate")
    figure = doc.find_element(By.CSS_SELECTOR, "mark.fig:not(.rate)")
    assert (rate.text, figure.text) == ("45.7", "107.5亿元")
    assert rate.get_attribute("data-obs") == figure.get_attribute("data-obs")
