"""The dashboard in a real Chromium: `streamlit run app.py` on a free port, driven by Playwright.

Screenshots of every page are left in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashboard.local_server import DashboardDidNotStart, running_dashboard
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PAGES = {
    "overview": "",
    "rankings": "rankings",
    "charts": "charts",
    "flags": "flags",
    "bulletin": "bulletin",
    "data": "data",
}


@pytest.fixture(scope="module")
def server(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("browser") / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    try:
        with running_dashboard(database) as (url, _):
            yield url
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run ./test.sh, which installs chromium and fonts-noto-cjk")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN")
    opened = context.new_page()
    foreign: list[str] = []
    opened.on(
        "request",
        lambda request: (
            foreign.append(request.url) if urlparse(request.url).hostname not in ("127.0.0.1", "localhost") else None
        ),
    )
    yield opened
    context.close()
    assert not foreign, f"the page reached beyond the local server: {foreign}"


def wait_until_ready(page: Page) -> None:
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(800)


def table_rows(page: Page) -> list[list[str]]:
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("td").first.wait_for(
        state="attached"
    )  # the grid draws on a canvas; these cells are for screen readers
    rows = []
    for row in grid.locator("tbody tr").all():
        rows.append([(cell.text_content() or "").strip() for cell in row.locator("td").all()])
    return rows


def test_rankings_in_a_real_browser(page: Page, server: str) -> None:
    page.goto(f"{server}/rankings")
    wait_until_ready(page)
    assert page.locator("h1").first.inner_text().startswith("2020年1–6月")
    first = table_rows(page)[0]
    assert "泌阳县" in first and first[first.index("泌阳县") + 1] == "27"

    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30 + 68 + 72 + 36, box["y"] + 18)  # the 总得分 header (narrow columns): sort ascending
    page.wait_for_timeout(800)
    assert "驿城区" in table_rows(page)[0]

    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 CSV").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert (
        rows[0]["单位"] == "泌阳县" and rows[0]["三项执法总得分"] == "27" and rows[0]["监督检查罚款（万元）"] == "11.00"
    )
    assert [r["单位"] for r in rows][-3:] == ["确山县", "正阳县", "驿城区"]


def test_changing_the_period_in_the_sidebar_changes_the_table_and_the_address(page: Page, server: str) -> None:
    page.goto(f"{server}/rankings")
    wait_until_ready(page)
    before = table_rows(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="时段").click()
    page.keyboard.type("第一季度")  # the option list is long and virtual: filter it as a user would
    page.get_by_role("option", name="第一季度").click()
    page.wait_for_function("() => document.querySelector('h1').innerText.startsWith('2020年1–3月')", timeout=30_000)
    wait_until_ready(page)
    assert "period=" in page.url
    assert table_rows(page) != before
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    wait_until_ready(page)
    assert page.locator("h1").first.inner_text().startswith("2020年1–3月")


def test_a_shared_link_with_counties_reopens_that_view(page: Page, server: str) -> None:
    page.goto(f"{server}/rankings?counties={quote('驿城区')}&counties={quote('泌阳县')}")
    wait_until_ready(page)
    rows = table_rows(page)
    assert len(rows) == 2
    assert any("驿城区" in row and "10" in row for row in rows)


def test_charts_render(page: Page, server: str) -> None:
    page.goto(f"{server}/charts")
    wait_until_ready(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=30_000)
    scatter = page.locator(".js-plotly-plot").first
    assert scatter.locator(".scatterlayer .point").count() == 10
    assert "泌阳县" in (scatter.locator(".scatterlayer").text_content() or "")


def test_screenshots_of_every_page(page: Page, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES.items():
        page.goto(f"{server}/{path}")
        wait_until_ready(page)
        if name in ("overview", "charts"):
            page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        page.wait_for_timeout(1500)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 20_000
        assert not page.locator('[data-testid="stException"]').count(), name


def test_the_bulletin_downloads_in_one_click(page: Page, server: str, tmp_path: Path) -> None:
    from docx import Document

    page.goto(f"{server}/bulletin")
    wait_until_ready(page)
    button = page.get_by_role("button", name="下载通报（Word）")
    button.wait_for(timeout=60_000)
    with page.expect_download() as download_info:
        button.click()
    assert download_info.value.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in Document(download_info.value.path()).paragraphs)
    assert "共检查生产经营单位1117家次（同比减少40.3%）" in text


def test_the_overview_map_draws_the_ten_counties_from_local_data(page: Page, server: str) -> None:
    page.goto(server + "/")
    wait_until_ready(page)
    shapes = page.locator(".js-plotly-plot .choroplethlayer path.choroplethlocation")
    shapes.first.wait_for(timeout=30_000)
    assert shapes.count() == 10
    county_map = page.locator(".js-plotly-plot").filter(has=page.locator(".choroplethlayer")).first
    assert "泌阳县" in (county_map.locator(".scattergeo").text_content() or "")
    county_map.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    county_map.screenshot(path=str(SCREENSHOTS / "overview-map.png"))

    label = county_map.locator(".scattergeo text").filter(has_text="泌阳县")
    box = label.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 12)  # inside 泌阳县, below its name
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    sidebar.filter(has_text="泌阳县").wait_for(timeout=30_000)
    assert "counties=" in page.url
