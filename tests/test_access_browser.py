"""Sign-in and county scoping in a real Chromium against `streamlit run app.py` on a store with accounts.

A signed-out browser sees only the sign-in form on every address; a county user signed in with the form sees the
city ranking and no other county's records by any page, picker, address parameter or download, and every record
download is in the audit trail; the identity is in no cookie and no address. With no accounts, a browser on
another address than the server's own is refused (a second address on a dummy network interface).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, Request

from dashboard.local_server import DashboardDidNotStart, free_port, running_dashboard
from records.store import Store
from tests.access_fixtures import PASSWORDS, add_accounts

pytestmark = pytest.mark.browser
SIGN_IN_TITLE = "登录 · 安全生产执法成效"
PAGES = ["", "rankings", "charts", "flags", "bulletin", "scheme", "data"]
RECORD_ID = re.compile(r"\b[A-Z]{2}(4117\d\d)\d{10}\b")  # the demo's inspection and case numbers carry the county
BIYANG = "411726"
SECOND_ADDRESS = "10.254.0.1"


@pytest.fixture(scope="module")
def database(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access-browser") / "enforcement.duckdb"
    shutil.copy(built_demo, path)
    add_accounts(path)
    return path


@pytest.fixture(scope="module")
def server(database: Path) -> Iterator[str]:
    try:
        with running_dashboard(database, log_path=database.with_name("streamlit.log")) as (url, _):
            yield url
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


def new_page(
    browser: Browser, allowed: tuple[str, ...] = ("127.0.0.1", "localhost"), besides: str | None = None
) -> Page:
    """A page in a fresh context (no cookies) that notes any request beyond ``allowed`` hosts; ``close`` checks.

    Requests from pages of ``besides`` (the test's identity provider, whose pages load a style sheet from a CDN)
    are not the dashboard's: they are blocked but not counted.
    """
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    foreign: list[str] = []

    def noted(request: Request) -> None:
        if urlparse(request.url).hostname in allowed:
            return
        if besides is None or not (request.headers.get("referer") or "").startswith(besides):
            foreign.append(request.url)

    page.on("request", noted)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost|10\.254\.0\.1)"), lambda route: route.abort())
    FOREIGN[id(page)] = foreign
    return page


FOREIGN: dict[int, list[str]] = {}


def close(page: Page) -> None:
    foreign = FOREIGN.pop(id(page), [])
    page.context.close()
    assert not foreign, f"the page reached beyond the local servers: {foreign}"


def wait_until_ready(page: Page) -> None:
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(800)


def heading(page: Page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()


def sign_in(page: Page, name: str, password: str | None = None) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password or PASSWORDS[name])
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_function(f"() => document.querySelector('h1') && document.querySelector('h1').innerText !== "
                           f"'{SIGN_IN_TITLE}'", timeout=60_000)  # fmt: skip
    wait_until_ready(page)


def go_to(page: Page, title: str) -> None:
    """Move to another page by the sidebar's link, as a reader does (a new address would be a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_timeout(500)
    wait_until_ready(page)


def open_options(page: Page, select: Locator) -> None:
    select.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # a click while the page still scrolls lands beside the box
    select.locator("input").first.click()
    page.get_by_role("option").first.wait_for()


def counties_in(page: Page) -> set[str]:
    """The county codes of every record number the page shows, in its text and in its tables' cells."""
    cells = " ".join(page.locator('[data-testid="stDataFrame"] td').all_text_contents())
    return set(RECORD_ID.findall(cells + " " + page.locator("body").inner_text()))


def grid_rows(page: Page, index: int = 0) -> int:
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    grid.locator("td").first.wait_for(state="attached")
    return grid.locator("tbody tr").count()


def test_a_signed_out_browser_sees_only_the_sign_in_form(browser: Browser, server: str) -> None:
    page = new_page(browser)
    asked = [f"{server}/{path}" for path in PAGES]
    asked.append(f"{server}/rankings?counties={quote('驿城区')}&trace_county={quote('驿城区')}&lang=zh")
    for url in asked:
        page.goto(url)
        page.get_by_label("用户名").wait_for(timeout=60_000)
        wait_until_ready(page)
        assert heading(page) == SIGN_IN_TITLE, url
        for figure in ("stDataFrame", "stMetric", "stPlotlyChart", "stDownloadButton", "stSidebarNav"):
            assert page.locator(f'[data-testid="{figure}"]').count() == 0, (url, figure)
    close(page)


def test_a_county_user_sees_the_city_ranking_and_only_its_own_records(
    browser: Browser, server: str, database: Path
) -> None:
    page = new_page(browser)
    page.goto(server)
    wait_until_ready(page)
    sign_in(page, "biyang")
    assert "当前用户：泌阳县丙（县区用户·泌阳县）" in page.locator('[data-testid="stSidebar"]').inner_text()
    go_to(page, "综合排名")
    assert grid_rows(page, 0) == 10  # the whole city's ranking
    page.get_by_text("县区用户只能查看本县区（泌阳县）的明细记录").wait_for()
    assert counties_in(page) == {BIYANG}
    trace = page.locator('[data-testid="stSelectbox"]').filter(has_text="县区").last
    open_options(page, trace)
    assert page.get_by_role("option").all_inner_texts() == ["泌阳县"]
    page.keyboard.press("Escape")

    with page.expect_download() as download:
        page.get_by_role("button", name="下载检查记录（CSV）").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1 and {RECORD_ID.fullmatch(row[0]).group(1) for row in rows[1:]} == {BIYANG}  # type: ignore[union-attr]
    trail = Store(database).audit.entries()
    downloads = trail[(trail["action"] == "record_download") & (trail["user_name"] == "biyang")]
    assert len(downloads) == 1 and downloads.iloc[0]["county"] == "泌阳县"
    assert downloads.iloc[0]["row_count"] == len(rows) - 1 and downloads.iloc[0]["address"] is None

    go_to(page, "预警")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="查看记录")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载这些记录（CSV）").click()
    revisits = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(revisits) > 1
    trail = Store(database).audit.entries(user="biyang", actions=("record_download",))
    assert len(trail) == 2 and trail.iloc[0]["details"] == "repeat_visits"
    assert trail.iloc[0]["county"] == "泌阳县" and trail.iloc[0]["row_count"] == len(revisits) - 1
    open_options(page, picker)
    others = [label for label in page.get_by_role("option").all_inner_texts() if not label.startswith("泌阳县")]
    assert others, "no other county is flagged: the test would prove nothing"
    page.get_by_role("option", name=others[0], exact=True).click()
    page.wait_for_timeout(500)
    wait_until_ready(page)
    assert counties_in(page) <= {BIYANG}
    shown = page.locator(".st-key-quality_records").inner_text()
    assert others[0].split(" · ")[0] in shown and "（0条）" in shown, shown

    go_to(page, "数据管理")
    assert counties_in(page) == set() and page.locator('[data-testid="stFileUploader"]').count() == 0

    cookies = page.context.cookies()
    assert not [c for c in cookies if re.search("biyang|泌阳|county", f"{c['name']}={c['value']}", re.I)]
    assert "biyang" not in page.url and "identity" not in page.url

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    assert heading(page) == SIGN_IN_TITLE and page.locator('[data-testid="stDataFrame"]').count() == 0
    trail = Store(database).audit.entries(user="biyang")
    assert trail["action"].tolist()[:2] == ["sign_out", "record_download"] or "sign_out" in trail["action"].tolist()
    close(page)


