"""All caching of the dashboard: read-only connections per published store version, results keyed by version.

The dashboard never holds the primary database file: it reads the store's current snapshot (``records.store``)
read-only, so the command line, scheduled jobs and other dashboard processes can write and read at the same time.
Each page run reads the store's pointer once (one small file read) and keeps that version for the whole run, so
a page never mixes two versions; a write anywhere shows on the next page run. Every cached result is keyed by the
version, so nothing needs clearing by hand.

Results that pages only read (frames, views, figures) are kept in one ``VersionResults`` per published version:
one object shared by every session of the process, looked up by a plain tuple. ``st.cache_data`` would unpickle a
fresh copy on every call, and even ``st.cache_resource`` hashes every argument with Streamlit's own hasher (about
half a millisecond a call, twenty-odd calls a page run). The per-version object itself is an ``st.cache_resource``,
so the browser's "Clear caches" empties it too. Pages and ``report/`` derive new frames from the results (pandas
copy-on-write) and never assign into them.

A key names only what a result depends on: the period's ranking without 仅在所选县区之间排名 does not depend on the
chosen counties, so choosing counties narrows the period's one ranking instead of scoring it again.

Who is asking comes from the session (``current_identity``), never from a page's argument: the accessors that
return record-level rows pass that identity's scope to the query, the write functions pass the identity to the
store (which refuses anyone but an administrator), and results that hold records are cached per scope.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from bulletin import BulletinDraft, bulletin_file, draft_bulletin
from dashboard.runs import long_work
from records import accounts, queries, schemes
from records.access import LOCAL_IDENTITY, AccessDenied, Identity, RecordScope, require_writer
from records.accounts import Account, SignIn
from records.audit import AuditEntry, AuditLog
from records.batches import Withdrawal, replace_batch, withdraw_batch
from records.db import DATABASE_ENVIRONMENT_VARIABLE, database_path
from records.demo import build_demo_database
from records.geo import BOUNDARIES_FILE, load_boundaries
from records.importer import ImportOutcome, check_file, write_checked
from records.queries import EVERYTHING, Change
from records.schemes import SavedScheme, StoredScheme
from records.store import Rollback, Store
from report import analysis
from report import quality as quality_report
from report.analysis import CountyView
from report.charts import Chart
from report.history import PlacesOverTime, places_over_time_view
from report.periods import period_label
from report.quality import QualityView
from scoring import ScoringRule, scheme_from_toml, score_counties
from scoring.flags import FlagSettings
from scoring.history import preceding_periods
from scoring.quality import QualitySettings, spans_months
from scoring.robustness import rank_robustness

_T = TypeVar("_T")
log = logging.getLogger("enforcement.dashboard")
IDENTITY_KEY = "_identity"  # the signed-in Identity, in server-side session state only (dashboard.session)
_PIN = "_store_version_pin"
KEEP_OPEN = 2  # the newest version and the one before it, which other sessions may still be reading


class SnapshotReaders:
    """One read-only connection per published version in this process; each thread takes its own cursor.

    Older connections are dropped, not closed: a query still running on a cursor of one keeps it alive, and
    DuckDB closes it once the last cursor is gone (on Linux a pruned snapshot file stays readable until then).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._open: dict[int, duckdb.DuckDBPyConnection] = {}
        self._results: dict[int, VersionResults] = {}

    def connection(self, version: int) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if version not in self._open:
                self._open[version] = self.store.connect_snapshot(version)
                for old in sorted(self._open)[:-KEEP_OPEN]:
                    del self._open[old]
            return self._open[version]

    def versions_open(self) -> list[int]:
        with self._lock:
            return sorted(self._open)

    def results(self, version: int) -> VersionResults:
        """What this process has computed from ``version``. A new version starts with every result of the newest
        older one whose period the writes in between did not touch (``records.queries.change_between``): an
        import into another year leaves the pages of this one as they were, and nobody waits for them again."""
        with self._lock:
            found = self._results.get(version)
            older = max((v for v in self._results if v < version), default=None)
        if found is not None:
            return found
        results = VersionResults()
        if older is not None:
            results.inherit(self._results[older], self._change(older, version))
        with self._lock:
            results = self._results.setdefault(version, results)  # another thread may have been first
            for old in sorted(self._results)[:-KEEP_OPEN]:
                del self._results[old]
        return results

    def _change(self, older: int, newer: int) -> Change:
        try:
            return queries.change_between(self.connection(older).cursor(), self.connection(newer).cursor())
        except (duckdb.Error, OSError):  # the older snapshot pruned or unreadable: nothing is taken over
            log.warning("could not compare versions %s and %s", older, newer, exc_info=True)
            return EVERYTHING


