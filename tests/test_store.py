"""One store, many processes: real writer processes killed at named points, concurrent writers, withdrawals,
replacements, backups, the previous release's files, and faults told in one line. No mocks: real DuckDB files,
real `python -m records` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from records.batches import withdraw_batch
from records.schema import SCHEMA_VERSION, schema_version
from records.store import PAUSE_POINTS, Store
from tests.conftest import ROOT, TESTER, run_module
from tests.test_cli import EXPECTED_CSV

H1 = ("--start", "2020-01-01", "--end", "2020-06-30")
EXTRA_ROWS = 400


def inspections_file(folder: Path, name: str, rows: int = EXTRA_ROWS, prefix: str = "K") -> Path:
    frame = pd.DataFrame(
        {
            "id": [f"{prefix}-{i}" for i in range(rows)],
            "county": ["驿城区"] * rows,
            "inspected_on": ["2020-04-01"] * rows,
            "unit_name": ["甲公司"] * rows,
        }
    )
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def cases_file(folder: Path, name: str, rows: int, county: str, prefix: str = "CASE") -> Path:
    frame = pd.DataFrame(
        {
            "id": [f"{prefix}-{i}" for i in range(rows)],
            "county": [county] * rows,
            "filed_on": ["2020-05-01"] * rows,
            "unit_name": ["乙公司"] * rows,
            "fine_yuan": ["10000"] * rows,
        }
    )
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def published_count(store_path: Path, county_code: int = 411702) -> int:
    """What a reader opening the current snapshot sees, without any repair: 驿城区's inspections."""
    store = Store(store_path)
    version = store.current_version()
    assert version is not None
    with duckdb.connect(str(store.snapshot_path(version)), read_only=True) as connection:
        return int(
            connection.execute("SELECT count(*) FROM inspections WHERE county_code = ?", [county_code]).fetchall()[0][0]
        )


def rank_csv(store_path: Path) -> subprocess.CompletedProcess[str]:
    return run_module("records", "rank", "--db", str(store_path), *H1, "--format", "csv")


def one_line(result: subprocess.CompletedProcess[str], *, exit_code: int = 1) -> str:
    assert result.returncode == exit_code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("[")]  # progress lines start with [
    assert len(lines) == 1, result.stderr
    assert "/" not in lines[0].replace("1/31", ""), f"a path leaked: {lines[0]}"
    return lines[0]


