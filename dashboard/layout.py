"""The shared sidebar (language, period, counties) and page header; filters live in the page address.

Each filter widget is bound to a query parameter named by its key, so a copied link reopens the same view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard import cache
from records.geo import match_boundaries
from report.analysis import CountyView, ranking_columns
from report.exports import csv_bytes, figure_png, workbook
from report.periods import DEFAULT_PRESET, PRESETS, period_dates, period_label, preset_label
from report.text import LANGUAGES, text
from scoring import ScoringRule
from scoring.flags import FlagSettings

FILTERS_KEY = "_filters"


@dataclass(frozen=True)
class Filters:
    lang: str
    start: dt.date
    end: dt.date
    selected_codes: tuple[int, ...]
    selected_names: tuple[str, ...]
    rank_within_selection: bool

    @property
    def period(self) -> str:
        return period_label(self.start, self.end, self.lang)


def language_picker() -> str:
    return st.sidebar.radio(
        text("language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key="lang",
        bind="query-params",
    )


def sidebar_filters(lang: str) -> Filters:
    """Draw the filters and remember them for the page that runs next."""
    span = cache.record_span()
    last_year = span[1].year if span else dt.date.today().year
    first_year = span[0].year if span else last_year
    years = list(range(last_year, first_year - 1, -1))
    year = st.sidebar.selectbox(text("year", lang), years, index=0, key="year", bind="query-params")
    preset = st.sidebar.selectbox(
        text("period", lang),
        PRESETS,
        index=PRESETS.index(DEFAULT_PRESET),
        format_func=lambda p: preset_label(p, lang),
        key="period",
        bind="query-params",
    )
    start, end = period_dates(year, "h1" if preset == "custom" else preset)
    if preset == "custom":
        chosen = st.sidebar.date_input(text("dates", lang), value=(start, end), key="dates", bind="query-params")
        if isinstance(chosen, tuple | list) and len(chosen) == 2:
            start, end = chosen[0], chosen[1]
        else:
            st.sidebar.caption(text("dates_incomplete", lang))

    counties = cache.counties()
    take_map_click(counties["county"].tolist())
    names = st.sidebar.multiselect(
        text("counties", lang),
        counties["county"].tolist(),
        default=[],
        placeholder=text("all_counties", lang),
        key="counties",
        bind="query-params",
    )
    within = st.sidebar.checkbox(
        text("rank_within", lang), value=False, key="rank_within", disabled=not names, bind="query-params"
    )
    codes = counties.set_index("county")["county_code"]
    filters = Filters(lang, start, end, tuple(int(codes[n]) for n in names), tuple(names), bool(within and names))
    st.sidebar.caption(text("link_hint", lang))
    st.session_state[FILTERS_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The filters the entrypoint drew for this run.

    Streamlit decides on its first request whether ``pages/`` is an old-style pages folder, and then runs a
    requested page without ``app.py``. We switch that guess off: a new session reruns at once so ``app.py``
    and its ``st.navigation`` take over with the same address; otherwise (AppTest makes the same guess on
    every run, and a rerun would drop a button's click) the page draws the shared sidebar itself.
    """
    filters = st.session_state.pop(FILTERS_KEY, None)  # taken, so each page run needs this run's sidebar
    if filters is None:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        if not st.session_state:
            st.rerun()
        filters = sidebar_filters(language_picker())
        st.session_state.pop(FILTERS_KEY, None)
    return filters


def page_header(title_key: str, filters: Filters) -> None:
    """The page title with its period, and the demo label wherever demo data is shown."""
    st.title(text(title_key, filters.lang, period=filters.period))
    if cache.dataset_label():
        st.caption(f":orange-badge[{text('demo_badge', filters.lang)}] {text('demo_note', filters.lang)}")


def ranking_scope_note(filters: Filters, pool_size: int) -> None:
    key = "ranked_among_selected" if filters.rank_within_selection else "ranked_among_all"
    st.caption(text(key, filters.lang, n=pool_size))


FLAG_DEFAULTS = FlagSettings()


@dataclass(frozen=True)
class PageData:
    measures: pd.DataFrame
    previous: pd.DataFrame
    gaps: pd.DataFrame
    view: CountyView


