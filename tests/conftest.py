"""Shared fixtures: the reference files and demo databases built by the same builder the app uses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from playwright.sync_api import Browser, sync_playwright
from streamlit.testing.v1 import AppTest

from records.access import Identity
from records.db import open_database
from records.demo import build_demo_database
from records.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = ROOT.parent / "shared" / "reference" / "zhumadian-2020-h1-table.csv"
REFERENCE_TABLE = SHARED_REFERENCE if SHARED_REFERENCE.exists() else ROOT / "data" / "zhumadian-2020-h1-attachment.csv"
# Who the tests are when they write through the store or read records directly: an operator at the command line.
TESTER = Identity("测试", "测试", "admin", how="cli")
EVERY_COUNTY = TESTER.scope


@pytest.fixture(scope="session")
def reference() -> pd.DataFrame:
    """The published attachment, value for value."""
    return pd.read_csv(REFERENCE_TABLE, encoding="utf-8-sig")


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as a published store (version 1), so the readers that tests point at it never need to write it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    Store(path).initialise(build_demo_database, "测试", "创建示例数据库")
    return path


@pytest.fixture
def demo_path(built_demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database file, free to change."""
    path = tmp_path / "enforcement.duckdb"
    shutil.copy(built_demo, path)
    return path


@pytest.fixture
def store_path(built_demo: Path, tmp_path: Path) -> Path:
    """A published demo store of its own (the demo file adopted as version 1)."""
    path = tmp_path / "store" / "enforcement.duckdb"
    path.parent.mkdir()
    Store(path).initialise(lambda target: target.write_bytes(built_demo.read_bytes()), "测试", "示例数据")
    return path


@pytest.fixture
def demo(demo_path: Path) -> duckdb.DuckDBPyConnection:
    connection = open_database(demo_path)
    yield connection
    connection.close()


def run_module(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m …`` as a user would, capturing its output (``input_text`` on its standard input)."""
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, input=input_text
    )


def table_snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Row counts and content hashes of every table, to prove a failed import changed nothing."""
    snapshot: dict[str, object] = {}
    for table in ("counties", "inspections", "cases", "county_summaries", "import_log", "meta"):
        snapshot[table] = connection.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchone()
    return snapshot


@pytest.fixture
def app(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard through AppTest on a demo store of the test's own."""
    monkeypatch.setenv("ENFORCEMENT_DB", str(demo_path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def ranking_element(app: AppTest):  # type: ignore[no-untyped-def]
    """The ranking grid, whose key names the period it shows (ranking_table_20240101_20240630)."""
    return next(table for table in app.dataframe if str(table.key or "").startswith("ranking_table_"))


def ranking(app: AppTest) -> pd.DataFrame:
    return ranking_element(app).value


CHROMIUM = "/usr/bin/chromium"  # Debian's: a test tool cannot download a browser here


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run ./test.sh, which installs chromium and fonts-noto-cjk")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for a test module."""
    with chromium() as launched:
        yield launched
