"""Sign-in through the bureau's identity provider, end to end, without the internet.

A real OIDC provider process (``oidc-provider-mock``, a test dependency, never shipped) listens on loopback; the
dashboard is started with an ``[auth]`` secrets file pointing at it; Chromium goes through the whole redirect
(dashboard → provider's authorisation page → ``/oauth2callback`` → dashboard). A leader and a county user, each
bound to an account with ``users add --oidc``, see what their role allows and sign out; an identity no account is
bound to is refused with a message naming the administrators.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from dashboard.local_server import DashboardDidNotStart, free_port, running_dashboard
from records.store import Store
from tests.access_fixtures import OIDC_COUNTY, OIDC_LEADER, OIDC_UNKNOWN, add_accounts
from tests.test_access_browser import (
    SIGN_IN_TITLE,
    close,
    go_to,
    heading,
    new_page,
    open_options,
    wait_until_ready,
    wait_until_ready_without_heading,
)

pytestmark = pytest.mark.browser
PROVIDER_BUTTON = "使用统一身份认证登录"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m oidc_provider_mock`` on a free loopback port, with the users it offers at one click."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    users = [
        {"sub": OIDC_LEADER, "email": OIDC_LEADER, "email_verified": True, "name": "领导丁"},
        {"sub": OIDC_COUNTY, "email": OIDC_COUNTY, "email_verified": True, "name": "泌阳县戊"},
        {"sub": OIDC_UNKNOWN, "email": OIDC_UNKNOWN, "email_verified": True, "name": "陌生人"},
    ]
    claims = [argument for user in users for argument in ("--user-claims", json.dumps(user))]
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port), *claims],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the OIDC provider exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the OIDC provider did not answer:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def dashboard(provider: str, built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard with ``[auth]`` pointing at the provider, on a store with accounts bound to its users."""
    folder = tmp_path_factory.mktemp("oidc-dashboard")
    database = folder / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    add_accounts(database, oidc=True)
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "enforcement-dashboard"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    try:
        with running_dashboard(
            database, log_path=folder / "streamlit.log", options=("--secrets.files", str(secrets_file)), port=port
        ) as (url, _):
            yield url, database
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


def sign_in_with_provider(page: Page, dashboard_url: str, who: str, refused: bool = False) -> None:
    page.goto(dashboard_url)
    wait_until_ready(page)
    assert heading(page) == SIGN_IN_TITLE
    page.get_by_role("button", name=PROVIDER_BUTTON).click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)  # the provider's own page
    page.get_by_role("button", name=who, exact=True).click()
    page.wait_for_url(f"{dashboard_url}/**", timeout=30_000)
    if refused:
        page.locator('[data-testid="stAlert"]').first.wait_for(timeout=60_000)
    wait_until_ready_without_heading(page) if refused else wait_until_ready(page)


def sign_out(page: Page, where: str = '[data-testid="stSidebar"]') -> None:
    page.locator(where).get_by_role("button", name="退出登录").click()
    confirm = page.get_by_role("button", name="End session")  # the provider may ask to end its own session too
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if confirm.count():
            confirm.first.click()
        if page.get_by_role("button", name=PROVIDER_BUTTON).count():
            break
        page.wait_for_timeout(300)
    wait_until_ready(page)


def trace_options(page: Page) -> list[str]:
    go_to(page, "综合排名")
    trace = page.locator('[data-testid="stSelectbox"]').filter(has_text="县区").last
    open_options(page, trace)
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_a_leader_signs_in_through_the_provider_and_out_again(
    browser: Browser, dashboard: tuple[str, Path], provider: str
) -> None:
    url, database = dashboard
    page = new_page(browser, besides=provider)
    sign_in_with_provider(page, url, OIDC_LEADER)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "当前用户：领导丁（领导）" in sidebar, sidebar
    assert len(trace_options(page)) == 10  # every county's records
    go_to(page, "数据管理")
    page.get_by_text("导入、撤销和更正数据只有管理员可以操作").wait_for()

    sign_out(page)
    assert heading(page) == SIGN_IN_TITLE and page.locator('[data-testid="stDataFrame"]').count() == 0
    assert not [c for c in page.context.cookies() if c["name"] == "_streamlit_user"]
    page.reload()  # a new session: still signed out
    wait_until_ready(page)
    assert heading(page) == SIGN_IN_TITLE
    trail = Store(database).audit.entries(user="oidc_lead")
    assert trail["action"].tolist()[:2] == ["sign_out", "sign_in"], trail[["action", "details"]]
    assert OIDC_LEADER in trail.iloc[1]["details"]
    close(page)


def test_a_county_user_signs_in_through_the_provider_and_sees_only_its_records(
    browser: Browser, dashboard: tuple[str, Path], provider: str
) -> None:
    url, _ = dashboard
    page = new_page(browser, besides=provider)
    sign_in_with_provider(page, url, OIDC_COUNTY)
    assert "当前用户：泌阳县戊（县区用户·泌阳县）" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert trace_options(page) == ["泌阳县"]
    assert page.locator('[data-testid="stDataFrame"]').first.locator("tbody tr").count() == 10  # the city ranking
    sign_out(page)
    assert heading(page) == SIGN_IN_TITLE
    close(page)


def test_an_identity_without_an_account_is_refused_and_told_whom_to_ask(
    browser: Browser, dashboard: tuple[str, Path], provider: str
) -> None:
    url, database = dashboard
    page = new_page(browser, besides=provider)
    sign_in_with_provider(page, url, OIDC_UNKNOWN, refused=True)
    alert = page.locator('[data-testid="stAlert"]').first
    alert.wait_for()
    said = alert.inner_text()
    assert OIDC_UNKNOWN in said.replace("\u2060", "") and "请联系系统管理员（管理员甲）开通" in said, said
    for figure in ("stDataFrame", "stMetric", "stPlotlyChart", "stSidebarNav"):
        assert page.locator(f'[data-testid="{figure}"]').count() == 0, figure
    refused = Store(database).audit.entries(actions=("identity_refused",))
    assert refused["user_name"].tolist() == [OIDC_UNKNOWN]
    sign_out(page, '[data-testid="stMainBlockContainer"]')
    assert heading(page) == SIGN_IN_TITLE
    close(page)