@dataclass(frozen=True)
class Threshold:
    """One flag threshold as the flags page shows it; percentages are shown as whole numbers of per cent."""

    setting: str
    low: int
    high: int
    step: int = 1
    percent: bool = False

    @property
    def key(self) -> str:
        return f"flag_{self.setting}"

    def shown(self, value: float) -> int:
        return round(value * 100) if self.percent else int(value)

    def stored(self, shown: float) -> float:
        return shown / 100 if self.percent else shown


THRESHOLDS = (
    Threshold("bottom_places", 0, 20),
    Threshold("rate_share", 0, 100, 5, percent=True),
    Threshold("fall_margin", 0, 100, 5, percent=True),
    Threshold("fall_minimum_base", 0, 10_000),
)
SWITCHES = ("flag_zero", "flag_entry_gaps")


def flag_settings() -> FlagSettings:
    """The thresholds set on the flags page (kept for the session), else the defaults."""
    state = st.session_state
    values: dict[str, object] = {
        t.setting: t.stored(state.get(t.key, t.shown(getattr(FLAG_DEFAULTS, t.setting)))) for t in THRESHOLDS
    }
    values["bottom_places"] = int(values["bottom_places"])  # type: ignore[call-overload]
    values.update({switch: bool(state.get(switch, getattr(FLAG_DEFAULTS, switch))) for switch in SWITCHES})
    return FlagSettings(**values)  # type: ignore[arg-type]


def threshold_inputs(lang: str) -> None:
    """The flags page's settings: one input per threshold and a switch per optional flag, kept for the session."""
    for column, threshold in zip(st.columns(len(THRESHOLDS)), THRESHOLDS, strict=True):
        label = text(threshold.setting, lang) + (" (%)" if threshold.percent else "")
        column.number_input(
            label,
            threshold.low,
            threshold.high,
            threshold.shown(getattr(FLAG_DEFAULTS, threshold.setting)),
            step=threshold.step,
            key=threshold.key,
            persist_state="session",
        )
    for switch in SWITCHES:
        st.checkbox(text(switch, lang), getattr(FLAG_DEFAULTS, switch), key=switch, persist_state="session")


def page_data(filters: Filters) -> PageData:
    """The period's figures, last year's, the entry gaps and the ranking view, all from the cache."""
    measures = cache.county_measures(filters.start, filters.end)
    previous = cache.last_year_measures(filters.start, filters.end)
    gaps = cache.rectification_gaps(filters.start, filters.end)
    view = cache.county_view(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, flag_settings(), filters.lang
    )
    return PageData(measures, previous, gaps, view)


def stop_if_empty(data: PageData, filters: Filters) -> None:
    """A sentence instead of a page when the period has no data at all."""
    if cache.counties().empty:
        st.info(text("no_counties", filters.lang))
        st.stop()
    if not data.view.has_data:
        st.info(text("no_data", filters.lang, period=filters.period))
        st.stop()


def source_notes(data: PageData, filters: Filters) -> None:
    """Say which counties' figures are not from records, so every figure can be traced."""
    shown = data.measures[data.measures["county_code"].isin(data.view.shown["county_code"])]
    for source, key in (("summary", "summary_source"), ("none", "none_source")):
        names = shown.loc[shown["source"] == source, "county"].tolist()
        if names:
            st.caption(text(key, filters.lang, period=filters.period, names="、".join(names)))


def ranking_column_widths(lang: str) -> dict[str, st.column_config.Column]:
    """Narrow columns and short headings (the full heading on hover), so the attachment fits a laptop screen.

    The table's own column names stay the attachment's, so downloads and tests see those.
    """
    names = ranking_columns(lang)
    narrow = [key for key in names if key == "overall_rank" or key.endswith(("_rank", "_points"))]
    config = {names[key]: st.column_config.Column(width=68) for key in narrow}
    config[names["county"]] = st.column_config.Column(width=72)
    config[names["total_points"]] = st.column_config.Column(
        text("total_short", lang), width=72, help=names["total_points"]
    )
    for measure in ("inspections", "cases"):
        config[names[measure]] = st.column_config.Column(
            text(f"{measure}_heading", lang), width=90, help=names[measure]
        )
    config[names["fines"]] = st.column_config.NumberColumn(
        text("fines_heading", lang), width=100, help=names["fines"], format="%.2f"
    )
    return config


