"""The dashboard in a real Chromium: `streamlit run app.py` on a free port, driven by Playwright.

Screenshots of every page are left in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser, Page

from dashboard.layout import RANKING_WIDTHS
from dashboard.local_server import DashboardDidNotStart, running_dashboard
from scoring.scheme import DEFAULT_SCHEME_FILE, scheme_from_toml
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
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
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-log") / "streamlit.log"


@pytest.fixture(scope="module")
def server(built_demo: Path, tmp_path_factory: pytest.TempPathFactory, server_log: Path) -> Iterator[str]:
    database = tmp_path_factory.mktemp("browser") / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    try:
        with running_dashboard(database, log_path=server_log) as (url, _):
            yield url
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


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
    # The grid widens every column in proportion to fill the screen; the row selector stays about 33 px.
    widths = RANKING_WIDTHS
    columns = [widths["overall_rank"], widths["county"], widths["total_points"]]
    columns += [widths[m] + widths["rank"] + widths["points"] for m in ("inspections", "cases", "fines")]
    scale = (box["width"] - 33) / (sum(columns) + widths["flags"])
    total_points_text = 33 + scale * (widths["overall_rank"] + widths["county"]) + 12  # left of the menu button
    page.mouse.click(box["x"] + total_points_text, box["y"] + 18)  # the 总分 header
    page.wait_for_timeout(500)
    sort = page.get_by_text("Sort ascending")  # a narrow header opens the column menu instead of sorting
    if sort.count():
        sort.first.click()
    page.wait_for_timeout(800)
    assert "驿城区" in table_rows(page)[0]

    with page.expect_download() as download_info:
        page.locator(".st-key-rankings_download_csv").get_by_role("button", name="下载 CSV").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert (
        rows[0]["单位"] == "泌阳县" and rows[0]["三项执法总得分"] == "27" and rows[0]["监督检查罚款（万元）"] == "11.00"
    )
    counties = [r["单位"] for r in rows if r["单位"]]  # the 得分说明 and the scheme's name follow the table
    assert counties[-3:] == ["确山县", "正阳县", "驿城区"] and len(counties) == 10


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


# What the browser shows of the ranking grid at one moment: the grid's key (it ends with the period it was drawn
# for), its rows as the grid's accessible table has them, whether it is marked stale, and the page title.
RANKING_GRID_JS = """() => {
  const grid = document.querySelector('[class*="st-key-ranking_table_"]');
  const key = grid ? [...grid.classList].find((name) => name.startsWith('st-key-ranking_table_')) : null;
  const rows = grid ? [...grid.querySelectorAll('tbody tr')].map(
      (row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim())) : [];
  const title = document.querySelector('[data-testid="stMainBlockContainer"] h1');
  return {key, rows: rows.filter((cells) => cells.length > 0), stale: !!grid && !!grid.closest('[data-stale="true"]'),
          title: title ? title.innerText : null};
}"""


def test_after_a_period_switch_no_grid_shows_the_rows_of_another_period(page: Page, server: str) -> None:
    """The stale row (issue 15): read every 20 ms while the page reruns for a new period, the grid showing rows
    always shows those of the period its key names, and a grid of the old period under the new title is marked
    stale (faded) until the new grid replaces it."""
    expected = {}
    for query in ("period=h1", "period=q1"):
        page.goto(f"{server}/rankings?year=2020&{query}")
        wait_until_ready(page)
        page.locator('[class*="st-key-ranking_table_"] td').first.wait_for(state="attached")
        quiet = page.evaluate(RANKING_GRID_JS)
        assert quiet["key"] and quiet["rows"] and not quiet["stale"]
        expected[quiet["key"]] = sorted(map(tuple, quiet["rows"]))
    assert len(expected) == 2 and len({tuple(rows) for rows in expected.values()}) == 2

    page.goto(f"{server}/rankings")  # 2020年1–6月
    wait_until_ready(page)
    assert page.evaluate(RANKING_GRID_JS)["key"].endswith("20200630")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="时段").click()
    page.keyboard.type("第一季度")
    page.get_by_role("option", name="第一季度").click()
    samples = []
    deadline = time.monotonic() + 60  # a busy machine may take long to draw; what is checked is what was shown
    while time.monotonic() < deadline:
        samples.append(page.evaluate(RANKING_GRID_JS))
        last = samples[-1]
        if last["title"].startswith("2020年1–3月") and last["key"].endswith("20200331") and not last["stale"]:
            if last["rows"]:
                break
        page.wait_for_timeout(20)
    assert samples[-1]["key"].endswith("20200331") and samples[-1]["rows"], "the new period's grid never drew"
    for sample in samples:
        # Rows of the period the grid's key names, and no other (a grid may be caught half drawn: fewer rows).
        assert set(map(tuple, sample["rows"])) <= set(expected.get(sample["key"], ())), sample
        if sample["key"] and sample["title"].startswith("2020年1–3月") and not sample["key"].endswith("20200331"):
            assert sample["stale"], f"the first half's grid under the first quarter's title, not faded: {sample}"


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


def test_the_overview_map_draws_the_ten_counties_from_local_data(page: Page, server: str, server_log: Path) -> None:
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
    wait_until_ready(page)
    log = server_log.read_text(encoding="utf-8")
    assert "created with a default value but also had its value set" not in log
    assert "Traceback" not in log


# The walk: every page, both languages, both laptop sizes, with 0, 2 and 3 counties chosen, ranked among all
# counties and among the chosen ones. One server, one browser page; a view is opened by its link once and the
# pages are then reached through the sidebar, which keeps the view in the address.
WALK_SIZES = ({"width": 1440, "height": 900}, {"width": 1280, "height": 720})
WALK_SELECTIONS = (
    ((), False),
    (("驿城区", "泌阳县"), False),
    (("驿城区", "泌阳县"), True),
    (("驿城区", "泌阳县", "遂平县"), False),
    (("驿城区", "泌阳县", "遂平县"), True),
)
NAVIGATION = {
    "zh": {
        "overview": "总览",
        "rankings": "综合排名",
        "charts": "图表分析",
        "flags": "预警",
        "bulletin": "通报",
        "data": "数据管理",
    },
    "en": {
        "overview": "Overview",
        "rankings": "Rankings",
        "charts": "Charts",
        "flags": "Flags",
        "bulletin": "Bulletin",
        "data": "Data",
    },
}
COUNTY_NAMES = ("驿城区", "西平县", "上蔡县", "平舆县", "正阳县", "确山县", "泌阳县", "汝南县", "遂平县", "新蔡县")
# Text that is data, not interface: it stays in the language of the file (records, the published file's name), or
# is Chinese by nature (the bulletin, a Chinese official document), or shows both languages by design (the
# language switch). Everything else must be in the page's language.
DATA_BLOCKS = (
    ".st-key-lang",
    ".st-key-bulletin_text",
    ".st-key-trace_inspections",
    ".st-key-trace_cases",
    ".st-key-quality_records",
    ".st-key-file_formats",
)
# A scoring scheme's name is the bureau's own words, shown as written in either language.
FILE_NAMES = (
    "zhumadian-2020-h1-attachment.csv",
    scheme_from_toml(DEFAULT_SCHEME_FILE.read_text(encoding="utf-8")).name,
)
# Streamlit's file uploader draws "Upload" and "200MB per file • CSV, XLSX, TXT" itself, in English only; the data
# page says so in Chinese beside it. Format names are the same in both languages.
LATIN_IN_CHINESE = {"CSV", "XLSX", "TXT", "Excel", "PNG", "Word", "UTF", "GBK", "Upload", "per", "file"}
# 全市 is right where the figure is the whole city's even though only some counties are shown: the ranking pool's
# average, 同比, median and places when ranking among all counties.
CITY_POOL_PHRASES = {
    "zh": ("全市平均", "全市同比", "全市中位数", "位列全市", "全市前", "全市后", "全市水平"),
    "en": ("of the whole city", "(the whole city:", "The city's", "the city's"),
}
CITY_WORD = {"zh": "全市", "en": r"\bcity\b"}
VISIBLE_TEXT = """(blocks) => {
    // Icons are drawn from ligature words (upload, close) and the skip link is shown only to keyboard users;
    // a command to type is the same in both languages.
    const hidden = ['[data-testid="stIconMaterial"]', '[data-testid="stSkipToContent"]', 'code'];
    const skipped = [...blocks, ...hidden].join(", ");
    const root = document.querySelector('[data-testid="stAppViewContainer"]');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const seen = new Map();
    const shown = (element) => {
        if (!seen.has(element)) {
            seen.set(element, !element.closest(skipped) && element.checkVisibility({ visibilityProperty: true }));
        }
        return seen.get(element);
    };
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent && !["SCRIPT", "STYLE"].includes(parent.tagName) && shown(parent)) parts.push(node.textContent);
    }
    return parts.join(" ");
}"""


def settle(page: Page) -> None:
    """Until the script run has finished and every chart is drawn."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every((chart) => chart.querySelector('.main-svg'))""",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