@st.cache_resource(show_spinner="正在打开数据库（首次启动时生成示例数据）…")
def _readers(path: str) -> SnapshotReaders:
    store = Store(Path(path))
    store.ensure_published(build_demo_database, "仪表盘", "首次启动时生成示例数据")
    return SnapshotReaders(store)


def database_file() -> str:
    """The primary database file this process serves (``ENFORCEMENT_DB``, else the default), resolved once per
    setting: it is part of every cache key, so it is asked for many times a run."""
    return _resolved_database(os.environ.get(DATABASE_ENVIRONMENT_VARIABLE), os.getcwd())


@functools.lru_cache(maxsize=16)
def _resolved_database(setting: str | None, folder: str) -> str:
    return str(database_path(setting))


def store() -> Store:
    return _readers(database_file()).store


class VersionResults:
    """What this process has computed from one published version, by kind and key; each kind keeps its ``limit``
    most recently used results. A result several sessions ask for at the same moment is built once: the others
    wait for it (a new version finds fifty viewers asking for the same few views)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[str, OrderedDict[Hashable, object]] = {}
        self._building: dict[tuple[str, Hashable], threading.Lock] = {}
        self._earlier: dict[tuple[str, Hashable], object] = {}
        self.change = EVERYTHING

    def get(self, kind: str, key: Hashable, build: Callable[[], _T], limit: int) -> _T:
        with self._lock:
            found = self._take(kind, key)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
            building = self._building.setdefault((kind, key), threading.Lock())
        with building:
            with self._lock:
                found = self._take(kind, key)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop((kind, key), None)
            with self._lock:
                kept = self._results.setdefault(kind, OrderedDict())
                kept[key] = value
                while len(kept) > limit:
                    kept.popitem(last=False)
            return value

    def inherit(self, older: VersionResults, change: Change) -> None:
        """Take over the results of an older version that ``change`` leaves as they were: those of a period it does
        not touch, and, unless it touches everything, those read only from the counties and schemes tables. Any
        other result (the years with data, accounts) is built again."""
        with older._lock:
            kept = {kind: list(entries.items()) for kind, entries in older._results.items()}
        with self._lock:
            self.change = change
            for kind, entries in kept.items():
                for key, value in entries:
                    period = _period_of(kind, key)
                    if (period is not None and not change.touches(*period)) or (
                        kind in _WHOLE_TABLE_KINDS and not change.everything
                    ):
                        self._results.setdefault(kind, OrderedDict())[key] = value
                    elif kind in _PER_COUNTY_KINDS and not change.everything:
                        self._earlier[(kind, key)] = value

    def earlier(self, kind: str, key: Hashable) -> object | None:
        """The older version's result for ``key`` of a kind with a row per county (``_PER_COUNTY_KINDS``) that the
        change touched: only the rows of ``change.counties`` need reading again. Given out once."""
        with self._lock:
            return self._earlier.pop((kind, key), None)

    def _take(self, kind: str, key: Hashable) -> object:
        kept = self._results.get(kind)
        if kept is None or key not in kept:
            return _MISSING
        kept.move_to_end(key)
        return kept[key]


_MISSING = object()
# Results read only from the counties and schemes tables, which a batch never changes (change_between).
_WHOLE_TABLE_KINDS = frozenset({"scheme", "scheme_versions", "counties"})
# Results with a row per county, each row read from that county's records only: after a batch, only the rows of
# the counties its records are in are read again (``_per_county``).
_PER_COUNTY_KINDS = frozenset({"measures", "quality_counts"})


def _period_of(kind: str, key: Hashable) -> tuple[dt.date, dt.date] | None:
    """The period a result is of: every key of a period's result starts with its first and last day (a shared
    result's view does), and the result reads only records of that period's window (``earliest_read``)."""
    view = key[1] if kind == "shared" and isinstance(key, tuple) and len(key) > 1 else key
    if isinstance(view, tuple) and len(view) >= 2 and all(type(day) is dt.date for day in view[:2]):
        return view[0], view[1]
    return None


def _pin() -> tuple[int, VersionResults]:
    """This run's version and its results, fixed at the run's first call (each run starts with a fresh
    ``context.cursors``, which marks the pin as this run's)."""
    context = get_script_run_ctx()
    run = context.cursors if context is not None else None
    pinned = st.session_state.get(_PIN) if context is not None else None
    if pinned is not None and pinned[0] is run:
        return pinned[1], pinned[2]
    path = database_file()
    readers = _readers(path)
    # Publishes for a writer that died (a stat when nothing is pending); a new version's schema is read on the
    # connection this process reads that version with.
    readers.store.ensure_published(reader=readers.connection)
    version = readers.store.current_version() or 0
    results = readers.results(version)
    if context is not None:
        st.session_state[_PIN] = (run, version, results)
    return version, results


def data_version() -> int:
    """The published version this page run reads, fixed at the run's first call."""
    return _pin()[0]


def _cached(kind: str, key: Hashable, build: Callable[[], _T], limit: int = 256) -> _T:
    """``build()``'s result for ``key`` in this run's version, built once per process and shared by every session."""
    return _pin()[1].get(kind, key, build, limit)


def _per_county(
    kind: str, key: Hashable, query: Callable[[frozenset[int] | None], pd.DataFrame], limit: int = 256
) -> pd.DataFrame:
    """Like ``_cached`` for a table with a row per county (``query(None)`` reads every county, ``query(codes)``
    those): after a write into a few counties, only their rows are read again and the others kept."""
    results = _pin()[1]

    def build() -> pd.DataFrame:
        earlier = results.earlier(kind, key)
        if not isinstance(earlier, pd.DataFrame):
            return query(None)
        return queries.with_county_rows(earlier, query(results.change.counties))

    return results.get(kind, key, build, limit)


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this run's version; each thread (each session's run) uses its own."""
    readers = _readers(database_file())
    try:
        return readers.connection(data_version()).cursor()
    except FileNotFoundError:  # pruned while this run was pinned to it: move to the current version
        st.session_state.pop(_PIN, None)
        return readers.connection(data_version()).cursor()


def client_address() -> str | None:
    """The browser's address as the server sees it; None for the server's own machine (loopback) only.

    Behind nginx, uvicorn takes the address from X-Forwarded-For (trusted only from loopback). A server listening on
    a Unix socket sees no address at all, so nobody counts as the server's own browser there.
    """
    address = st.context.ip_address
    if isinstance(address, str):
        return address
    if str(st.get_option("server.address") or "").startswith("unix://"):
        return "unix-socket"
    # A real server gives a string or None; AppTest's stand-in client gives a mock, and runs in this process.
    return None


def current_identity() -> Identity:
    """Who this run is for: the session's signed-in identity; with no accounts at all, the server's own browser
    as an administrator; otherwise nobody, and every accessor that needs someone refuses."""
    identity = st.session_state.get(IDENTITY_KEY)
    if isinstance(identity, Identity):
        return identity
    if account_count() == 0 and client_address() is None:
        return LOCAL_IDENTITY
    raise AccessDenied("请先登录")


def _scope() -> RecordScope:
    return current_identity().scope


def audit_log() -> AuditLog:
    return store().audit


def account_count() -> int:
    return _cached("account_count", (), lambda: accounts.account_count(cursor()), 1)


@st.cache_data(max_entries=1024, show_spinner=False)
def _account(path: str, version: int, name: str) -> Account | None:
    found = accounts.find_account(cursor(), name)
    return None if found is None else replace(found, password_hash=None)  # no hash kept in a cache


def current_account(name: str) -> Account | None:
    """An account as the current snapshot holds it (accounts change by a write, which publishes a new one)."""
    return _account(*_key(), name)


def administrators() -> list[str]:
    return _cached("administrators", (), lambda: accounts.administrators(cursor()), 1)


def sign_in(name: str, password: str) -> SignIn:
    """A password sign-in against the current snapshot's accounts; the attempt is in the audit trail."""
    return accounts.sign_in(cursor(), audit_log(), name, password, client_address())