def test_address_parameters_never_widen_a_county_users_records(browser: Browser, server: str) -> None:
    page = new_page(browser)
    other = quote("驿城区")
    page.goto(f"{server}/rankings?counties={other}&county={other}&trace_county={other}&trace_county=411702")
    wait_until_ready(page)
    sign_in(page, "biyang")
    assert heading(page).endswith("综合执法成效统计表")
    page.get_by_text("所选县区中没有本县区（泌阳县），因此不显示明细记录。").wait_for()
    assert counties_in(page) == set()
    assert page.get_by_role("button", name="下载检查记录（CSV）").count() == 0
    close(page)


def test_a_leader_sees_no_write_controls(browser: Browser, server: str) -> None:
    page = new_page(browser)
    page.goto(server)
    wait_until_ready(page)
    sign_in(page, "lead")
    go_to(page, "数据管理")
    page.get_by_text("导入、撤销和更正数据只有管理员可以操作").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.get_by_text("审计日志").count() == 0
    go_to(page, "评分规则")
    assert page.locator('[data-testid="stForm"]').count() == 0
    close(page)


# No accounts, a browser on another address ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def second_address() -> Iterator[str]:
    """A second address of this machine that is not loopback (needs root): on a dummy interface where the kernel has
    one, else on ``lo`` itself (still reachable from this machine only). The server sees a browser from it as
    another computer: only 127.0.0.1 and ::1 count as the server's own."""
    dummy = [
        ["ip", "link", "add", "acctest0", "type", "dummy"],
        ["ip", "addr", "add", f"{SECOND_ADDRESS}/32", "dev", "acctest0"],
        ["ip", "link", "set", "acctest0", "up"],
    ]
    undo = [["ip", "link", "del", "acctest0"]]
    if not all(subprocess.run(step, capture_output=True).returncode == 0 for step in dummy):
        subprocess.run(undo[0], capture_output=True)
        undo = [["ip", "addr", "del", f"{SECOND_ADDRESS}/32", "dev", "lo"]]
        made = subprocess.run(
            ["ip", "addr", "add", f"{SECOND_ADDRESS}/32", "dev", "lo"], capture_output=True, text=True
        )
        if made.returncode != 0:
            pytest.skip(f"cannot add a second network address to simulate another computer: {made.stderr.strip()}")
    try:
        yield SECOND_ADDRESS
    finally:
        for step in undo:
            subprocess.run(step, capture_output=True)


def test_with_no_accounts_a_browser_on_another_address_is_refused(
    browser: Browser, built_demo: Path, tmp_path: Path, second_address: str
) -> None:
    database = tmp_path / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    with running_dashboard(database, host=second_address, port=free_port()) as (url, _):
        page = new_page(browser, allowed=(second_address,))
        for path in ("", "rankings", "data"):
            page.goto(f"{url}/{path}")
            page.locator('[data-testid="stAlert"]').first.wait_for(timeout=60_000)
            wait_until_ready_without_heading(page)
            alert = page.locator('[data-testid="stAlert"]').first.inner_text()
            assert "只对服务器本机开放" in alert and "python -m records users add 用户名 --role admin" in alert, alert
            for figure in ("stDataFrame", "stMetric", "stPlotlyChart", "stDownloadButton", "stSidebarNav"):
                assert page.locator(f'[data-testid="{figure}"]').count() == 0, (path, figure)
        close(page)
    refused = Store(database).audit.entries(actions=("remote_refused",))
    assert len(refused) >= 1 and set(refused["address"]) == {second_address}


def wait_until_ready_without_heading(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(500)