def go_to_page(page: Page, name: str, label: str) -> None:
    """Move to another page by the sidebar's link, as a reader does, and wait for that page's own run: until its
    title has replaced the last page's, then as ``settle``. The last page's elements pass settle's checks until the
    new run starts, which on a busy machine is long enough to read the last page's text instead."""
    title = page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=label).first.click()
    page.wait_for_url(f"**/{name}?**", timeout=30_000)
    page.wait_for_function(
        """(title) => { const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
                        return !!h1 && h1.innerText !== title; }""",
        arg=title,
        timeout=60_000,
    )
    settle(page)


def view_address(server: str, lang: str, counties: tuple[str, ...], within: bool) -> str:
    query = f"lang={lang}&period=h1" + "".join(f"&counties={quote(name)}" for name in counties)
    return f"{server}/?{query}&rank_within={int(within)}"


def table_cut_off(page: Page) -> str | None:
    """Why the ranking table does not fit the screen, or None when every column is in view."""
    page.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller', timeout=30_000)
    widths = page.evaluate(
        """() => { const grid = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                   return [grid.scrollWidth, grid.clientWidth]; }"""
    )
    return (
        f"the ranking table is cut off: {widths[0]} px of columns in {widths[1]} px"
        if widths[0] > widths[1] + 1
        else None
    )


