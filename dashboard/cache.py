"""All caching of the dashboard: one database connection per file, query results keyed by the data's version.

Every import adds an import-log row, so the largest log id is the data's version: a cached result is never
served after the data it came from has changed, and nothing needs clearing by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from bulletin import BulletinDraft, bulletin_file, draft_bulletin
from records import queries
from records.db import database_path, open_database
from records.demo import build_demo_database
from records.geo import BOUNDARIES_FILE, load_boundaries
from records.importer import ImportOutcome, import_file
from report import analysis
from report.analysis import CountyView
from scoring import ScoringRule
from scoring.flags import FlagSettings


@st.cache_resource(show_spinner="正在打开数据库（首次启动时生成示例数据）…")
def _database(path: str) -> duckdb.DuckDBPyConnection:
    file = Path(path)
    if not file.exists():
        build_demo_database(file)
    return open_database(file)


def database_file() -> str:
    return str(database_path())


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor of the one process-wide connection; each thread (each session's run) uses its own."""
    return _database(database_file()).cursor()


def data_version() -> int:
    row = cursor().execute("SELECT coalesce(max(id), 0) FROM import_log").fetchone()
    return int(row[0]) if row else 0


@st.cache_data(max_entries=256, show_spinner=False)
def _measures(path: str, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.county_measures(cursor(), start, end)


@st.cache_data(max_entries=128, show_spinner=False)
def _monthly(path: str, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.monthly_series(cursor(), start, end)


@st.cache_data(max_entries=128, show_spinner=False)
def _gaps(path: str, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.rectification_gaps(cursor(), start, end)


@st.cache_data(max_entries=128, show_spinner=False)
def _published(path: str, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.published_summary(cursor(), start, end)


@st.cache_data(max_entries=128, show_spinner=False)
def _city_totals(path: str, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.period_totals(
        _measures(path, version, start, end), _measures(path, version, *queries.same_period_last_year(start, end))
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _counties(path: str, version: int) -> pd.DataFrame:
    return queries.counties(cursor())


@st.cache_data(max_entries=16, show_spinner=False)
def _span(path: str, version: int) -> tuple[dt.date, dt.date] | None:
    return queries.record_span(cursor())


@st.cache_data(max_entries=16, show_spinner=False)
def _latest(path: str, version: int, up_to: dt.date) -> dt.date | None:
    return queries.latest_record_date(cursor(), up_to)


@st.cache_data(max_entries=16, show_spinner=False)
def _label(path: str, version: int) -> str | None:
    return queries.dataset_label(cursor())


@st.cache_data(max_entries=64, show_spinner=False)
def _county_view(
    path: str,
    version: int,
    start: dt.date,
    end: dt.date,
    selected: tuple[int, ...],
    within: bool,
    settings: FlagSettings,
    lang: str,
) -> CountyView:
    return analysis.county_view(
        _measures(path, version, start, end),
        _measures(path, version, *queries.same_period_last_year(start, end)),
        _gaps(path, version, start, end),
        selected,
        within,
        ScoringRule(),
        settings,
        lang,
    )


@st.cache_data(max_entries=4, show_spinner=False)
def _boundaries(path: str, modified: float) -> dict:
    return load_boundaries(Path(path))


def county_boundaries() -> dict:
    """The shipped county boundaries (GeoJSON), read again only when the file changes; raises BoundaryError."""
    modified = BOUNDARIES_FILE.stat().st_mtime if BOUNDARIES_FILE.exists() else 0.0
    return _boundaries(str(BOUNDARIES_FILE), modified)


def _key() -> tuple[str, int]:
    return database_file(), data_version()


def county_measures(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _measures(*_key(), start, end)


def last_year_measures(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _measures(*_key(), *queries.same_period_last_year(start, end))


def county_view(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, settings: FlagSettings, lang: str
) -> CountyView:
    """The ranking, flags and shown rows for a view, computed once per view and data version."""
    return _county_view(*_key(), start, end, selected, within, settings, lang)


def monthly_series(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _monthly(*_key(), start, end)


def rectification_gaps(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _gaps(*_key(), start, end)


def published_summary(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _published(*_key(), start, end)


def city_totals(start: dt.date, end: dt.date) -> pd.DataFrame:
    return _city_totals(*_key(), start, end)


def counties() -> pd.DataFrame:
    return _counties(*_key())


def record_span() -> tuple[dt.date, dt.date] | None:
    return _span(*_key())


def latest_record_date(up_to: dt.date) -> dt.date | None:
    return _latest(*_key(), up_to)


def dataset_label() -> str | None:
    return _label(*_key())


def inspection_records(county_code: int, start: dt.date, end: dt.date, limit: int) -> pd.DataFrame:
    return queries.inspection_records(cursor(), county_code, start, end, limit)


def case_records(county_code: int, start: dt.date, end: dt.date, limit: int) -> pd.DataFrame:
    return queries.case_records(cursor(), county_code, start, end, limit)


def import_log() -> pd.DataFrame:
    return queries.import_log(cursor())


@st.cache_data(max_entries=4, show_spinner=False)
def _checked_upload(
    path: str,
    version: int,
    content: bytes,
    file_name: str,
    kind: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> ImportOutcome:
    return import_file(cursor(), content, kind=kind, start=start, end=end, file_name=file_name, write=False)


def import_upload(
    content: bytes, file_name: str, kind: str | None, start: dt.date | None, end: dt.date | None, write: bool
) -> ImportOutcome:
    """Check (``write=False``) or import an uploaded file in one transaction on this session's cursor.

    A check is kept until the data changes, so the page's reruns do not validate a large file again.
    """
    if not write:
        return _checked_upload(*_key(), content, file_name, kind, start, end)
    return import_file(cursor(), content, kind=kind, start=start, end=end, file_name=file_name, write=True)


def bulletin_draft(
    start: dt.date, end: dt.date, selected: tuple[int, ...], within: bool, settings: FlagSettings
) -> BulletinDraft:
    return draft_bulletin(cursor(), start, end, selected, None, settings, within)


def bulletin_document(draft: BulletinDraft, key: tuple[object, ...], progress: Callable[[float, str], None]) -> bytes:
    """The bulletin's .docx for a draft, kept for the session until the view (``key``) or the data change."""
    kept_key = (database_file(), data_version(), *key)
    kept = st.session_state.setdefault("_bulletin_documents", {})
    if kept_key not in kept:
        kept.clear()
        kept[kept_key] = bulletin_file(draft, progress)
    return kept[kept_key]