def paused_writer(store_path: Path, source: Path, point: str, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    announce = tmp_path / f"paused-{point}"
    env = {**os.environ, "ENFORCEMENT_TEST_PAUSE": point, "ENFORCEMENT_TEST_PAUSE_FILE": str(announce)}
    writer = subprocess.Popen(
        [sys.executable, "-m", "records", "import", str(source), "--db", str(store_path), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not announce.exists():
        if writer.poll() is not None:
            raise AssertionError(f"writer ended before pausing at {point}: {writer.communicate()}")
        assert time.monotonic() < deadline, f"writer never reached {point}"
        time.sleep(0.05)
    return writer


@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_writer_killed_at_any_point_leaves_the_import_whole_or_absent(
    store_path: Path, tmp_path: Path, point: str
) -> None:
    before = published_count(store_path)
    source = inspections_file(tmp_path, "batch.csv")
    writer = paused_writer(store_path, source, point, tmp_path)
    during = published_count(store_path)  # readers meanwhile: the old snapshot, complete
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert during == (before + EXTRA_ROWS if point == "after_pointer" else before)
    after_kill = published_count(store_path)  # the pointer names a whole snapshot, never a partial copy
    assert after_kill in (before, before + EXTRA_ROWS)

    rank = rank_csv(store_path)  # a reader finds the dead writer's marker, takes the free lock and publishes
    assert rank.returncode == 0, rank.stderr
    committed = point != "before_commit"
    expected = before + EXTRA_ROWS if committed else before
    assert published_count(store_path) == expected
    assert (rank.stdout == EXPECTED_CSV) is not committed
    store = Store(store_path)
    assert not store.marker.exists()
    leftovers = [p.name for p in store.snapshots.iterdir() if p.name.startswith(".")]
    leftovers += [p.name for p in store_path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    with store.reading() as connection:
        logged = connection.execute("SELECT count(*), sum(row_count) FROM import_log WHERE file_name = 'batch.csv'")
        assert logged.fetchall()[0] == ((1, EXTRA_ROWS) if committed else (0, None))
    again = run_module("records", "import", str(source), "--db", str(store_path))  # still importable, once
    assert (again.returncode == 0) is not committed, again.stderr


def test_two_imports_confirmed_at_once_both_succeed(store_path: Path, tmp_path: Path) -> None:
    first = inspections_file(tmp_path, "first.csv", prefix="A")
    second = inspections_file(tmp_path, "second.csv", prefix="B")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "records", "import", str(source), "--db", str(store_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in (first, second)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    assert sorted(out.split("导入批次 ")[1][0] for out, _ in results) == ["3", "4"]  # ids from the sequence
    assert published_count(store_path) == 578 + 2 * EXTRA_ROWS  # 驿城区's demo inspections, all years


def test_the_same_file_confirmed_twice_at_once_imports_once(store_path: Path, tmp_path: Path) -> None:
    source = inspections_file(tmp_path, "same.csv")
    barrier = threading.Barrier(2)
    results: list[subprocess.CompletedProcess[str]] = []

    def run() -> None:
        barrier.wait()
        results.append(run_module("records", "import", str(source), "--db", str(store_path)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.returncode for result in results) == [0, 1]
    refused = next(result for result in results if result.returncode == 1)
    assert "未重复导入" in refused.stderr and "Traceback" not in refused.stderr
    assert published_count(store_path) == 578 + EXTRA_ROWS


def test_a_writer_waits_its_turn_then_gives_one_line(store_path: Path, tmp_path: Path) -> None:
    writer = paused_writer(store_path, inspections_file(tmp_path, "slow.csv"), "before_commit", tmp_path)
    try:
        env = {**os.environ, "ENFORCEMENT_LOCK_WAIT": "1"}
        started = time.monotonic()
        busy = run_module("records", "withdraw", "1", "--reason", "测试", "--db", str(store_path), env=env)
        assert time.monotonic() - started >= 1
        assert "另一项写入" in one_line(busy) and "请稍后再试" in busy.stderr
        assert rank_csv(store_path).stdout == EXPECTED_CSV  # readers are never held up
    finally:
        writer.kill()
        writer.wait()


def test_withdraw_and_replace_change_the_ranking_and_say_who_and_why(store_path: Path, tmp_path: Path) -> None:
    # 驿城区 (last) files 30 more cases and moves up; withdrawing the batch puts it back.
    wrong = cases_file(tmp_path, "wrong.csv", 30, "驿城区")
    imported = run_module("records", "import", str(wrong), "--db", str(store_path))
    assert imported.returncode == 0, imported.stderr
    ranking = pd.read_csv(pd.io.common.StringIO(rank_csv(store_path).stdout)).set_index("county")
    assert ranking.loc["驿城区", "cases"] == 31 and ranking.loc["驿城区", "overall_rank"] < 10

    refused = run_module("records", "import", str(wrong), "--db", str(store_path))
    assert refused.returncode == 1  # the same ids are duplicates while the batch counts

    corrected = cases_file(tmp_path, "corrected.csv", 3, "驿城区")  # the same ids, fewer rows
    replaced = run_module(
        "records", "import", str(corrected), "--replaces", "3", "--reason", "多录了27起", "--db", str(store_path)
    )
    assert replaced.returncode == 0, replaced.stderr
    ranking = pd.read_csv(pd.io.common.StringIO(rank_csv(store_path).stdout)).set_index("county")
    assert ranking.loc["驿城区", "cases"] == 4

    withdrawn = run_module("records", "withdraw", "4", "--reason", "县局申请撤回", "--db", str(store_path))
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert rank_csv(store_path).stdout == EXPECTED_CSV

    with Store(store_path).reading() as connection:
        log = connection.execute(
            "SELECT id, imported_by, withdrawn_by, withdraw_reason, replaced_by FROM import_log "
            "WHERE id >= 3 ORDER BY id"
        ).fetchall()
        kept = connection.execute("SELECT count(*) FROM withdrawn_cases").fetchall()[0][0]
        writes = connection.execute("SELECT actor, action FROM write_log ORDER BY version").fetchall()
    user = f"命令行:{__import__('getpass').getuser()}"
    assert log == [(3, user, user, "多录了27起", 4), (4, user, user, "县局申请撤回", None)]
    assert kept == 33  # nothing is deleted
    assert writes[-2:] == [(user, "导入 corrected.csv，替换批次 3"), (user, "撤销批次 4")]

    again = run_module("records", "withdraw", "4", "--reason", "再撤", "--db", str(store_path))
    assert "已于" in one_line(again)


def test_a_replacement_whose_file_is_bad_changes_nothing(store_path: Path, tmp_path: Path) -> None:
    run_module("records", "import", str(cases_file(tmp_path, "c.csv", 5, "驿城区")), "--db", str(store_path))
    before = Store(store_path).current_version()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,county,filed_on,unit_name,fine_yuan\nX,火星县,2020-01-01,甲,1\n", encoding="utf-8")
    result = run_module("records", "import", str(bad), "--replaces", "3", "--db", str(store_path))
    assert result.returncode == 1 and "未知县区" in result.stderr
    assert Store(store_path).current_version() == before  # both or neither: the withdrawal did not happen
    with Store(store_path).reading() as connection:
        assert connection.execute("SELECT withdrawn_at FROM import_log WHERE id = 3").fetchall() == [(None,)]


def table_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
        ).fetchall()
    ]
    return {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in tables}


def test_backup_while_writing_and_restore_round_trip(store_path: Path, tmp_path: Path) -> None:
    run_module("records", "import", str(cases_file(tmp_path, "c.csv", 5, "正阳县")), "--db", str(store_path))
    version = Store(store_path).current_version()
    writer = paused_writer(store_path, inspections_file(tmp_path, "late.csv"), "after_commit", tmp_path)
    try:
        backup = run_module("records", "backup", "--out", str(tmp_path / "backup"), "--db", str(store_path))
        assert backup.returncode == 0, backup.stderr
        assert f"已备份第 {version} 版" in backup.stdout  # the published version, while the writer is mid-way
    finally:
        writer.kill()
        writer.wait()
    with Store(store_path).reading() as connection:  # this reader publishes the killed writer's commit
        assert connection.execute("SELECT count(*) FROM import_log").fetchall()[0][0] == 4

    restored = tmp_path / "restored" / "enforcement.duckdb"
    result = run_module("records", "restore", str(tmp_path / "backup"), "--db", str(restored))
    assert result.returncode == 0, result.stderr
    snapshot = Store(store_path).snapshot_path(version or 0)
    with duckdb.connect(str(snapshot), read_only=True) as original, Store(restored).reading() as copy:
        expected, actual = table_rows(original), table_rows(copy)
    assert set(expected) == set(actual)
    for table in expected:
        if table == "write_log":  # the restore itself is the one write added
            assert actual[table][: len(expected[table])] == expected[table]
            assert actual[table][-1][2].startswith(f"从备份恢复（备份的第{version}版")
        else:
            assert actual[table] == expected[table], table

    refused = run_module("records", "restore", str(tmp_path / "backup"), "--db", str(store_path))
    assert "--force" in one_line(refused)
    forced = run_module("records", "restore", str(tmp_path / "backup"), "--force", "--db", str(store_path))
    assert forced.returncode == 0, forced.stderr
    with Store(store_path).reading() as connection:
        assert connection.execute("SELECT count(*) FROM import_log").fetchall()[0][0] == 3

    (tmp_path / "backup" / "enforcement.duckdb").write_bytes(b"tampered")
    tampered = run_module("records", "restore", str(tmp_path / "backup"), "--force", "--db", str(store_path))
    assert "校验值不符" in one_line(tampered)


SCHEMA_1_IMPORT_LOG = """
CREATE TABLE import_log (id INTEGER PRIMARY KEY, file_name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, row_count BIGINT NOT NULL, period_start DATE, period_end DATE,
    imported_at TIMESTAMP NOT NULL)
"""


def test_a_store_of_the_previous_release_upgrades_in_a_writer_transaction(built_demo: Path, tmp_path: Path) -> None:
    old = tmp_path / "old" / "enforcement.duckdb"
    old.parent.mkdir()
    old.write_bytes(built_demo.read_bytes())
    with duckdb.connect(str(old)) as connection:  # turn the demo file into what the previous release wrote
        for table in ("withdrawn_inspections", "withdrawn_cases", "withdrawn_county_summaries", "write_log"):
            connection.execute(f"DROP TABLE {table}")
        connection.execute(
            "CREATE TABLE old_log AS SELECT * EXCLUDE (imported_by, withdrawn_at, withdrawn_by, "
            "withdraw_reason, replaced_by) FROM import_log"
        )
        connection.execute("DROP TABLE import_log")
        connection.execute("DROP SEQUENCE import_log_ids")
        connection.execute(SCHEMA_1_IMPORT_LOG)
        connection.execute("INSERT INTO import_log SELECT * FROM old_log")
        connection.execute("DROP TABLE old_log")
        connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    assert rank_csv(old).stdout == EXPECTED_CSV  # the first reader upgrades and publishes
    imported = run_module("records", "import", str(inspections_file(tmp_path, "n.csv")), "--db", str(old))
    assert "导入批次 3" in imported.stdout, imported.stderr
    with Store(old).reading() as connection:
        assert schema_version(connection) == SCHEMA_VERSION
        first = connection.execute("SELECT imported_by FROM import_log WHERE id = 1").fetchall()[0][0]
        assert first.startswith("（升级前")


def test_a_published_store_of_schema_2_is_upgraded_by_its_first_reader(store_path: Path) -> None:
    """The previous release published snapshots without schemes or accounts; a reader that finds one upgrades the
    store under the writer's lock and reads the upgraded snapshot, so nobody has to run a command first."""
    store = Store(store_path)
    published = store.snapshot_path(store.current_version() or 0)
    for path in (store_path, published):  # what the previous release left: primary and snapshot alike
        with duckdb.connect(str(path)) as connection:
            connection.execute("DROP TABLE schemes")
            connection.execute("DROP TABLE accounts")
            connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert rank_csv(store_path).stdout == EXPECTED_CSV
    with Store(store_path).reading() as connection:
        assert schema_version(connection) == SCHEMA_VERSION
        assert connection.execute("SELECT count(*) FROM schemes").fetchall() == [(1,)]  # the shipped default
        assert connection.execute("SELECT count(*) FROM accounts").fetchall() == [(0,)]
        actions = [row[0] for row in connection.execute("SELECT action FROM write_log ORDER BY version").fetchall()]
    assert actions[-1] == "升级并发布数据库"


def test_a_reader_never_opens_the_primary(store_path: Path, tmp_path: Path) -> None:
    """While something holds the primary read-write, readers and backups carry on from the snapshot."""
    holder = duckdb.connect(str(store_path))
    try:
        assert rank_csv(store_path).stdout == EXPECTED_CSV
        backup = run_module("records", "backup", "--out", str(tmp_path / "b"), "--db", str(store_path))
        assert backup.returncode == 0, backup.stderr
    finally:
        holder.close()


def test_old_snapshots_are_pruned_and_in_process_transactions_roll_back(store_path: Path, tmp_path: Path) -> None:
    store = Store(store_path)
    first = store.current_version() or 0
    for index in range(5):
        with store.transaction(TESTER, f"写入 {index}") as connection:
            connection.execute("INSERT INTO meta VALUES (?, 'x')", [f"k{index}"])
    versions = sorted(p.name for p in store.snapshots.glob("v*.duckdb"))
    assert versions == [f"v{first + n:06d}.duckdb" for n in (3, 4, 5)]
    with pytest.raises(ZeroDivisionError), store.transaction(TESTER, "失败的写入") as connection:
        withdraw_batch(connection, 1, "先撤销")
        _ = 1 / 0
    assert store.current_version() == first + 5 and not store.marker.exists()
    with store.reading() as connection:
        assert connection.execute("SELECT withdrawn_at FROM import_log WHERE id = 1").fetchall() == [(None,)]


def test_two_sessions_of_one_dashboard_process_confirm_at_once(store_path: Path, tmp_path: Path) -> None:
    """Two clerks in one dashboard process: the second waits for the first, then both imports are there."""
    from records.importer import import_file
    from records.store import Rollback

    store = Store(store_path)
    first = store.current_version() or 0
    sources = [inspections_file(tmp_path, f"s{n}.csv", prefix=f"S{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[int | None] = []

    def confirm(source: Path) -> None:
        barrier.wait()
        with store.transaction(TESTER, f"导入 {source.name}") as connection:
            outcome = import_file(connection, source, transaction=False)
            if outcome.status != "imported":
                raise Rollback
        outcomes.append(outcome.import_id)

    threads = [threading.Thread(target=confirm, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [3, 4]
    assert published_count(store_path) == 578 + 2 * EXTRA_ROWS
    assert store.current_version() == first + 2


def test_with_no_store_the_first_dashboard_builds_the_demo_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two dashboard processes starting together on an empty folder: one builds under the lock, both read it."""
    from streamlit.testing.v1 import AppTest

    from records.demo import build_demo_database

    path = tmp_path / "fresh" / "enforcement.duckdb"
    builds: list[Path] = []

    def counted_build(target: Path) -> None:
        builds.append(target)
        build_demo_database(target)

    barrier = threading.Barrier(2)

    def start() -> None:
        barrier.wait()
        Store(path).ensure_published(counted_build, "仪表盘", "首次启动时生成示例数据")

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and Store(path).current_version() == 1

    fresh = tmp_path / "other" / "enforcement.duckdb"
    monkeypatch.setenv("ENFORCEMENT_DB", str(fresh))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not app.exception and not app.error
    assert Store(fresh).current_version() == 1
    with Store(fresh).reading() as connection:
        assert connection.execute("SELECT actor FROM write_log").fetchall() == [("仪表盘",)]
