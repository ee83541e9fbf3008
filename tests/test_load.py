"""The load run's own instruments, against a real ``streamlit run`` dashboard on the demo data.

No timing is asserted: the figures are the benchmark's to print. What is asserted is what the load run's verdicts
rest on: pages are really served over the websocket, every reply is checked against the view its viewer asked
for, and the check does catch a reply that belongs to another view.
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.load import Calibration, View, calibrate, cpu_seconds, listening_pid, run_load, table_key
from benchmarks.streamlit_client import StreamlitSession, arrow_rows, user_key
from dashboard import runs
from dashboard.local_server import DashboardDidNotStart, running_dashboard
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dashboard(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    database = tmp_path_factory.mktemp("load") / "enforcement.duckdb"
    shutil.copy(built_demo, database)
    try:
        with running_dashboard(database) as (url, pid):
            yield url, pid, database
    except DashboardDidNotStart as error:
        pytest.fail(str(error))


def test_widget_keys_are_read_from_element_ids() -> None:
    assert user_key("$$ID-97eb5c96eee023ffbe0953ee6b851ea0-period") == "period"
    assert user_key("$$ID-f83d68bce3df1be29be2de5b6bef1f83-ranking_table") == "ranking_table"
    assert user_key("$$ID-f83d68bce3df1be29be2de5b6bef1f83-None") is None
    assert user_key("") is None


def test_opening_a_page_and_changing_the_period_each_run_the_script_once(dashboard: tuple[str, int, Path]) -> None:
    """Everyone opening the link at once costs one script run each: writing the view into the address reruns
    nothing. (Only a process's very first session runs twice: Streamlit takes ``pages/`` for an old-style pages
    folder until ``st.navigation`` has run once, and ``current_filters`` hands that run over to ``app.py``.)"""
    url, _, _ = dashboard

    async def scenario() -> tuple[int, int, list[str]]:
        earlier = StreamlitSession(url)
        await earlier.open("", "year=2020")  # whatever this process has served before
        await earlier.close()
        session = StreamlitSession(url)
        try:
            opened = await session.open("rankings", "year=2020")
            runs_to_open = session.runs_started
            changed = await session.choose("period", "第一季度")
            await asyncio.sleep(1)  # a rerun asked for after the run would start within this
        finally:
            await session.close()
        return runs_to_open, session.runs_started, [opened.status, changed.status]

    runs_to_open, runs_in_all, statuses = asyncio.run(scenario())
    assert statuses == ["ok", "ok"]
    assert (runs_to_open, runs_in_all) == (1, 2)


def test_a_websocket_session_changes_the_period_like_the_sidebar(dashboard: tuple[str, int, Path]) -> None:
    url, _, _ = dashboard

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        session = StreamlitSession(url)
        try:
            first = await session.open("rankings", "year=2020")
            second = await session.choose("period", "第一季度")
            narrowed = await session.choose("counties", ["驿城区", "泌阳县"])
        finally:
            await session.close()
        titles = [next(e.proto.body for e in run.of_kind("heading") if e.proto.tag == "h1") for run in (first, second)]
        ranking = next(e for e in narrowed.of_kind("dataframe") if table_key(e) == "ranking_table")
        statuses = [run.status for run in (first, second, narrowed)]
        return titles, statuses, sorted(row["单位"] for row in arrow_rows(ranking))

    titles, statuses, counties = asyncio.run(scenario())
    assert statuses == ["ok", "ok", "ok"]
    assert "2020年1–6月" in titles[0] and "2020年1–3月" in titles[1]
    assert counties == ["泌阳县", "驿城区"]


def test_the_view_check_catches_a_reply_of_another_period(dashboard: tuple[str, int, Path]) -> None:
    url, _, _ = dashboard

    async def scenario() -> tuple[Calibration, list[str], list[str]]:
        calibration = await calibrate(url, "2020", 2, random.Random(1), 120)
        first, second = calibration.periods
        session = StreamlitSession(url)
        try:
            await session.open("rankings", "year=2020")
            run = await session.choose("period", second)
        finally:
            await session.close()
        return (
            calibration,
            calibration.mismatches(View("rankings", second), run),
            calibration.mismatches(View("rankings", first), run),
        )

    calibration, right, wrong = asyncio.run(scenario())
    assert len(calibration.counties) == 10
    assert right == []
    assert any("title" in problem for problem in wrong)
    assert any("row is not" in problem for problem in wrong)


def test_a_short_load_serves_every_view_it_asks_for(dashboard: tuple[str, int, Path]) -> None:
    url, pid, database = dashboard
    assert listening_pid(url) == pid
    before = cpu_seconds([pid])
    result = asyncio.run(
        run_load([url], viewers=3, seconds=10, browsers=0, pids=[pid], database=database, import_rows=200, periods=2)
    )
    assert result.pages >= 3, result.served
    assert result.errors == 0, [(s.action, s.status, s.errors, s.wrong_view) for s in result.failed]
    assert all(not served.wrong_view for served in result.served)
    assert {served.action for served in result.served} >= {"open"}
    assert result.clerk.startswith("opened in")
    assert result.import_report.startswith("imported 200 rows")  # into the store the dashboard is reading
    assert "withdrew batch" in result.import_report
    assert result.cpu_seconds is not None and cpu_seconds([pid]) > before


def test_a_viewer_reads_the_old_or_the_new_figures_while_the_command_line_imports_and_withdraws(
    dashboard: tuple[str, int, Path], tmp_path: Path
) -> None:
    """The store's promise under writes: a page run reads one published version, so while the command line imports
    into the very period on screen and then withdraws that batch, every ranking a viewer gets is the one before, the
    one with the batch, or (after the withdrawal) the one before again: never a mix. Kept last: it writes the store."""
    url, _, database = dashboard
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "id,county,inspected_on,unit_name\n"
        + "".join(f"UNDERLOAD-{i},驿城区,2020-03-{1 + i % 28:02d},压测单位{i}\n" for i in range(400)),
        encoding="utf-8",
    )

    def records_command(*arguments: str) -> asyncio.subprocess.Process:
        return asyncio.create_subprocess_exec(  # type: ignore[return-value]
            sys.executable, "-m", "records", *arguments, "--db", str(database), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip

    async def ranking_of(session: StreamlitSession) -> tuple[tuple[str, ...], ...]:
        run = await session.rerun()
        assert run.status == "ok" and not run.errors, run.errors
        table = next(e for e in run.of_kind("dataframe") if table_key(e) == "ranking_table")
        return tuple(tuple(str(value) for value in row.values()) for row in arrow_rows(table))

    async def while_running(session: StreamlitSession, command: Any, seen: list[Any]) -> str:
        process = await command
        waiting = asyncio.create_task(process.communicate())
        while not waiting.done():
            seen.append(await ranking_of(session))
        output, _ = await waiting
        assert process.returncode == 0, output.decode()
        return output.decode()

    async def scenario() -> tuple[Any, Any, Any, list[Any], list[Any]]:
        session = StreamlitSession(url)
        try:
            await session.open("rankings", "year=2020&period=h1")
            before = await ranking_of(session)
            during_import: list[Any] = []
            imported = await while_running(session, records_command("import", str(extra)), during_import)
            with_batch = await ranking_of(session)
            batch = re.search(r"导入批次 (\d+)", imported)
            assert batch, imported
            during_withdrawal: list[Any] = []
            await while_running(
                session, records_command("withdraw", batch.group(1), "--reason", "压测"), during_withdrawal
            )
            after = await ranking_of(session)
        finally:
            await session.close()
        return before, with_batch, after, during_import, during_withdrawal

    before, with_batch, after, during_import, during_withdrawal = asyncio.run(scenario())
    assert with_batch != before  # 400 more inspections for 驿城区 in the period on screen
    assert after == before
    assert during_import and during_withdrawal  # the viewer really read while each write ran
    assert set(during_import) <= {before, with_batch}
    assert set(during_withdrawal) <= {with_batch, after}


def test_page_runs_go_a_few_at_a_time_and_long_work_gives_its_turn_back() -> None:
    """Two page runs hold the process's two turns: a third waits, until one of them starts long work (a clerk's
    import check, the bulletin), and then goes at once."""
    assert runs.RUNS_AT_ONCE == 2
    holding = [threading.Event(), threading.Event()]
    release = threading.Event()
    third_ran = threading.Event()
    working = threading.Event()

    def page_run(index: int) -> None:
        with runs.page_run_turn():
            holding[index].set()
            if index == 0:
                with runs.long_work():
                    working.set()
                    release.wait(10)
            else:
                release.wait(10)

    def third_run() -> None:
        with runs.page_run_turn():
            third_ran.set()

    first = threading.Thread(target=page_run, args=(0,))
    second = threading.Thread(target=page_run, args=(1,))
    second.start()
    assert holding[1].wait(5)
    third = threading.Thread(target=third_run)
    with runs.page_run_turn():  # this test's own run takes the other turn: the third must wait
        third.start()
        assert not third_ran.wait(0.3), "a third run went while two held the turns"
    assert third_ran.wait(5)
    third.join(5)
    blocked = threading.Thread(target=third_run)
    third_ran.clear()
    first.start()
    assert holding[0].wait(5) and working.wait(5)
    blocked.start()
    assert third_ran.wait(5), "long work kept its turn"
    release.set()
    for thread in (first, second, blocked):
        thread.join(5)
