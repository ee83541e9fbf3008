"""Fifty leaders at once: the load run against running dashboards, and what one page run costs the server.

``python -m benchmarks.load --url http://127.0.0.1:8501 --viewers 50 --seconds 180 [--browsers 3] [--db FILE]``

Viewers are real Streamlit sessions over the websocket (``benchmarks.streamlit_client``) plus a few real Chromium
pages driven by Playwright. Each viewer opens one of 总览, 综合排名, 图表分析 and 预警 and every 3–10 s (random,
seeded) changes the period or the counties in the shared sidebar, or now and then moves to another of those pages.
A page time runs from the change sent to the run's ``script_finished`` (for Chromium: to no run going, no stale
element, every chart drawn). The run prints pages served, errors, p50/p95/max page time and the servers' CPU per
page (``/proc/<pid>/stat`` utime+stime before and after, over pages served). During the load a clerk opens the
数据管理 page, and with ``--db`` 100,000 rows are imported through ``python -m records import``.

Every reply is checked against the view its viewer asked for: before the load a quiet session draws each period
once (the calibration), and under load every page title and every row of a table keyed by county must be the one
the quiet session saw for that period, and a table never shows a county the viewer did not choose. A wrong row is
an error, which is how a table that mixes two views would show up.

Chromium tabs on 综合排名 also read the ranking grid every 50 ms after each period switch and report every moment it
showed an earlier period's rows under the new title, and whether those rows were marked stale.

Several ``--url`` spread the viewers round-robin over several dashboards (two processes behind a proxy).
``--page-cpu`` also measures each page's server CPU per warm run and per first run after the caches empty, and the
bytes one run sends by element; ``--first-view`` a fresh Chromium opening 总览; ``--profile FILE`` records the
server with py-spy meanwhile and prints where its time went; ``--viewers 0`` skips the load itself.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.streamlit_client import Element, Run, SessionError, StreamlitSession, arrow_rows

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"": "总览", "rankings": "综合排名", "charts": "图表分析", "flags": "预警"}
DATA_PAGE = "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
COUNTY_CHOICES = (0, 1, 2, 3, 5)  # how many counties a viewer picks; 0 clears the filter (all counties)
IMPATIENT = 0.3  # share of a Chromium tab's period changes clicked twice in a row
CUSTOM_PERIOD = re.compile(r"自定义|custom", re.IGNORECASE)

# Whether a Chromium tab shows a finished page: no run going, no stale element, a title, every chart drawn.
RENDERED_JS = """() => {
  const app = document.querySelector('[data-test-script-state]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main || !main.querySelector('h1') || main.querySelector('[data-stale="true"]')) return false;
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (!chart.querySelector('.main-svg')) return false;
  return true;
}"""
RUNNING_JS = """() => {
  const app = document.querySelector('[data-test-script-state]');
  return (app && app.getAttribute('data-test-script-state') === 'running')
    || !!document.querySelector('[data-testid="stMainBlockContainer"] [data-stale="true"]');
}"""
# What a reader of the ranking sees right now: the title, whether anything is marked stale, the table's rows.
SNAPSHOT_JS = """(tableKey) => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const app = document.querySelector('[data-test-script-state]');
  const table = document.querySelector('[class*="st-key-' + tableKey + '"]');  // the key ends with the period
  const rows = table ? Array.from(table.querySelectorAll('[role="row"]')).map(
      row => Array.from(row.querySelectorAll('[role="gridcell"]')).map(cell => cell.textContent.trim())) : [];
  return {
    title: main && main.querySelector('h1') ? main.querySelector('h1').innerText : null,
    running: !!app && app.getAttribute('data-test-script-state') === 'running',
    stale: main ? main.querySelectorAll('[data-stale="true"]').length : 0,
    tableStale: !!table && !!table.closest('[data-stale="true"]'),
    rows: rows.filter(cells => cells.length > 0),
    exception: !!document.querySelector('[data-testid="stException"]'),
  };
}"""


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the server's CPU


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_seconds(pids: Sequence[int]) -> float:
    return sum(process_cpu_seconds(pid) for pid in pids)


def listening_pid(url: str) -> int | None:
    """The process listening on the URL's port (read from /proc, as ``ss -p`` does), or None."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0]) if url.count(":") >= 2 else 80
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{parts[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


# ---------------------------------------------------------------- views and what each must show


@dataclass(frozen=True)
class View:
    page: str
    period: str
    counties: tuple[str, ...] = ()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def county_column(rows: list[dict[str, Any]], counties: set[str]) -> str | None:
    """The column that names one county per row, if the table has one."""
    if not rows:
        return None
    for column in rows[0]:
        values = [row[column] for row in rows]
        if all(isinstance(v, str) and v in counties for v in values) and len(set(values)) == len(values):
            return column
    return None


def table_key(element: Element) -> str:
    """A table's key without the view it names (the ranking's key ends with its period: ranking_table_20240101_…)."""
    if element.key and element.key.startswith("ranking_table_"):
        return "ranking_table"
    return element.key or "at " + ".".join(map(str, element.path))


def heading_title(run: Run) -> str | None:
    titles = [e.proto.body for e in run.of_kind("heading") if e.path[0] == 0 and e.proto.tag == "h1"]
    return titles[0] if titles else None


def period_of(session: StreamlitSession) -> str | None:
    """The period the sidebar shows after a run (the selectbox's chosen option)."""
    widget = session.widget("period")
    if widget is None:
        return None
    if widget.set_value and widget.raw_value:
        return str(widget.raw_value)
    return str(widget.options[widget.default]) if widget.options else None


@dataclass
class Calibration:
    """What a quiet session saw for each page and period: the title and each county's row of each table."""

    year: str
    periods: list[str]
    counties: list[str]
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: dict[tuple[str, str, str], dict[str, tuple[str, ...]]] = field(default_factory=dict)
    columns: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def telling_title(self, page: str, period: str) -> str | None:
        """The page's title for the period, if this page's titles tell the periods apart (图表分析's does not)."""
        titles = {self.titles.get((page, p)) for p in self.periods}
        return self.titles.get((page, period)) if None not in titles and len(titles) == len(self.periods) else None

    def learn(self, page: str, period: str, run: Run) -> None:
        title = heading_title(run)
        if title:
            self.titles[(page, period)] = title
        names = set(self.counties)
        for element in run.of_kind("dataframe"):
            rows = arrow_rows(element)
            column = county_column(rows, names)
            if column:
                key = (page, table_key(element), period)
                self.rows[key] = {row[column]: tuple(_cell(v) for v in row.values()) for row in rows}
                self.columns[key] = list(rows[0])

    def mismatches(self, view: View, run: Run) -> list[str]:
        """Every way this run's reply differs from the view asked for (empty when it is that view)."""
        problems = []
        expected_title = self.titles.get((view.page, view.period))
        title = heading_title(run)
        if expected_title and view.counties and "全市" in expected_title:
            # The quiet session drew every county (全市); with counties chosen the title names them (所选2个县区)
            # after the same period.
            period_words = expected_title.split("全市")[0]
            if not (title or "").startswith(period_words) or "所选" not in (title or ""):
                problems.append(f"title {title!r} where {view.period} with counties shows {period_words}所选…")
        elif expected_title and title != expected_title:
            problems.append(f"title {title!r} where {view.period} shows {expected_title!r}")
        names = set(self.counties)
        for element in run.of_kind("dataframe"):
            key = (view.page, table_key(element), view.period)
            expected = self.rows.get(key)
            if expected is None:
                continue
            rows = arrow_rows(element)
            column = county_column(rows, names)
            if column is None:
                continue
            full_table = len(expected) == len(names)
            for row in rows:
                county = row[column]
                if view.counties and full_table and county not in view.counties:
                    problems.append(f"{table_key(element)}: {county} shown though only {view.counties} were chosen")
                if county in expected and tuple(_cell(v) for v in row.values()) != expected[county]:
                    other = [
                        p
                        for (pg, tk, p), r in self.rows.items()
                        if (pg, tk) == key[:2] and r.get(county) == tuple(_cell(v) for v in row.values())
                    ]
                    problems.append(
                        f"{table_key(element)}: {county}'s row is not {view.period}'s"
                        + (f" (it is {'/'.join(other)}'s)" if other else "")
                    )
        return problems


async def calibrate(url: str, year: str | None, periods: int, rng: random.Random, timeout: float) -> Calibration:
    """Draw each chosen period once on each page in a quiet session and remember what it showed."""
    session = StreamlitSession(url, timeout)
    query = f"year={year}" if year else ""
    try:
        run = await session.open("rankings", query)
        if run.status != "ok":
            raise SessionError(f"the rankings page did not open: {run.status} {run.errors}")
        period_widget, county_widget, year_widget = (session.widget(k) for k in ("period", "counties", "year"))
        if period_widget is None or county_widget is None:
            raise SessionError("the sidebar has no widgets with keys 'period' and 'counties'")
        options = [str(o) for o in period_widget.options if not CUSTOM_PERIOD.search(str(o))]
        default = period_of(session) or options[0]
        candidates = [default] + rng.sample([o for o in options if o != default], len(options) - 1)
        shown_year = year or (str(year_widget.options[year_widget.default]) if year_widget is not None else "")
        calibration = Calibration(shown_year, [], [str(o) for o in county_widget.options])
        for period in candidates:  # periods with figures to rank, so the tables have rows to check
            run = await session.choose("period", period)
            if run.status != "ok" or run.errors:
                raise SessionError(f"{PAGES['rankings']} {period}: {run.status} {run.errors}")
            calibration.learn("rankings", period, run)
            if any(key[0] == "rankings" and key[2] == period for key in calibration.rows):
                calibration.periods.append(period)
            if len(calibration.periods) == periods:
                break
        if not calibration.periods:
            calibration.periods = candidates[:periods]
        for page in (p for p in PAGES if p != "rankings"):
            run = await session.go_to(page)
            for period in calibration.periods:
                run = await session.choose("period", period)
                if run.status != "ok" or run.errors:
                    raise SessionError(f"{PAGES[page]} {period}: {run.status} {run.errors}")
                calibration.learn(page, period, run)
        return calibration
    finally:
        await session.close()


# ---------------------------------------------------------------- the load


@dataclass
class Served:
    """One page run a viewer asked for, and how it went."""

    viewer: str
    action: str  # open, period, counties, page
    page: str
    seconds: float
    status: str  # ok, error, timeout, disconnected
    errors: list[str]
    wrong_view: list[str]
    wire_bytes: int = 0
    earlier: int = 0  # messages of an earlier, interrupted run seen after asking for this one


@dataclass
class LoadResult:
    urls: list[str]
    viewers: int
    browsers: int
    seconds: float
    served: list[Served] = field(default_factory=list)
    cpu_seconds: float | None = None
    clerk: str = "not measured"
    clerk_seconds: float | None = None
    import_report: str = "not run"
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    stale_reads: list[tuple[str, str]] = field(default_factory=list)  # (kind in STALE_KINDS, example)
    switches: int = 0  # period switches watched in Chromium on the ranking page
    snapshots: int = 0

    @property
    def pages(self) -> int:
        return sum(1 for s in self.served if s.status == "ok" and not s.errors)

    @property
    def failed(self) -> list[Served]:
        return [s for s in self.served if s.status != "ok" or s.errors or s.wrong_view]

    @property
    def errors(self) -> int:
        return len(self.failed)

    def quantile(self, q: float) -> float | None:
        times = sorted(s.seconds for s in self.served if s.status == "ok")
        if not times:
            return None
        return times[min(len(times) - 1, max(0, math.ceil(q * len(times)) - 1))]

    @property
    def cpu_ms_per_page(self) -> float | None:
        return None if self.cpu_seconds is None or not self.pages else 1000 * self.cpu_seconds / self.pages


class Viewer:
    """One websocket viewer: opens a page, then changes the view every 3–10 s until the deadline."""

    def __init__(
        self,
        name: str,
        url: str,
        page: str,
        calibration: Calibration,
        rng: random.Random,
        result: LoadResult,
        timeout: float,
        page_switch: float,
    ) -> None:
        self.name, self.url, self.page, self.calibration, self.rng = name, url, page, calibration, rng
        self.result, self.timeout, self.page_switch = result, timeout, page_switch
        self.period = calibration.periods[0]
        self.counties: tuple[str, ...] = ()

    async def run(self, deadline: float, start_delay: float) -> None:
        await asyncio.sleep(start_delay)
        session = await self._open()
        while time.monotonic() < deadline:
            await asyncio.sleep(min(self.rng.uniform(3, 10), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                break
            if session is None:
                session = await self._open()  # the user reloads the page
                continue
            action, change = self._next_change(session)
            try:
                run = await change
            except SessionError as error:
                self._record(action, Run(started=time.perf_counter(), status="error", errors=[str(error)]))
                run = None
            else:
                self._record(action, run)
            if run is None or run.status in ("timeout", "disconnected"):
                await session.close()
                session = None
        if session is not None:
            await session.close()

    async def _open(self) -> StreamlitSession | None:
        """A fresh tab on this viewer's page; None (after recording why) when it did not open."""
        session = StreamlitSession(self.url, self.timeout)
        self.counties = ()
        try:
            run = await session.open(self.page, f"year={self.calibration.year}")
        except (OSError, SessionError, TimeoutError) as error:
            self._record("open", Run(started=time.perf_counter(), status="disconnected", errors=[repr(error)]))
            await session.close()
            return None
        self.period = period_of(session) or self.period
        self._record("open", run)
        if run.status != "ok" or session.widget("period") is None:
            await session.close()
            return None
        if self.period not in self.calibration.periods:
            self.period = self.calibration.periods[0]
            self._record("period", await session.choose("period", self.period))
        return session

    def _next_change(self, session: StreamlitSession) -> tuple[str, Any]:
        roll = self.rng.random()
        if roll < self.page_switch:
            self.page = self.rng.choice([p for p in PAGES if p != self.page])
            return "page", session.go_to(self.page)
        if roll < self.page_switch + (1 - self.page_switch) * 0.6:
            self.period = self.rng.choice([p for p in self.calibration.periods if p != self.period])
            return "period", session.choose("period", self.period)
        picks = self.rng.choice(COUNTY_CHOICES)
        self.counties = tuple(self.rng.sample(self.calibration.counties, min(picks, len(self.calibration.counties))))
        return "counties", session.choose("counties", list(self.counties))

    def _record(self, action: str, run: Run) -> None:
        view = View(self.page, self.period, self.counties)
        wrong = self.calibration.mismatches(view, run) if run.status == "ok" else []
        self.result.served.append(
            Served(
                self.name, action, self.page, run.seconds, run.status, run.errors, wrong, run.wire_bytes, run.earlier
            )
        )


async def chromium_viewer(
    browser: Any,
    name: str,
    url: str,
    page: str,
    calibration: Calibration,
    rng: random.Random,
    result: LoadResult,
    deadline: float,
    timeout: float,
    start_delay: float,
) -> None:
    """A real browser tab: opens a page and picks another period from the sidebar every 3–10 s."""
    await asyncio.sleep(start_delay)
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    tab = await context.new_page()
    period = calibration.periods[0]
    try:
        started = time.perf_counter()
        try:
            await tab.goto(f"{url}/{page}?year={calibration.year}", timeout=timeout * 1000)
            await tab.wait_for_function(RENDERED_JS, timeout=timeout * 1000, polling=100)
            await _record_tab(tab, result, name, "open", page, period, calibration, time.perf_counter() - started)
        except Exception as error:  # a tab that never opened is one failed page, reported, not a crash
            result.served.append(
                Served(name, "open", page, time.perf_counter() - started, "timeout", [repr(error)], [])
            )
            return
        while time.monotonic() < deadline:
            await asyncio.sleep(min(rng.uniform(3, 10), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                break
            earlier = [period]
            period = rng.choice([p for p in calibration.periods if p != period])
            started = time.perf_counter()
            try:
                await choose_in_tab(tab, "period", period, timeout)
                if rng.random() < IMPATIENT:  # a second click before the page has finished, as people do
                    await asyncio.sleep(rng.uniform(0.2, 1.0))
                    earlier.append(period)
                    period = rng.choice([p for p in calibration.periods if p not in earlier])
                    started = time.perf_counter()
                    await choose_in_tab(tab, "period", period, timeout)
                snapshots = await _watch_until_rendered(tab, timeout, calibration.telling_title(page, period))
            except Exception as error:
                result.served.append(
                    Served(name, "period", page, time.perf_counter() - started, "timeout", [repr(error)], [])
                )
                continue
            seconds = time.perf_counter() - started
            result.snapshots += len(snapshots)
            if page == "rankings":
                result.switches += 1
                result.stale_reads.extend(_stale_reads(snapshots, calibration, period, earlier, name))
            await _record_tab(tab, result, name, "period", page, period, calibration, seconds)
    finally:
        await context.close()


async def choose_in_tab(tab: Any, key: str, label: str, timeout: float) -> None:
    """Pick an option of a sidebar selectbox as a user does: click, type to filter, click the option."""
    await tab.locator(f".st-key-{key} input").click(timeout=timeout * 1000)
    await tab.keyboard.type(label)
    await tab.get_by_role("option", name=label, exact=True).click(timeout=timeout * 1000)


async def _watch_until_rendered(tab: Any, timeout: float, title: str | None) -> list[dict[str, Any]]:
    """Read the ranking table every 50 ms from the click until the page is rendered, and once more 0.3 s after.

    Rendered means the finished page of the period asked for: its title (when the calibration knows it), no run
    going, nothing stale, every chart drawn. Without a known title, the run must first be seen going.
    """
    snapshots: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    seen_running = False
    while time.monotonic() < deadline:
        snapshot = await tab.evaluate(SNAPSHOT_JS, "ranking_table")
        snapshot["at"] = time.monotonic()
        snapshots.append(snapshot)
        seen_running = seen_running or snapshot["running"] or snapshot["stale"] > 0
        ready = snapshot["title"] == title if title else seen_running or len(snapshots) > 200
        if ready and await tab.evaluate(RENDERED_JS):
            break
        await asyncio.sleep(0.05)
    else:
        last = snapshots[-1]["title"] if snapshots else None
        raise TimeoutError(f"page not rendered within {timeout:g} s (title {last!r}, expected {title!r})")
    await asyncio.sleep(0.3)
    late = await tab.evaluate(SNAPSHOT_JS, "ranking_table")
    late["at"] = time.monotonic()
    late["after_rendered"] = True
    snapshots.append(late)
    return snapshots


def _dom_row_matches(cells: list[str], expected: tuple[str, ...]) -> bool:
    """Whether a row of the grid shows these values; the grid may leave out columns past the right edge."""
    if not 3 <= len(cells) <= len(expected):
        return False
    for shown, value in zip(cells, expected[: len(cells)], strict=True):
        try:
            if abs(float(shown.replace(",", "")) - float(value)) > 0.006:
                return False
        except ValueError:
            if shown != value and not (value in ("nan", "None", "") and shown in ("", "—", "None", "nan")):
                return False
    return True


STALE_KINDS = {
    "mixed": "rows of two periods in one table under the new title",
    "faded": "the old table under the new title, marked stale (faded) while the run goes",
    "unmarked_running": "the old table under the new title, NOT marked stale, while the run goes",
    "unmarked_finished": "the old table under the new title, NOT marked stale, after the run finished",
    "unmarked_rendered": "the old table still drawn 0.3 s after the page was rendered",
}


def _stale_reads(
    snapshots: list[dict[str, Any]], calibration: Calibration, period: str, earlier: list[str], viewer: str
) -> list[tuple[str, str]]:
    """Moments the tab showed the new period's title over rows of an earlier period: (kind, description)."""
    new_title = calibration.titles.get(("rankings", period))
    new_rows = calibration.rows.get(("rankings", "ranking_table", period), {})
    old_rows = [row for p in earlier for row in calibration.rows.get(("rankings", "ranking_table", p), {}).values()]
    found: dict[str, str] = {}
    for snapshot in snapshots:
        if not new_title or snapshot["title"] != new_title or not snapshot["rows"]:
            continue
        shown = snapshot["rows"]
        old = sum(1 for cells in shown if any(_dom_row_matches(cells, row) for row in old_rows))
        new = sum(1 for cells in shown if any(_dom_row_matches(cells, row) for row in new_rows.values()))
        if not old or (old == len(shown) and new == len(shown)):
            continue
        if new:
            kind = "mixed"
        elif snapshot["tableStale"]:
            kind = "faded"
        elif snapshot.get("after_rendered"):
            kind = "unmarked_rendered"
        else:
            kind = "unmarked_running" if snapshot["running"] else "unmarked_finished"
        found.setdefault(
            kind, f"{viewer}: {period} after {'/'.join(earlier)}: {old} old row(s) and {new} new of {len(shown)}"
        )
    return list(found.items())


async def _record_tab(
    tab: Any,
    result: LoadResult,
    name: str,
    action: str,
    page: str,
    period: str,
    calibration: Calibration,
    seconds: float,
) -> None:
    snapshot = await tab.evaluate(SNAPSHOT_JS, "ranking_table")
    errors = ["exception on the page"] if snapshot["exception"] else []
    wrong = []
    expected_title = calibration.titles.get((page, period))
    if expected_title and snapshot["title"] != expected_title:
        wrong.append(f"title {snapshot['title']!r} where {period} shows {expected_title!r}")
    result.served.append(Served(name, action, page, seconds, "ok", errors, wrong))


async def clerk_opens_data_page(url: str, year: str, timeout: float) -> tuple[float | None, str]:
    session = StreamlitSession(url, timeout)
    started = time.perf_counter()
    try:
        run = await session.open(DATA_PAGE, f"year={year}")
    except (OSError, SessionError, TimeoutError) as error:
        return None, f"failed: {error!r}"
    finally:
        await session.close()
    if run.status != "ok" or run.errors:
        return None, f"failed: {run.status} {'; '.join(run.errors)}"
    seconds = time.perf_counter() - started
    return seconds, f"opened in {seconds:.2f} s"


def write_import_file(path: Path, rows: int, counties: Sequence[str], year: int) -> Path:
    """A valid inspections CSV of ``rows`` visits in ``year``, ids unique to this run so it is never a duplicate."""
    token = f"{int(time.time())}{os.getpid()}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "county", "inspected_on", "unit_name", "inspector_turnouts", "documents"])
        for i in range(rows):
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            writer.writerow(
                [
                    f"LOAD{token}-{i}",
                    counties[i % len(counties)],
                    f"{year}-{month:02d}-{day:02d}",
                    f"压测单位{i}",
                    1 + i % 3,
                    i % 2,
                ]
            )
    return path


async def import_during_load(database: Path | None, rows: int, counties: Sequence[str], year: int) -> str:
    """Import ``rows`` inspections with the command line while the dashboard runs, and say how it went."""
    if database is None:
        return "skipped: no --db given"
    folder = Path(tempfile.mkdtemp(prefix="load-import-"))
    source = write_import_file(folder / f"load-{rows}.csv", rows, counties, year)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "records",
        "import",
        str(source),
        "--db",
        str(database),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    seconds = time.perf_counter() - started
    source.unlink(missing_ok=True)
    folder.rmdir()
    text = output.decode("utf-8", "replace").strip()
    if process.returncode != 0:
        return f"failed (exit {process.returncode}): {text.splitlines()[-1] if text else 'no output'}"
    report = f"imported {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)"
    batch = re.search(r"导入批次 (\d+)", text)
    if batch is None:
        return f"{report}; no batch number to withdraw"
    # The other write of the load run: the batch withdrawn again, a second publish under load.
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "records", "withdraw", batch.group(1), "--reason", "压测", "--db", str(database),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    if process.returncode != 0:
        return f"{report}; withdrawal failed (exit {process.returncode})"
    return f"{report}; withdrew batch {batch.group(1)} in {time.perf_counter() - started:.1f} s"


async def run_load(
    urls: Sequence[str],
    viewers: int = 50,
    seconds: float = 180,
    browsers: int = 3,
    seed: int = 15,
    pids: Sequence[int] = (),
    database: Path | None = None,
    import_rows: int = 100_000,
    periods: int = 6,
    year: str | None = None,
    timeout: float = 120,
    page_switch: float = 0.15,
    clerk: bool = True,
) -> LoadResult:
    """Calibrate quietly, then run ``viewers`` websocket viewers and ``browsers`` Chromium tabs for ``seconds``."""
    rng = random.Random(seed)
    say(f"calibrating: a quiet session draws {periods} periods on {len(PAGES)} pages")
    calibration = await calibrate(urls[0], year, periods, rng, timeout)
    for url in urls[1:]:
        warm = StreamlitSession(url, timeout)
        await warm.open("rankings", f"year={calibration.year}")
        await warm.close()
    say(f"periods {calibration.periods}; {len(calibration.counties)} counties; year {calibration.year}")
    result = LoadResult(list(urls), viewers, browsers, seconds)
    websocket_viewers = max(0, viewers - browsers)
    pages = list(PAGES)
    cpu_before = cpu_seconds(pids) if pids else None
    say(
        f"load: {websocket_viewers} websocket viewers and {browsers} Chromium tabs for {seconds:g} s on {len(urls)} "
        f"process(es)"
    )
    deadline = time.monotonic() + seconds
    tasks = [
        Viewer(
            f"ws{i}",
            urls[i % len(urls)],
            pages[i % len(pages)],
            calibration,
            random.Random(rng.random()),
            result,
            timeout,
            page_switch,
        ).run(deadline, rng.uniform(0, 1))
        for i in range(websocket_viewers)
    ]
    playwright = browser = None
    if browsers:
        playwright, browser = await _start_chromium()
        if browser is None:
            say("no Chromium or Playwright here: the load runs with websocket viewers only")
            result.browsers = 0
        else:
            tasks += [
                chromium_viewer(
                    browser,
                    f"chromium{i}",
                    urls[i % len(urls)],
                    "rankings" if i % 2 == 0 else pages[i % len(pages)],
                    calibration,
                    random.Random(rng.random()),
                    result,
                    deadline,
                    timeout,
                    rng.uniform(0, 1),
                )
                for i in range(browsers)
            ]
    side: list[asyncio.Task[Any]] = []
    if clerk:
        side.append(asyncio.create_task(_clerk_later(urls[0], calibration.year, seconds / 3, timeout, result)))
    if import_rows:
        # Five years before the viewed year: no view of the load (nor its 同比) changes, only the data version does.
        year_of_rows = int(calibration.year) - 5 if calibration.year.isdigit() else 2000
        side.append(
            asyncio.create_task(
                _import_later(database, import_rows, calibration.counties, year_of_rows, seconds * 0.4, result)
            )
        )
    try:
        await asyncio.gather(*tasks)
        for task in side:
            await task
    finally:
        if browser is not None:
            await browser.close()
        if playwright is not None:
            await playwright.stop()
    result.cpu_seconds = cpu_seconds(pids) - cpu_before if pids and cpu_before is not None else None
    result.load_average = os.getloadavg()
    return result


async def _clerk_later(url: str, year: str, delay: float, timeout: float, result: LoadResult) -> None:
    await asyncio.sleep(delay)
    say("a clerk opens the 数据管理 page")
    result.clerk_seconds, result.clerk = await clerk_opens_data_page(url, year, timeout)
    say(f"   data page: {result.clerk}")


async def _import_later(
    database: Path | None, rows: int, counties: Sequence[str], year: int, delay: float, result: LoadResult
) -> None:
    await asyncio.sleep(delay)
    say(f"importing {rows:,} rows with python -m records import")
    result.import_report = await import_during_load(database, rows, counties, year)
    say(f"   import: {result.import_report}")


async def _start_chromium() -> tuple[Any, Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return None, None
    if not Path(CHROMIUM).exists():
        return None, None
    playwright = await async_playwright().start()
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return playwright, browser


def load_report(result: LoadResult) -> str:
    p50, p95 = result.quantile(0.5), result.quantile(0.95)
    longest = max((s.seconds for s in result.served if s.status == "ok"), default=None)
    actions = Counter(s.action for s in result.served)
    lines = [
        f"Load run: {result.viewers} viewers ({result.viewers - result.browsers} websocket, {result.browsers} "
        f"Chromium) for {result.seconds:g} s on {len(result.urls)} process(es): {', '.join(result.urls)}",
        f"  pages served      {result.pages:>8,}   ({', '.join(f'{k} {v}' for k, v in sorted(actions.items()))})",
        f"  errors            {result.errors:>8,}",
        f"  page time p50     {_seconds(p50)}",
        f"  page time p95     {_seconds(p95)}",
        f"  page time max     {_seconds(longest)}",
        "  server CPU/page   "
        + (f"{result.cpu_ms_per_page:8.0f} ms" if result.cpu_ms_per_page is not None else "       — (no server pid)"),
        f"  data page         {result.clerk}",
        f"  import            {result.import_report}",
        f"  late messages     {sum(s.earlier for s in result.served)} of earlier runs after a new request",
        f"  load average      {' '.join(f'{v:.2f}' for v in result.load_average)} (1/5/15 min, at the end)",
        f"  stale reads       {result.switches} period switches of the ranking watched in Chromium "
        f"({result.snapshots} snapshots every 50 ms):",
    ]
    kinds = Counter(kind for kind, _ in result.stale_reads)
    for kind, label in STALE_KINDS.items():
        example = next((text for k, text in result.stale_reads if k == kind), "")
        lines.append(f"    {kinds[kind]:4d} showed {label}" + (f" (e.g. {example})" if example else ""))
    if result.failed:
        lines.append("  what went wrong (count × first example):")
    lines += [f"    · {problem}" for problem in _first_problems(result)]
    return "\n".join(lines)


def _first_problems(result: LoadResult, limit: int = 12) -> list[str]:
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for served in result.failed:
        for problem in served.errors + served.wrong_view or [served.status]:
            kind = re.sub(r"\d+(\.\d+)?", "N", problem)[:90]
            kinds[kind] += 1
            examples.setdefault(
                kind, f"{served.viewer} {served.action} {PAGES.get(served.page, served.page)}: {problem}"
            )
    return [f"{count}× {examples[kind]}" for kind, count in kinds.most_common(limit)]


def _seconds(value: float | None) -> str:
    return "       —" if value is None else f"{value:8.2f} s"


# ---------------------------------------------------------------- one page run: CPU, bytes, first view


@dataclass
class PageCost:
    page: str
    warm_ms: float
    warm_runs: int
    first_ms: float | None
    wall_s: float
    bytes_by_kind: dict[str, int]
    wire_bytes: int
    geojson_bytes: int


def plotly_geojson_bytes(run: Run) -> int:
    """Bytes of GeoJSON inside the run's Plotly specs (a choropleth carries its boundaries in every run)."""
    total = 0
    for element in run.of_kind("plotly_chart"):
        try:
            spec = json.loads(element.proto.spec)
        except ValueError:
            continue
        for trace in spec.get("data", []):
            if "geojson" in trace:
                total += len(json.dumps(trace["geojson"], ensure_ascii=False, separators=(",", ":")).encode())
    return total


async def page_costs(
    url: str,
    pids: Sequence[int],
    year: str | None = None,
    batches: int = 5,
    per_batch: int = 5,
    clear_first: bool = True,
    timeout: float = 300,
    pages: Sequence[str] = tuple(PAGES),
    database: Path | None = None,
) -> list[PageCost]:
    """For each page: the server's CPU per warm run (median over batches of reruns of the same view), per first run
    after an import, and what a run sends.

    With ``database`` (the dashboard's store) the first run is measured after ``python -m records import`` of one
    inspection a month of the year on screen, so every result of the viewed period is built again; the batch is
    withdrawn afterwards. Without it, after the browser's "Clear caches", which also reopens the store."""
    costs = []
    query = f"year={year}" if year else ""
    for page in pages:
        session = StreamlitSession(url, timeout)
        try:
            run = await session.open(page, query)
            if run.status != "ok" or run.errors:
                raise SessionError(f"{PAGES[page]} did not open: {run.status} {run.errors}")
            for _ in range(2):
                run = await session.rerun()
            samples = []
            wall = []
            for _ in range(batches):
                before = cpu_seconds(pids)
                for _ in range(per_batch):
                    run = await session.rerun()
                    wall.append(run.seconds)
                    if run.status != "ok" or run.errors:
                        raise SessionError(f"{PAGES[page]} rerun failed: {run.status} {run.errors}")
                samples.append(1000 * (cpu_seconds(pids) - before) / per_batch)
            first_ms = None
            if clear_first:
                batch = None
                if database is not None:
                    shown_year = _shown_year(session)
                    counties = [str(o) for o in session.widget("counties").options]
                    batch = await asyncio.to_thread(import_into_view, database, shown_year, counties)
                else:
                    await session.clear_caches()
                    await asyncio.sleep(0.5)
                before = cpu_seconds(pids)
                first = await session.rerun()
                first_ms = 1000 * (cpu_seconds(pids) - before)
                if batch is not None:
                    await asyncio.to_thread(records_command, database, "withdraw", batch, "--reason", "基准测试")
                if first.status != "ok" or first.errors:
                    raise SessionError(f"{PAGES[page]} after an import: {first.status} {first.errors}")
            costs.append(
                PageCost(
                    page,
                    statistics.median(samples),
                    batches * per_batch,
                    first_ms,
                    statistics.median(wall),
                    dict(run.bytes_by_kind()),
                    run.wire_bytes,
                    plotly_geojson_bytes(run),
                )
            )
        finally:
            await session.close()
    return costs


def _shown_year(session: StreamlitSession) -> int:
    widget = session.widget("year")
    value = widget.raw_value if widget is not None and widget.set_value and widget.raw_value else None
    if value is None and widget is not None and widget.options:
        value = widget.options[widget.default]
    return int(str(value)) if value is not None else time.localtime().tm_year


def import_into_view(database: Path, year: int, counties: Sequence[str]) -> str:
    """One inspection on the first of each month of ``year`` (none after today), imported with the command line:
    a write into the period on screen, whatever its kind. Returns the batch number."""
    today = time.strftime("%Y-%m-%d")
    days = [day for day in (f"{year}-{month:02d}-01" for month in range(1, 13)) if day <= today]
    folder = Path(tempfile.mkdtemp(prefix="page-cost-"))
    source = folder / "one-a-month.csv"
    token = f"{int(time.time() * 1000)}{os.getpid()}"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "county", "inspected_on", "unit_name"])
        for i, day in enumerate(days):
            writer.writerow([f"COST{token}-{i}", counties[i % len(counties)], day, f"基准单位{i}"])
    try:
        output = records_command(database, "import", str(source))
    finally:
        source.unlink(missing_ok=True)
        folder.rmdir()
    batch = re.search(r"导入批次 (\d+)", output)
    if batch is None:
        raise SessionError(f"the import for the first run did not say its batch: {output[-300:]}")
    return batch.group(1)


def records_command(database: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "records", *args, "--db", str(database)], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SessionError(f"records {args[0]} failed: {done.stderr.strip()[-300:]}")
    return done.stdout + done.stderr


def costs_report(costs: list[PageCost]) -> str:
    kinds = sorted(
        {k for c in costs for k in c.bytes_by_kind}, key=lambda k: -sum(c.bytes_by_kind.get(k, 0) for c in costs)
    )
    lines = ["Server CPU per page run (median of batches of warm reruns; first run after an import into the view):"]
    for cost in costs:
        first = f"{cost.first_ms:6.0f}" if cost.first_ms is not None else "     —"
        lines.append(
            f"  {PAGES[cost.page]:6s} warm {cost.warm_ms:6.0f} ms   first {first} ms   wall {cost.wall_s:5.2f} s   "
            f"sent {sum(cost.bytes_by_kind.values()) / 1024:6.1f} KB (on the wire {cost.wire_bytes / 1024:.1f} KB)"
        )
    lines.append("Bytes one run sends, by element (KB):")
    lines.append("  " + " ".join(f"{k[:12]:>12s}" for k in kinds) + "  GeoJSON in charts")
    for cost in costs:
        lines.append(
            "  "
            + " ".join(f"{cost.bytes_by_kind.get(k, 0) / 1024:12.1f}" for k in kinds)
            + f"  {cost.geojson_bytes / 1024:10.1f}   {PAGES[cost.page]}"
        )
    return "\n".join(lines)


# Milestones of a tab opening a page, each true from some moment on.
MILESTONES_JS = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const app = document.querySelector('[data-test-script-state]');
  const charts = main ? Array.from(main.querySelectorAll('[data-testid="stPlotlyChart"]')) : [];
  const files = performance.getEntriesByType('resource').filter(r => !r.name.includes('_stcore'));
  const title = !!(main && main.querySelector('h1'));
  return {
    html_and_scripts: document.readyState === 'complete',
    title: title,
    run_finished: title && !!app && app.getAttribute('data-test-script-state') === 'notRunning',
    charts_drawn: charts.length > 0 && charts.every(c => c.querySelector('.main-svg')),
    static_kb: files.reduce((sum, r) => sum + (r.encodedBodySize || 0), 0) / 1024,
  };
}"""


@dataclass
class FirstView:
    seconds: float | None  # until fully rendered: run finished, nothing stale, every chart drawn
    milestones: dict[str, float]  # seconds from navigation to each milestone
    static_kb: float  # the frontend's own files the fresh browser downloaded

    def describe(self) -> str:
        if self.seconds is None:
            return "— (no Chromium)"
        steps = ", ".join(f"{name.replace('_', ' ')} {at:.2f} s" for name, at in self.milestones.items())
        return f"{self.seconds:.2f} s ({steps}; {self.static_kb:,.0f} KB of frontend files)"


async def first_view(url: str, year: str | None = None, timeout: float = 120) -> FirstView:
    """A fresh Chromium (empty cache) opening 总览 until it is fully rendered: no run going, every chart drawn."""
    playwright, browser = await _start_chromium()
    if browser is None:
        return FirstView(None, {}, 0.0)
    try:
        context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        tab = await context.new_page()
        started = time.perf_counter()
        await tab.goto(f"{url}/" + (f"?year={year}" if year else ""), timeout=timeout * 1000, wait_until="commit")
        milestones: dict[str, float] = {}
        static_kb = 0.0
        while time.perf_counter() - started < timeout:
            state = await tab.evaluate(MILESTONES_JS)
            static_kb = state.pop("static_kb")
            for name, reached in state.items():
                if reached and name not in milestones:
                    milestones[name] = time.perf_counter() - started
            if await tab.evaluate(RENDERED_JS):
                break
            await asyncio.sleep(0.05)
        else:
            return FirstView(None, milestones, static_kb)
        seconds = time.perf_counter() - started
        milestones["charts_drawn"] = milestones.get("charts_drawn", seconds)
        await context.close()
        return FirstView(seconds, dict(sorted(milestones.items(), key=lambda item: item[1])), static_kb)
    finally:
        await browser.close()
        await playwright.stop()


async def first_view_seconds(url: str, year: str | None = None, timeout: float = 120) -> float | None:
    return (await first_view(url, year, timeout)).seconds


# ---------------------------------------------------------------- profiling


def start_profile(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes] | None:
    """py-spy recording the server (raw collapsed stacks, busy threads only), or None without py-spy."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        say("py-spy is not installed (pip install -r requirements-dev.txt): no profile")
        return None
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "50",
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Where a busy server thread is, judged from its stack: the first phase with a frame containing one of its marks.
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gc.collect(2) after every run (runner.postScriptGC)", ("<leaf>ScriptRunner._on_script_finished",)),
    ("file watcher: module paths after every run", ("local_sources_watcher",)),
    ("file watcher: polling thread", ("polling_path_watcher",)),
    ("hashing each message for the browser's cache", ("populate_hash_if_needed",)),
    ("st.plotly_chart: figure to JSON", ("elements/plotly_chart.py",)),
    ("building Plotly figures (report/charts.py)", ("report/charts.py", "plotly/")),
    ("pandas Styler", ("pandas/io/formats/style",)),
    ("st.dataframe: pandas to Arrow", ("elements/arrow.py", "dataframe_util.py")),
    ("st.cache_data: hashing arguments, copying results", ("runtime/caching",)),
    ("data_version(): one DuckDB query per cached call", ("data_version",)),
    ("DuckDB queries", ("records/queries.py", "duckdb")),
    ("scoring and page tables (scoring/, report/analysis.py)", ("scoring/", "report/analysis.py")),
    ("sidebar, widgets and other page code", ("ScriptRunner._run_script",)),
    ("websocket: sending and compressing", ("websockets", "starlette", "uvicorn", "serialize_forward_msg", "zlib")),
    ("session events on the event loop", ("app_session.py", "asyncio")),
)


# Leaves of threads that wait (sleep, select, queue) in case py-spy counts one of them as busy.
IDLE_LEAVES = ("EpollSelector.select", "Condition.wait", "_worker (", "PollingPathWatcher._schedule.<locals>.task")


def profile_report(path: Path, top: int = 20) -> str:
    """Phases, inclusive and own shares of the busiest functions in a py-spy raw profile."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if any(frames[-1].startswith(idle) for idle in IDLE_LEAVES):
            continue  # a thread waiting that py-spy's --nonblocking sampling could not tell from a busy one
        total += count
        for name in {_frame_name(frame) for frame in frames}:
            inclusive[name] += count
        own[_frame_name(frames[-1])] += count
        marked = frames[:-1] + ["<leaf>" + frames[-1]]
        phase = next(
            (label for label, marks in PHASES if any(mark in frame for frame in marked for mark in marks)), "other"
        )
        phases[phase] += count
    if not total:
        return "profile: no samples"
    lines = [f"Profile of the server: {total} samples of busy threads", "  phases:"]
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in phases.most_common()]
    lines.append("  inclusive (the function and what it called), past the framework's own entry points:")
    entry = ("threading.py", "asyncio/", "click/", "runpy", "bootstrap.py", "cli.py", "__main__", "exec_code.py")
    busiest = [(name, n) for name, n in inclusive.most_common() if not any(e in name for e in entry)]
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in busiest[:top]]
    lines.append("  own time:")
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


def _frame_name(frame: str) -> str:
    """``function (path/to/file.py:12)`` → ``function (file.py)``, so the lines of one function add up."""
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    function, path = match.groups()
    parts = path.split("/")
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{function} ({short})"


# ---------------------------------------------------------------- command line


def load_figures(result: LoadResult) -> dict[str, float | int | None]:
    return {
        "load_viewers": result.viewers,
        "load_pages": result.pages,
        "load_errors": result.errors,
        "load_p95_s": result.quantile(0.95),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="a running dashboard; repeat for several")
    parser.add_argument("--pid", type=int, action="append", help="the server's process id (default: found by port)")
    parser.add_argument("--viewers", type=int, default=50, help="0: no load run (with --page-cpu)")
    parser.add_argument("--browsers", type=int, default=3, help="how many of the viewers are Chromium tabs")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--year", help="the year the viewers look at (default: the dashboard's default)")
    parser.add_argument("--db", type=Path, help="the dashboard's database, for the import during the load")
    parser.add_argument("--import-rows", type=int, default=100_000, help="0: no import during the load")
    parser.add_argument("--page-cpu", action="store_true", help="measure each page's CPU per run and bytes instead")
    parser.add_argument("--pages", help="with --page-cpu: only these url paths, comma separated (overview is '')")
    parser.add_argument("--first-view", action="store_true", help="also time a fresh Chromium opening 总览")
    parser.add_argument("--profile", type=Path, help="record the first server with py-spy during the load (raw)")
    parser.add_argument("--json", type=Path, help="write the figures here as one JSON object")
    args = parser.parse_args(argv)
    urls = [url.rstrip("/") for url in args.url]
    pids = args.pid or [pid for pid in (listening_pid(url) for url in urls) if pid is not None]
    if not pids:
        say("could not find the servers' process ids (give --pid): CPU will not be measured")
    figures: dict[str, Any] = {"load_average_start": os.getloadavg()}
    profiler = start_profile(pids[0], 3600, args.profile) if args.profile and pids else None
    if args.page_cpu:
        chosen = tuple(args.pages.split(",")) if args.pages is not None else tuple(PAGES)
        costs = asyncio.run(page_costs(urls[0], pids[:1], args.year, pages=chosen, database=args.db))
        print(costs_report(costs))
        figures["page_cpu_ms"] = max(cost.warm_ms for cost in costs)
        figures["pages"] = [cost.__dict__ for cost in costs]
    if args.first_view:
        view = asyncio.run(first_view(urls[0], args.year))
        figures["first_view_s"] = view.seconds
        figures["first_view_milestones"] = view.milestones
        print(f"First view of 总览 in a fresh Chromium: {view.describe()}")
    if args.viewers:
        result = asyncio.run(
            run_load(
                urls,
                args.viewers,
                args.seconds,
                args.browsers,
                args.seed,
                pids,
                args.db,
                args.import_rows,
                year=args.year,
            )
        )
        print(load_report(result))
        figures.update(load_figures(result))
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
        profiler.wait()
        if args.profile.exists():
            print(profile_report(args.profile))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
