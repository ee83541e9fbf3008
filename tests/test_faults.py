"""Faults told in one Chinese line, on the command line and on the page: a damaged file, a full disk, a read-only
file or folder. Real files on real (small, read-only) file systems; mounting needs root, as this project's
machines and CI run."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from records.store import Store
from tests.conftest import ROOT, run_module
from tests.test_cli import EXPECTED_CSV
from tests.test_store import H1, inspections_file, one_line, rank_csv

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small or read-only file system needs root")


def make_store(folder: Path, demo: Path) -> Path:
    path = folder / "enforcement.duckdb"
    Store(path).initialise(lambda target: target.write_bytes(demo.read_bytes()), "测试", "示例数据")
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Write until the file system is full; returns the filler to delete."""
    filler = folder / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 1024 * 1024)
                handle.flush()
        except OSError:
            pass
    return filler


def page_after_upload(store_path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/data.py").run()
    app.file_uploader(key="upload_file").upload("new.csv", content, "text/csv")
    app.run()
    app.button(key="confirm_import").click().run()
    return app


def assert_one_sentence_on_the_page(app: AppTest, expected: str) -> None:
    assert not app.exception, [e.value for e in app.exception]
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and expected in errors[0], errors
    assert "/" not in errors[0] and "Traceback" not in errors[0] and "Error" not in errors[0]


NEW_ROWS = "id,county,inspected_on,unit_name\nF-1,驿城区,2020-03-01,甲公司\n".encode()


@pytest.mark.parametrize("damage", ["cut_in_half", "blocks_overwritten"])
def test_a_damaged_file_gives_one_line_on_the_command_line_and_the_page(
    built_demo: Path, tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = make_store(tmp_path, built_demo)
    store = Store(store_path)
    for victim in (store.snapshot_path(store.current_version() or 0), store_path):
        size = victim.stat().st_size
        if damage == "cut_in_half":
            os.truncate(victim, size // 2)
        else:
            with victim.open("r+b") as handle:
                for offset in range(12288 + 262144, size, 262144):
                    handle.seek(offset + 1000)
                    handle.write(os.urandom(4096))
    assert "已损坏" in one_line(rank_csv(store_path))
    bulletin = run_module("records", "bulletin", "--db", str(store_path), *H1, "--out", str(tmp_path / "b.docx"))
    assert "已损坏" in one_line(bulletin)
    if damage == "cut_in_half":  # overwritten blocks may lie where an import never reads
        imported = run_module("records", "import", str(inspections_file(tmp_path, "n.csv")), "--db", str(store_path))
        assert "已损坏" in one_line(imported)

    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert_one_sentence_on_the_page(app, "已损坏")


@needs_root
def test_a_full_disk_gives_one_line_and_loses_nothing(
    built_demo: Path, small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = make_store(small_disk, built_demo)
    source = inspections_file(tmp_path, "big.csv", rows=20_000)
    filler = fill(small_disk)

    result = run_module("records", "import", str(source), "--db", str(store_path))
    assert "磁盘已满" in one_line(result)
    assert rank_csv(store_path).stdout == EXPECTED_CSV  # readers carry on from the last snapshot
    app = page_after_upload(store_path, NEW_ROWS, monkeypatch)
    assert_one_sentence_on_the_page(app, "磁盘已满")

    filler.unlink()
    retried = run_module("records", "import", str(source), "--db", str(store_path))
    assert retried.returncode == 0, retried.stderr  # nothing was left half-written
    assert "已导入 20,000 行" in retried.stdout


@needs_root
def test_a_read_only_file_gives_one_line_and_reading_goes_on(
    built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = make_store(tmp_path, built_demo)
    subprocess.run(["chattr", "+i", str(store_path)], check=True)  # immutable: even root cannot write it
    try:
        result = run_module("records", "import", str(inspections_file(tmp_path, "n.csv")), "--db", str(store_path))
        assert "只读" in one_line(result)
        assert rank_csv(store_path).stdout == EXPECTED_CSV
        app = page_after_upload(store_path, NEW_ROWS, monkeypatch)
        assert_one_sentence_on_the_page(app, "只读")
    finally:
        subprocess.run(["chattr", "-i", str(store_path)], check=True)


@needs_root
def test_a_read_only_folder_gives_one_line_and_reading_goes_on(
    built_demo: Path, small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = make_store(small_disk, built_demo)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run_module("records", "import", str(inspections_file(tmp_path, "n.csv")), "--db", str(store_path))
    assert "只读" in one_line(result)
    withdrawn = run_module("records", "withdraw", "1", "--reason", "x", "--db", str(store_path))
    assert "只读" in one_line(withdrawn)
    assert rank_csv(store_path).stdout == EXPECTED_CSV
    app = page_after_upload(store_path, NEW_ROWS, monkeypatch)
    assert_one_sentence_on_the_page(app, "只读")


def test_a_write_still_running_gives_one_line_on_the_page(
    built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_store import paused_writer

    store_path = make_store(tmp_path, built_demo)
    writer = paused_writer(store_path, inspections_file(tmp_path, "slow.csv"), "before_commit", tmp_path)
    try:
        monkeypatch.setenv("ENFORCEMENT_LOCK_WAIT", "1")
        app = page_after_upload(store_path, NEW_ROWS, monkeypatch)
        assert_one_sentence_on_the_page(app, "另一项写入")
    finally:
        writer.kill()
        writer.wait()