def account_for_identity_provider(claims: dict[str, object]) -> Account | None:
    return accounts.account_for_oidc(cursor(), claims)


def audited_download(make: Callable[[], bytes], entry: AuditEntry) -> Callable[[], bytes]:
    """A download button's data, built when clicked, that first writes an audit row for the identity of this run
    (record-level downloads: who, which county, how many rows). No row written, no file."""
    identity = current_identity()
    trail = audit_log()
    entry.address = client_address()

    def download() -> bytes:
        trail.record_entry(identity, entry, "ok")
        return make()

    return download


def audit_entries(
    since: dt.date | None, until: dt.date | None, user: str | None, actions: tuple[str, ...]
) -> pd.DataFrame:
    """The audit trail, newest first; administrators only."""
    require_writer(current_identity(), "查看审计日志")
    return audit_log().entries(since, until, user or None, actions)


def audit_users() -> list[str]:
    require_writer(current_identity(), "查看审计日志")
    return audit_log().users()


def _measures(start: dt.date, end: dt.date, keys: tuple[str, ...] = ()) -> pd.DataFrame:
    return _per_county(
        "measures", (start, end, keys), lambda counties: queries.county_measures(cursor(), start, end, keys, counties)
    )


def scheme_for(end: dt.date) -> StoredScheme:
    """The scheme that scores a period ending on ``end`` (the latest versions, then the one in effect that day)."""
    return _cached("scheme", end, lambda: schemes.scheme_for_period(cursor(), end), 64)