def text_problems(page: Page, lang: str, partial: bool, within: bool) -> list[str]:
    """Text of the other language, or 全市 over chosen counties, in what the page shows."""
    problems = []
    text = page.evaluate(VISIBLE_TEXT, list(DATA_BLOCKS))
    for county in COUNTY_NAMES:
        text = text.replace(county, " ")
    for file_name in FILE_NAMES:
        text = text.replace(file_name, " ")
    if lang == "en":
        chinese = re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+", text)
        if chinese:
            problems.append(f"Chinese in English: {sorted(set(chinese))[:8]}")
    else:
        english = {word for word in re.findall(r"\b[A-Za-z]{3,}\b", text)} - LATIN_IN_CHINESE
        if english:
            problems.append(f"English in Chinese: {sorted(english)[:8]}")
    if partial:
        scoped = text
        if not within:
            for phrase in CITY_POOL_PHRASES[lang]:
                scoped = scoped.replace(phrase, " ")
        city = re.search(CITY_WORD[lang], scoped)
        if city:
            at = city.start()
            problems.append(f"{city.group(0)} over chosen counties: …{scoped[max(0, at - 30) : at + 30]}…")
    return problems


def test_every_view_tells_the_truth(page: Page, server: str, server_log: Path) -> None:
    """Every page, both languages, 1440×900 and 1280×720, 0/2/3 counties, ranked among all or among them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for lang in ("zh", "en"):
        for counties, within in WALK_SELECTIONS:
            state = f"{lang}-{len(counties)}{'-within' if within else ''}"
            page.set_viewport_size(WALK_SIZES[0])
            page.goto(view_address(server, lang, counties, within))
            settle(page)
            for name, label in NAVIGATION[lang].items():
                if name != "overview":
                    go_to_page(page, name, label)
                found = text_problems(page, lang, bool(counties), within)  # the text is the same at any size
                for size in WALK_SIZES:
                    page.set_viewport_size(size)
                    page.wait_for_timeout(200)
                    if page.locator('[data-testid="stException"]').count():
                        found.append("an exception is shown")
                    cut_off = table_cut_off(page) if name == "rankings" else None
                    found += [f"{size['width']}×{size['height']}: {cut_off}"] if cut_off else []
                problems += [f"{state} {name}: {problem}" for problem in found]
                page.screenshot(path=str(SCREENSHOTS / f"walk-{state}-{name}.png"))
                assert f"lang={lang}" in page.url, page.url  # the view stays in the address
    assert not problems, "\n".join(problems)
    assert "Traceback" not in server_log.read_text(encoding="utf-8")


# Hostile text: a clerk's files hold Markdown, HTML, Streamlit directives, LaTeX and formulas. Imported through
# the real importer (and a county list with a hostile name), they must show as text on every page.
EVIL = "evil.example"
PAYLOADS = (
    f"[点此下载最新通知](http://{EVIL}/md)",
    f"![](http://{EVIL}/img.png)",
    f'<img src="http://{EVIL}/x.png" onerror="alert(1)">',
    f'<script>document.title="{EVIL}"</script>',
    f'<a href="http://{EVIL}/a">链接</a>',
    f"$\\href{{http://{EVIL}/tex}}{{x}}$",
    ":red[假通知]:material/warning:",
    f"www.{EVIL}/www",
    f"http://{EVIL}/bare",
    f'=HYPERLINK("http://{EVIL}/f","点")',
)
HOSTILE_COUNTY = f"<img src=http://{EVIL}/c.png>县"
HOSTILE_CODE = 411799
FILE_NAMES_HOSTILE = {
    "inspections": f"[点此下载](http://{EVIL}/file).csv",
    "cases": f"<img src=http://{EVIL}/n.png>.csv",
    "summary": f"![图](http://{EVIL}/s.png).csv",
}
DOM_INJECTIONS = """(marker) => {
    const found = [];
    for (const element of document.querySelectorAll('*')) {
        for (const attribute of element.attributes) {
            const active = /^(href|src|srcset|xlink:href|action|formaction|poster|data)$/i.test(attribute.name);
            if (active && attribute.value.includes(marker)) {
                const where = element.closest("[data-testid]")?.getAttribute("data-testid");
                found.push(`${element.tagName} ${attribute.name} in ${where}: ${element.outerHTML.slice(0, 160)}`);
            }
            if (/^on/i.test(attribute.name) && element.closest('[data-testid="stAppViewContainer"]')) {
                found.push(`${element.tagName} ${attribute.name}`);
            }
        }
        if (["SCRIPT", "IFRAME", "OBJECT", "EMBED"].includes(element.tagName)
            && (element.textContent.includes(marker) || element.closest('[data-testid="stAppViewContainer"]'))) {
            found.push(element.tagName);
        }
    }
    if (document.title.includes(marker)) found.push("the page title was changed by a script");
    return found;
}"""


def hostile_files(tmp_path: Path) -> dict[str, Path]:
    """Inspections and cases full of payloads for the hostile county and 驿城区, and a published H2 summary."""
    files = {kind: tmp_path / f"{kind}.csv" for kind in FILE_NAMES_HOSTILE}
    with files["inspections"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "county", "inspected_on", "unit_name", "industry", "rectification_recorded"])
        for number, payload in enumerate(PAYLOADS, start=1):
            county = "驿城区" if number % 3 == 0 else HOSTILE_CODE
            industry = payload if len(payload) <= 50 else f"[工贸](http://{EVIL}/i)"  # 行业 holds at most 50 characters
            out.writerow([f"P{number}-{payload}", county, f"2020-03-{number:02d}", payload, industry, "否"])
    with files["cases"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "county", "filed_on", "unit_name", "fine_yuan", "inspection_id", "violation"])
        for number, payload in enumerate(PAYLOADS, start=1):
            county = "驿城区" if number % 3 == 0 else HOSTILE_CODE
            inspection = f"P{number}-{payload}"
            out.writerow([payload, county, f"2020-04-{number:02d}", payload, "1000.00", inspection, payload])
    with files["summary"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["county", "inspections", "cases", "fines", "start", "end"])
        for code in (*(411702 + i for i in (0,)), HOSTILE_CODE):
            out.writerow([code, 7, 1, "1.00", "2020-07-01", "2020-12-31"])
    return files


@pytest.fixture(scope="module")
def hostile_server(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from records.db import open_database
    from records.demo import load_counties
    from records.importer import import_file

    folder = tmp_path_factory.mktemp("hostile")
    database = folder / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    county_list = folder / "counties.csv"
    county_list.write_text(
        f"code,name,kind,city,province\n{HOSTILE_CODE},{HOSTILE_COUNTY},县,驻马店市,河南省\n", encoding="utf-8"
    )
    connection = open_database(database)
    connection.execute("UPDATE counties SET sort_order = sort_order")  # the demo's ten keep their order
    load_counties(connection, county_list)
    connection.execute("UPDATE counties SET sort_order = 99 WHERE code = ?", [HOSTILE_CODE])
    for kind, path in hostile_files(folder).items():
        outcome = import_file(connection, path.read_bytes(), kind=kind, file_name=FILE_NAMES_HOSTILE[kind])
        assert outcome.status == "imported", (kind, outcome.message, outcome.problems.to_dict("records"))
    connection.close()
    try:
        with running_dashboard(database) as (url, _):
            yield url
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


def test_text_from_files_is_never_a_link_an_image_or_a_script(page: Page, hostile_server: str) -> None:
    """Every page, for the half year of the hostile records and the one with a hostile published file name."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen = ""
    for period, counties in (("h1", ""), ("h1", f"&counties={HOSTILE_CODE}&counties=411702"), ("h2", "")):
        page.goto(f"{hostile_server}/?lang=zh&year=2020&period={period}{counties}")
        settle(page)
        for name, label in NAVIGATION["zh"].items():
            if name != "overview":
                go_to_page(page, name, label)
            injected = page.evaluate(DOM_INJECTIONS, EVIL)
            assert not injected, (period, counties, name, injected)
            assert not page.locator('[data-testid="stException"]').count(), (period, name)
            seen += page.evaluate(VISIBLE_TEXT, []).replace("\u2060", "")  # the word joiner is invisible
            shown = "some" if counties else "all"
            page.screenshot(path=str(SCREENSHOTS / f"hostile-{period}-{shown}-{name}.png"), full_page=True)
    # The payloads are there, as the text the file holds (case ids name the cases without rectification records).
    for literal in (PAYLOADS[1], PAYLOADS[3], PAYLOADS[4], PAYLOADS[6], HOSTILE_COUNTY, FILE_NAMES_HOSTILE["summary"]):
        assert literal in seen, literal


