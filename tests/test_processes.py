"""Many processes on one store, in a real Chromium: the command line writes while `streamlit run` dashboards serve,
and two dashboard processes sit behind nginx configured by deploy/nginx.conf."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from dashboard.local_server import free_port, running_dashboard
from records.store import Store
from tests.conftest import ROOT, run_module
from tests.test_browser import table_rows, wait_until_ready

pytestmark = pytest.mark.browser
NEW_ROWS = "id,county,inspected_on,unit_name\nP-1,驿城区,2020-03-01,甲公司\nP-2,驿城区,2020-03-02,乙公司\n"


@contextmanager
def new_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def yicheng_inspections(page: Page, url: str) -> str:
    """驿城区's inspections in the default ranking (2020年1–6月), as the page shows them."""
    page.goto(f"{url}/rankings")
    wait_until_ready(page)
    row = next(row for row in table_rows(page) if "驿城区" in row)
    return row[row.index("驿城区") + 2]


def test_the_command_line_writes_while_a_dashboard_runs_and_the_page_shows_it(
    store_path: Path, tmp_path: Path, browser: Browser
) -> None:
    source = tmp_path / "new.csv"
    source.write_text(NEW_ROWS, encoding="utf-8")
    with running_dashboard(store_path) as (url, _), new_page(browser) as page:
        assert yicheng_inspections(page, url) == "59"
        imported = run_module("records", "import", str(source), "--db", str(store_path))
        assert imported.returncode == 0, imported.stderr
        bulletin = run_module(
            "records",
            "bulletin",
            "--db",
            str(store_path),
            "--start",
            "2020-01-01",
            "--end",
            "2020-06-30",
            "--out",
            str(tmp_path / "通报.docx"),
        )
        assert bulletin.returncode == 0, bulletin.stderr
        assert (tmp_path / "通报.docx").stat().st_size > 10_000
        assert yicheng_inspections(page, url) == "61"  # the running process switched to the new version
        withdrawn = run_module("records", "withdraw", "3", "--reason", "测试撤销", "--db", str(store_path))
        assert withdrawn.returncode == 0, withdrawn.stderr
        assert yicheng_inspections(page, url) == "59"
        assert not page.locator('[data-testid="stException"]').count()


@contextmanager
def nginx_in_front(ports: tuple[int, int], folder: Path) -> Iterator[str]:
    """deploy/nginx.conf as shipped, pointed at two local ports and listening on a free one."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: run ./test.sh, which installs it (bin/system-packages test)")
    listen = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "ip_hash;" in site and "proxy_set_header Upgrade $http_upgrade;" in site
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{ports[0]}").replace("127.0.0.1:8502", f"127.0.0.1:{ports[1]}")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(
        f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log {folder}/access.log;\n{temp}include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{listen}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_two_dashboard_processes_behind_nginx_serve_one_store(
    store_path: Path, tmp_path: Path, browser: Browser
) -> None:
    with (
        running_dashboard(store_path) as (first, _),
        running_dashboard(store_path) as (second, _),
        nginx_in_front((int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])), tmp_path) as proxy,
        new_page(browser) as page,
    ):
        assert yicheng_inspections(page, proxy) == "59"
        page.goto(f"{proxy}/data")
        wait_until_ready(page)
        upload = tmp_path / "new.csv"
        upload.write_text(NEW_ROWS, encoding="utf-8")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(upload))
        page.get_by_text("检查通过：2 行检查记录").wait_for(timeout=60_000)
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("已导入 2 行检查记录").wait_for(timeout=60_000)
        with new_page(browser) as direct:  # each process on its own: both show the import, neither restarted
            assert yicheng_inspections(direct, first) == "61"
            assert yicheng_inspections(direct, second) == "61"
        log = run_module("records", "withdraw", "3", "--reason", "经代理导入的测试批次", "--db", str(store_path))
        assert log.returncode == 0, log.stderr
        assert yicheng_inspections(page, proxy) == "59"
    with Store(store_path).reading() as connection:
        assert connection.execute("SELECT imported_by FROM import_log WHERE id = 3").fetchall() == [("本机",)]


def test_the_nightly_job_backs_up_and_drafts_while_readers_run(store_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ENFORCEMENT_DB": str(store_path),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BULLETIN_DIR": str(tmp_path / "bulletins"),
    }
    result = subprocess.run(
        [str(ROOT / "deploy" / "nightly.sh")], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} == {"enforcement.duckdb", "audit.duckdb", "manifest.json"}
    (document,) = (tmp_path / "bulletins").iterdir()
    assert document.suffix == ".docx"