def follow_selected_row(rows: list[int], counties: list[str]) -> None:
    """Clicking a county's row in the ranking shows its records: the row choice moves the county picker once."""
    chosen = counties[rows[0]] if rows and rows[0] < len(counties) else None
    if chosen is not None and st.session_state.get("_traced_row") != chosen:
        st.session_state["trace_county"] = chosen
    st.session_state["_traced_row"] = chosen


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(
    name: str,
    sheets: dict[str, pd.DataFrame],
    key: str,
    lang: str,
    flag_column: str | None = None,
    attachment: tuple[pd.DataFrame, ScoringRule, str, int, str] | None = None,
    float_format: str | None = None,
) -> None:
    """CSV of the main table, a formatted workbook of the whole view and a raw one; built only when clicked."""
    first = next(iter(sheets.values()))
    left, middle, right = st.columns(3)
    left.download_button(
        text("download_csv", lang),
        lambda: csv_bytes(first, float_format),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    middle.download_button(
        text("download_xlsx", lang),
        lambda: workbook(sheets, True, flag_column, attachment),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        key=f"{key}_xlsx",
        on_click="ignore",
    )
    right.download_button(
        text("download_raw", lang),
        lambda: workbook(sheets, False),
        file_name=f"{name}（原始数据）.xlsx",
        mime=XLSX,
        key=f"{key}_raw",
        on_click="ignore",
    )


def chart_download(figure: go.Figure, name: str, key: str, lang: str) -> None:
    """A print-quality PNG of a chart, drawn when clicked."""
    st.download_button(
        text("download_png", lang),
        lambda: figure_png(figure),
        file_name=f"{name}.png",
        mime="image/png",
        key=key,
        on_click="ignore",
    )


SHADE_ROWS_UP_TO = 300  # pandas' Styler costs about 0.15 s per 1,000 rows; past this the 预警 column marks them


def shade_flagged_rows(table: pd.DataFrame, flag_column: str) -> pd.DataFrame | Styler:
    """Flagged rows shaded red (for a city or a province); a national table relies on its 预警 column."""
    if len(table) > SHADE_ROWS_UP_TO:
        return table
    fines = [column for column in table.columns if "万元" in str(column) or "10k yuan" in str(column)]
    return table.style.apply(
        lambda row: ["background-color: #fde2e1" if row[flag_column] else ""] * len(row), axis=1
    ).format({column: "{:.2f}" for column in fines}, na_rep="—")


MAP_CLICK_KEY = "_map_clicked"
MAP_LAST_CLICK_KEY = "_map_last_click"


def take_map_click(options: list[str]) -> None:
    """A county clicked on the overview map joins the county filter; runs before the filter widget is drawn."""
    clicked = st.session_state.pop(MAP_CLICK_KEY, None)
    chosen = list(st.session_state.get("counties", []))
    if clicked in options and clicked not in chosen:
        st.session_state["counties"] = [*chosen, clicked]


def remember_map_click(event: Mapping[str, Any] | None) -> None:
    """Note a newly clicked county and rerun: the sidebar filter, drawn earlier in this run, takes it next run.

    A selection stays in the chart's state after the rerun, so only a change of the clicked county counts.
    """
    points = list(event["selection"]["points"]) if event else []
    names = [point.get("customdata") for point in points]
    clicked = next((str(name[0] if isinstance(name, list) else name) for name in names if name), None)
    if clicked == st.session_state.get(MAP_LAST_CLICK_KEY):
        return
    st.session_state[MAP_LAST_CLICK_KEY] = clicked
    if clicked is not None:
        st.session_state[MAP_CLICK_KEY] = clicked
        st.rerun()


def map_coverage_note(boundaries: dict[str, Any], lang: str, listed: int = 10) -> None:
    """One line naming counties without a boundary and boundaries without a county, so a gap is never silent."""
    without_boundary, without_county = match_boundaries(boundaries, cache.counties())
    parts = [
        text(key, lang, names="、".join(names[:listed]) + ("…" if len(names) > listed else ""))
        for key, names in (("map_no_boundary", without_boundary), ("map_no_county", without_county))
        if names
    ]
    if parts:
        st.caption("；".join(parts) + "。")


def figures_page(title_key: str) -> tuple[Filters, PageData]:
    """How every page of figures starts: this run's filters, the title, the data, or a sentence when there is none."""
    filters = current_filters()
    page_header(title_key, filters)
    data = page_data(filters)
    stop_if_empty(data, filters)
    return filters, data