def scheme_versions() -> pd.DataFrame:
    return _cached("scheme_versions", (), lambda: schemes.scheme_versions(cursor()), 1)


def _keys(rule: ScoringRule) -> tuple[str, ...]:
    """The measures a scheme ranks, which its period's measures must include."""
    return tuple(measure.column for measure in rule.measures)


def _scheme_measures(start: dt.date, end: dt.date) -> tuple[StoredScheme, pd.DataFrame]:
    """The scheme in effect for a period and the period's measures, with any the scheme names beyond the five."""
    scheme = scheme_for(end)
    return scheme, _measures(start, end, _keys(scheme.rule))


def county_measures(start: dt.date, end: dt.date) -> pd.DataFrame:
    """The period's measures, with those the period's scheme names."""
    return _scheme_measures(start, end)[1]


def last_year_measures(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _measures(*queries.same_period_last_year(start, end))


def monthly_series(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _cached("monthly", (start, end), lambda: queries.monthly_series(cursor(), start, end), 128)


def rectification_gaps(start: dt.date, end: dt.date) -> pd.DataFrame:
    scope = _scope()
    return _cached("gaps", (start, end, scope), lambda: queries.rectification_gaps(cursor(), scope, start, end), 128)


def published_summary(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _cached("published", (start, end), lambda: queries.published_summary(cursor(), start, end), 128)


def city_totals(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _cached(
        "city_totals",
        (start, end),
        lambda: queries.period_totals(_measures(start, end), last_year_measures(start, end)),
        128,
    )


def counties() -> pd.DataFrame:
    return _cached("counties", (), lambda: queries.counties(cursor()), 1)


def record_span() -> tuple[dt.date, dt.date] | None:
    return _cached("record_span", (), lambda: queries.record_span(cursor()), 1)


def latest_record_date(up_to: dt.date) -> dt.date | None:
    return _cached("latest_record", up_to, lambda: queries.latest_record_date(cursor(), up_to), 4)


def dataset_label() -> str | None:
    return _cached("dataset_label", (), lambda: queries.dataset_label(cursor()), 1)


def _pool(selected: tuple[int, ...], within: bool) -> tuple[int, ...]:
    """The counties ranked together when not all of them are: the chosen ones, when ranking only among those.
    Every result that depends on the pool is keyed by this, not by the chosen counties."""
    return selected if within and selected else ()


def _pool_measures(measures: pd.DataFrame, pool: tuple[int, ...]) -> pd.DataFrame:
    return measures[measures["county_code"].isin(pool)].reset_index(drop=True) if pool else measures


def county_view(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, settings: FlagSettings, lang: str
) -> CountyView:
    """The ranking, flags and shown rows for a view, once per data version and record scope (the flags name case
    ids). The period's ranking is scored and flagged once per pool; choosing counties only narrows what is shown."""
    scope = _scope()
    pool = _pool(selected, within)

    def ranked() -> CountyView:
        scheme, measures = _scheme_measures(start, end)
        return analysis.county_view(
            measures,
            last_year_measures(start, end),
            rectification_gaps(start, end),
            pool,
            bool(pool),
            scheme.rule,
            settings,
            lang,
        )

    view = _cached("county_view", (start, end, pool, settings, lang, scope), ranked, 64)
    if not selected or pool:
        return view
    return _cached("county_view_shown", (start, end, selected, settings, lang, scope), lambda: view.narrowed(selected))


def robustness(start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool) -> pd.DataFrame:
    """Each ranked county's place under the period's scheme and under the alternatives around it, per pool."""
    pool = _pool(selected, within)

    def places() -> pd.DataFrame:
        scheme, measures = _scheme_measures(start, end)
        return rank_robustness(_pool_measures(measures, pool), scheme.rule)

    return _cached("robustness", (start, end, pool), places, 64)


def places_over_time(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, lang: str
) -> PlacesOverTime:
    """The period and those of its kind before it, each scored by its own scheme, as places over time."""
    pool = _pool(selected, within)

    def history() -> PlacesOverTime:
        periods = []
        for first, last in preceding_periods(start, end):
            scheme, measures = _scheme_measures(first, last)
            periods.append((period_label(first, last, lang), scheme, _pool_measures(measures, pool)))
        return places_over_time_view(periods)

    return _cached("history", (start, end, pool, lang), history, 64)


def persistent_bottom(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, lang: str, bottom_places: int
) -> pd.DataFrame:
    """Counties in the bottom places for two or more consecutive periods up to this one, per pool."""
    key = (start, end, _pool(selected, within), lang, bottom_places)
    return _cached(
        "persistent_bottom",
        key,
        lambda: places_over_time(start, end, selected, within, lang).persistent(bottom_places),
        64,
    )


def proposed_ranking(start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, text: str) -> pd.DataFrame:
    """The period's ranking under a proposed scheme (its TOML text), without storing anything."""
    pool = _pool(selected, within)

    def ranking() -> pd.DataFrame:
        rule = scheme_from_toml(text)
        return score_counties(_pool_measures(_measures(start, end, _keys(rule)), pool), rule)

    return _cached("proposal", (start, end, pool, text), ranking, 8)


def quality_view(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, settings: QualitySettings, lang: str
) -> QualityView:
    """The enforcement-quality signals of a view, judged against its ranking pool once per pool, data version and
    day (overdue cases of a period still running are judged on today); choosing counties only narrows them."""
    today = dt.date.today()
    pool = _pool(selected, within)
    windows = tuple(settings.query_parameters().items())

    def judged() -> QualityView:
        counts = _per_county(
            "quality_counts",
            (start, end, today, windows),
            lambda counties: queries.quality_counts(cursor(), start, end, today, **dict(windows), counties=counties),
            128,
        )
        return quality_report.quality_view(counts, start, end, pool, bool(pool), settings, lang)

    view = _cached("quality_view", (start, end, today, pool, settings, lang), judged, 64)
    if not selected or pool:
        return view
    return _cached("quality_view_shown", (start, end, today, selected, settings, lang), lambda: view.narrowed(selected))


def county_boundaries() -> dict:
    """The shipped county boundaries (GeoJSON), read again only when the file changes; raises BoundaryError.

    One dict shared by every session (not a copy per run): read it, never change it."""
    return _boundaries(str(BOUNDARIES_FILE), boundaries_stamp())


@st.cache_resource(max_entries=4, show_spinner=False)
def _boundaries(path: str, modified: float) -> dict:
    return load_boundaries(Path(path))


def boundaries_stamp() -> float:
    """When the shipped boundaries file last changed (0 without one): part of the map figure's cache key."""
    return BOUNDARIES_FILE.stat().st_mtime if BOUNDARIES_FILE.exists() else 0.0


def shared(name: str, view: tuple[object, ...], build: Callable[[], _T]) -> _T:
    """What a page shows (a finished table, a figure), built once per data version, record scope, ``name`` and
    ``view`` (every value it depends on besides the data), then shared by every session of this process.

    The result is shared, so it is only read: ``st.dataframe``, ``st.plotly_chart``, the downloads and the PNG
    export all work on copies.
    """
    return _cached("shared", (name, view, _scope()), build, 1024)


def arrow(frame: pd.DataFrame) -> pa.Table:
    """A shared table (``shared``, ``layout.pool_rows``) as the Arrow table ``st.dataframe`` sends, converted once:
    given a pandas frame, Streamlit converts it again on every run (a sixth of a warm 预警 run at 2,800 counties).
    Kept by the frame's identity, with the frame, so the identity stays its own."""
    with _arrow_lock:
        kept = _arrow_tables.get(id(frame))
        if kept is not None and kept[0] is frame:
            _arrow_tables.move_to_end(id(frame))
            return kept[1]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with _arrow_lock:
        _arrow_tables[id(frame)] = (frame, table)
        while len(_arrow_tables) > ARROW_TABLES_KEPT:
            _arrow_tables.popitem(last=False)
    return table


ARROW_TABLES_KEPT = 512
_arrow_lock = threading.Lock()
_arrow_tables: OrderedDict[int, tuple[pd.DataFrame, pa.Table]] = OrderedDict()


def shared_figure(name: str, view: tuple[object, ...], build: Callable[[], Chart]) -> SharedFigure:
    """A finished chart, shared as above, ready for ``st.plotly_chart``: ``report.charts`` builds plain Plotly
    dicts (a few milliseconds, where Plotly's figure objects validate every property for tens of milliseconds)."""
    return shared(name, view, lambda: SharedFigure(build()))


class SharedFigure(go.Figure):
    """A chart for ``st.plotly_chart``, made of its plain dict (``spec``). Streamlit asks a figure for ``to_dict()``
    and sends its JSON, but would validate a bare dict by building every Plotly object from it; so this figure
    holds nothing else, and ``to_dict()`` is the chart with Streamlit's theme template, as a Plotly figure made in
    this process would carry it (the browser fills in the theme's colours from it)."""

    def __init__(self, spec: Chart) -> None:
        super().__init__()
        self.__dict__["spec"] = spec
        self.__dict__["_themed"] = {**spec, "layout": {**spec["layout"], "template": _theme_template()}}

    def to_dict(self) -> Chart:  # type: ignore[override]
        return self.__dict__["_themed"]  # type: ignore[no-any-return]


@functools.cache
def _theme_template() -> dict[str, Any]:
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (it makes Streamlit's template Plotly's default)

    return pio.templates[pio.templates.default].to_plotly_json()  # type: ignore[no-any-return]


def _key() -> tuple[str, int]:
    return database_file(), data_version()


def may_edit_schemes() -> bool:
    """Whether this session may change the scoring scheme (administrators): the 评分规则 page shows its form by it;
    the store refuses anyone else's save whatever the page shows."""
    return current_identity().may_write


@long_work()
def save_scheme(text: str) -> SavedScheme:
    """Store a scheme's TOML text as the next version of its name, as one write by this session's identity;
    SchemeError stores nothing, AccessDenied for anyone but an administrator."""
    identity = current_identity()
    entry = AuditEntry("scheme_change", details="保存评分方案", address=client_address())
    store().refuse_unless_writer(identity, "保存评分方案", entry)
    rule = scheme_from_toml(text)  # checked before the writer lock is taken
    saved: SavedScheme | None = None
    action = f"保存评分方案 {rule.name}"
    entry.details = action
    with store().transaction(identity, action, entry) as connection:
        saved = schemes.save_scheme(connection, text)  # saved by the transaction's identity
        if not saved.stored:
            entry.details = f"{action}：与最新版本相同，未保存"
            raise Rollback
    assert saved is not None
    return saved


def _records(kind: str, county_code: int, start: dt.date, end: dt.date, limit: int) -> pd.DataFrame:
    scope = _scope()
    read = queries.inspection_records if kind == "inspections" else queries.case_records
    key = (start, end, kind, scope, county_code, limit)
    return _cached("records", key, lambda: read(cursor(), scope, county_code, start, end, limit), 64)


def inspection_records(county_code: int, start: dt.date, end: dt.date, limit: int) -> pd.DataFrame:
    """A county's inspections in the period, within the signed-in identity's scope (none outside it); kept per
    version and scope, as the ranking page shows them on every run."""
    return _records("inspections", county_code, start, end, limit)


def case_records(county_code: int, start: dt.date, end: dt.date, limit: int) -> pd.DataFrame:
    """A county's cases in the period, within the signed-in identity's scope (none outside it)."""
    return _records("cases", county_code, start, end, limit)


def quality_records(
    signal: str, county_code: int, start: dt.date, end: dt.date, limit: int, settings: QualitySettings
) -> pd.DataFrame:
    """The records behind one county's quality signal, like the two record readers above: within the signed-in
    identity's scope (none outside it), kept per version and scope."""
    today = dt.date.today()  # overdue decisions are judged on today
    scope = _scope()
    key = (start, end, today, scope, signal, county_code, limit, settings)
    return _cached(
        "quality_records", key, lambda: _read_quality_records(scope, signal, county_code, start, end, limit, settings)
    )


def _read_quality_records(
    scope: RecordScope,
    signal: str,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int,
    settings: QualitySettings,
) -> pd.DataFrame:
    if signal == "repeat_visits":
        return queries.revisit_records(cursor(), scope, county_code, start, end, limit, settings.revisit_days)
    if signal == "period_end_rush":
        windows = (settings.rush_days, settings.month_end_days, spans_months(start, end))
        return queries.period_end_records(cursor(), scope, county_code, start, end, limit, *windows)
    if signal == "no_hazard_inspections":
        return queries.no_hazard_records(cursor(), scope, county_code, start, end, limit)
    if signal == "overdue_decisions":
        return queries.overdue_case_records(cursor(), scope, county_code, start, end, limit, settings.overdue_days)
    if signal == "fine_concentration":
        return queries.fined_case_records(cursor(), scope, county_code, start, end, limit)
    return queries.non_random_records(cursor(), scope, county_code, start, end, limit)


def import_log() -> pd.DataFrame:
    return queries.import_log(cursor())


CHECKED_UPLOAD_KEY = "_checked_upload"


@long_work()
def check_upload(
    file_id: str, content: bytes, file_name: str, kind: str | None, start: dt.date | None, end: dt.date | None
) -> ImportOutcome:
    """Check an uploaded file on this run's snapshot; the checked rows are kept in the session for the confirmation,
    so a large file is read once, not again on every rerun or when it is imported."""
    require_writer(current_identity(), "导入数据")
    key = (file_id, kind, start, end, database_file(), data_version())
    kept = st.session_state.get(CHECKED_UPLOAD_KEY)
    if kept is None or kept[0] != key:
        outcome = check_file(cursor(), content, kind=kind, start=start, end=end, file_name=file_name)
        st.session_state[CHECKED_UPLOAD_KEY] = kept = (key, outcome)
    return kept[1]


@long_work()
def import_checked(checked: ImportOutcome) -> ImportOutcome:
    """Write a checked upload as one write by this session's identity (administrators only); its ids and checksum
    are checked again against what landed since."""
    outcome = checked
    action = f"导入 {checked.file_name}"
    entry = AuditEntry("import", file_name=checked.file_name, row_count=checked.rows, address=client_address())
    with store().transaction(current_identity(), action, entry) as connection:
        outcome = write_checked(connection, checked)
        if outcome.status != "imported":
            entry.details = f"{action}：{outcome.message}"
            raise Rollback
        entry.batch = outcome.import_id
    st.session_state.pop(CHECKED_UPLOAD_KEY, None)
    return outcome


@long_work()
def withdraw(batch: int, reason: str) -> Withdrawal:
    """Withdraw a batch as one write by this session's identity; raises BatchError or DatabaseError with one line,
    AccessDenied for anyone but an administrator."""
    action = f"撤销批次 {batch}"
    entry = AuditEntry("withdraw", batch=batch, details=f"{action}，原因：{reason}", address=client_address())
    with store().transaction(current_identity(), action, entry) as connection:
        withdrawal = withdraw_batch(connection, batch, reason)
        entry.file_name, entry.row_count = withdrawal.file_name, withdrawal.rows
    return withdrawal


@long_work()
def replace_upload(
    batch: int,
    content: bytes,
    file_name: str,
    kind: str | None,
    start: dt.date | None,
    end: dt.date | None,
    reason: str,
) -> ImportOutcome:
    """Withdraw ``batch`` and import the corrected file in one write: both or neither."""
    outcome: ImportOutcome | None = None
    action = f"导入 {file_name}，替换批次 {batch}"
    entry = AuditEntry("replace", file_name=file_name, details=f"{action}，原因：{reason}", address=client_address())
    with store().transaction(current_identity(), action, entry) as connection:
        outcome = replace_batch(connection, batch, content, reason, kind, start, end, file_name)
        entry.row_count = outcome.rows
        if outcome.status != "imported":
            entry.details = f"{action}：{outcome.message}"
            raise Rollback
        entry.batch = outcome.import_id
    assert outcome is not None
    return outcome


@st.cache_data(max_entries=8, show_spinner=False)
def _withdrawal_preview(
    path: str, version: int, batch: int, start: dt.date, end: dt.date, identity: Identity
) -> tuple[pd.DataFrame, pd.DataFrame]:
    scheme, before = _scheme_measures(start, end)
    with store().trial(identity) as connection:
        withdraw_batch(connection, batch, "预览")
        after = queries.county_measures(connection, start, end, _keys(scheme.rule))
    return before, after


@long_work()
def withdrawal_preview(batch: int, start: dt.date, end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The period's county measures now and as they would be after withdrawing ``batch`` (a private trial copy)."""
    identity = current_identity()
    require_writer(identity, "预览撤销")  # checked on every call: a cached preview is no way round the store's check
    return _withdrawal_preview(*_key(), batch, start, end, identity)


@st.cache_data(max_entries=4, show_spinner=False)
def _replacement_preview(
    path: str,
    version: int,
    batch: int,
    content: bytes,
    file_name: str,
    kind: str | None,
    file_start: dt.date | None,
    file_end: dt.date | None,
    start: dt.date,
    end: dt.date,
    identity: Identity,
) -> tuple[ImportOutcome, pd.DataFrame, pd.DataFrame]:
    scheme, before = _scheme_measures(start, end)
    with store().trial(identity) as connection:
        outcome = replace_batch(connection, batch, content, "预览", kind, file_start, file_end, file_name)
        after = queries.county_measures(connection, start, end, _keys(scheme.rule))
    return outcome, before, after


@long_work()
def replacement_preview(
    batch: int,
    content: bytes,
    file_name: str,
    kind: str | None,
    file_start: dt.date | None,
    file_end: dt.date | None,
    start: dt.date,
    end: dt.date,
) -> tuple[ImportOutcome, pd.DataFrame, pd.DataFrame]:
    """The replacement's check, and the period's county measures now and after it (a private trial copy)."""
    identity = current_identity()
    require_writer(identity, "预览更正")
    return _replacement_preview(*_key(), batch, content, file_name, kind, file_start, file_end, start, end, identity)


@long_work()
def bulletin_draft(
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...],
    within: bool,
    settings: FlagSettings,
    quality: QualitySettings | None = None,
) -> BulletinDraft:
    return draft_bulletin(cursor(), start, end, selected, scheme_for(end), settings, within, quality, scope=_scope())


@long_work()
def bulletin_document(draft: BulletinDraft, key: tuple[object, ...], progress: Callable[[float, str], None]) -> bytes:
    """The bulletin's .docx for a draft, kept for the session until the view (``key``) or the data change."""
    kept_key = (database_file(), data_version(), _scope(), *key)
    kept = st.session_state.setdefault("_bulletin_documents", {})
    if kept_key not in kept:
        kept.clear()
        kept[kept_key] = bulletin_file(draft, progress)
    return kept[kept_key]