def test_table_downloads_never_run_a_formula(page: Page, hostile_server: str) -> None:
    """Streamlit's own table download is off; the records' own CSV neutralises every formula prefix."""
    page.goto(f"{hostile_server}/rankings?lang=zh&year=2020&period=h1&counties={HOSTILE_CODE}")
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stElementToolbar"] button[aria-label*="Download"]').count() == 0
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载立案记录（CSV）").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert f'\'=HYPERLINK("http://{EVIL}/f","点")' in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_bulletin_never_offers_the_old_draft_under_a_new_title(page: Page, server: str) -> None:
    page.goto(f"{server}/bulletin?lang=zh&year=2020&period=h1")
    wait_until_ready(page)
    page.get_by_role("button", name="下载通报（Word）").wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="时段").click()
    page.keyboard.type("第一季度")
    page.get_by_role("option", name="第一季度").click()
    seen_new_title = False
    for _ in range(600):  # until the new draft is on the page, at most a minute
        state = page.evaluate(
            """() => ({
                title: document.querySelector('h1')?.innerText ?? '',
                preview: document.querySelector('.st-key-bulletin_text')?.innerText ?? null,
                download: !!document.querySelector('[data-testid="stDownloadButton"]'),
                drawing: !!document.querySelector('[data-testid="stProgress"]'),
            })"""
        )
        if state["title"].startswith("2020年1–3月"):
            seen_new_title = True
            old = state["preview"] is not None and "2020年1–6月" in state["preview"]
            assert not old, "the old period's preview is shown under the new title"
            assert not (state["drawing"] and state["download"]), "the old draft's download is live during the new one"
            if state["preview"] and "2020年1–3月" in state["preview"] and state["download"]:
                break
        page.wait_for_timeout(100)
    assert seen_new_title
