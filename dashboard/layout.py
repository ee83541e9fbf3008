"""Page layout helpers shared by the pages: header, notes, tables, downloads, flag thresholds, the map click.

Every piece of text that came from a file goes through ``report.safe.md`` before Streamlit's Markdown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.runs import long_work
from dashboard.sidebar import MAP_CLICK_KEY, Filters, current_filters
from records.audit import AuditEntry
from records.geo import match_boundaries
from records.schemes import StoredScheme, built_in_scheme
from report.analysis import CountyView, ranking_columns
from report.charts import title_of, with_period
from report.exports import csv_bytes, figure_png, workbook
from report.safe import md
from report.schemes import SchemeNote, scheme_note
from report.text import ATTACHMENT_MEASURES, measure_heading, measure_short, text
from scoring import CATALOGUE, ScoringRule
from scoring.flags import FlagSettings

__all__ = ["Filters", "current_filters"]


def page_header(title_key: str, filters: Filters, **values: object) -> None:
    """The page title with its period, a line for each value of the link that could not be read, and the demo
    label wherever demo data is shown."""
    st.title(text(title_key, filters.lang, period=filters.period, **values))
    for note in filters.link_notes:
        st.warning(md(note), icon=":material/link_off:")
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
    pool: CountyView  # the same ranking with every county of the pool shown
    scheme: StoredScheme | None

    def scheme_note(self, lang: str) -> SchemeNote:
        """The scheme and version that produced the page's figures, and its 得分说明."""
        return scheme_note(self.scheme or built_in_scheme(), self.view.pool_size, lang)


@dataclass(frozen=True)
class Threshold:
    """One flag threshold as the flags page shows it; percentages are shown as whole numbers of per cent.

    ``defaults`` is the settings object the default comes from, ``prefix`` starts the widget's key.
    """

    setting: str
    low: int
    high: int
    step: int = 1
    percent: bool = False
    prefix: str = "flag"
    defaults: Any = FLAG_DEFAULTS

    @property
    def key(self) -> str:
        return f"{self.prefix}_{self.setting}"

    def default(self) -> int:
        return self.shown(getattr(self.defaults, self.setting))

    def shown(self, value: float) -> int:
        return round(value * 100) if self.percent else int(value)

    def stored(self, shown: float) -> float:
        return shown / 100 if self.percent else shown

    def label(self, lang: str) -> str:
        return text(self.setting, lang) + (" (%)" if self.percent else "")


THRESHOLDS = (
    Threshold("bottom_places", 0, 20),
    Threshold("rate_share", 0, 100, 5, percent=True),
    Threshold("fall_margin", 0, 100, 5, percent=True),
    Threshold("fall_minimum_base", 0, 10_000),
)
SWITCHES = ("flag_zero", "flag_entry_gaps")


def _accepted(threshold: Threshold) -> tuple[int, int | None]:
    """The threshold in use and, when the reader typed more than its maximum, the refused value.

    A refused value is never quietly clipped or reset: the last accepted value stays in use and the page says so.
    """
    state = st.session_state
    accepted_key = f"_accepted_{threshold.key}"
    default = threshold.default()
    typed = state.get(threshold.key, default)
    if threshold.low <= typed <= threshold.high:
        state[accepted_key] = typed
        return int(typed), None
    return int(state.get(accepted_key, default)), int(typed)


def threshold_values(thresholds: tuple[Threshold, ...]) -> dict[str, float]:
    """Each threshold's accepted value in its settings' own units (a fraction for a percentage)."""
    return {threshold.setting: threshold.stored(_accepted(threshold)[0]) for threshold in thresholds}


def flag_settings() -> FlagSettings:
    """The thresholds set on the flags page (kept for the session), else the defaults."""
    state = st.session_state
    values: dict[str, object] = {t.setting: t.stored(_accepted(t)[0]) for t in THRESHOLDS}
    values["bottom_places"] = int(values["bottom_places"])  # type: ignore[call-overload]
    values.update({switch: bool(state.get(switch, getattr(FLAG_DEFAULTS, switch))) for switch in SWITCHES})
    return FlagSettings(**values)  # type: ignore[arg-type]


def threshold_inputs(
    lang: str, thresholds: tuple[Threshold, ...] = THRESHOLDS, switches: tuple[str, ...] = SWITCHES, per_row: int = 0
) -> None:
    """The flags page's settings: one input per threshold and a switch per optional flag, kept for the session.

    The inputs take any whole number from the lowest value up, so that a value above the maximum reaches us and
    is refused in words instead of being reset without a word by the browser. ``per_row`` inputs share a row
    (all of them in one row by default).
    """
    per_row = per_row or len(thresholds)
    columns = [column for first in range(0, len(thresholds), per_row) for column in st.columns(per_row)]
    for column, threshold in zip(columns, thresholds, strict=False):
        if threshold.key not in st.session_state:
            st.session_state[threshold.key] = threshold.default()
        column.number_input(
            threshold.label(lang),
            min_value=threshold.low,
            step=threshold.step,
            key=threshold.key,
            persist_state="session",
        )
    for threshold in thresholds:
        kept, refused = _accepted(threshold)
        if refused is not None:
            st.error(
                text(
                    "threshold_too_high",
                    lang,
                    label=threshold.label(lang),
                    high=threshold.high,
                    value=refused,
                    kept=kept,
                )
            )
    for switch in switches:
        st.session_state.setdefault(switch, getattr(FLAG_DEFAULTS, switch))
        st.checkbox(text(switch, lang), key=switch, persist_state="session")


def page_data(filters: Filters) -> PageData:
    """The period's figures, last year's, the entry gaps and the ranking view, all from the cache."""
    measures = cache.county_measures(filters.start, filters.end)
    previous = cache.last_year_measures(filters.start, filters.end)
    gaps = cache.rectification_gaps(filters.start, filters.end)
    settings = flag_settings()
    view = cache.county_view(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, settings, filters.lang
    )
    pool = cache.county_view(
        filters.start, filters.end, filters.pool_codes, filters.rank_within_selection, settings, filters.lang
    )
    return PageData(measures, previous, gaps, view, pool, cache.scheme_for(filters.end))


def scheme_caption(data: PageData, lang: str) -> None:
    """Which scheme and version produced the page's figures (every page of figures says so)."""
    st.caption(text("scheme_line", lang, scheme=md(data.scheme_note(lang).label)))


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
    for line in cache.shared("source_notes", view_key(filters), lambda: _source_lines(data, filters)):
        st.caption(line)


def _source_lines(data: PageData, filters: Filters) -> list[str]:
    shown = data.measures[data.measures["county_code"].isin(data.view.shown["county_code"])]
    joiner = "、" if filters.lang == "zh" else ", "
    lines = []
    for source, key in (("summary", "summary_source"), ("none", "none_source")):
        names = shown.loc[shown["source"] == source, "county"].tolist()
        if names:
            lines.append(text(key, filters.lang, period=filters.period, names=md(joiner.join(names))))
    summaries = shown[shown["source"] == "summary"]
    for measure in data.view.rule.measures:  # a summary-only county has no value for a measure its summary lacks
        names = summaries.loc[summaries[measure.column].isna(), "county"].tolist() if measure.column in shown else []
        if names:
            heading = md(measure_heading(measure, filters.lang))
            lines.append(text("summary_lacks", filters.lang, measure=heading, names=md(joiner.join(names))))
    return lines


RANKING_WIDTHS = {  # pixels; the grid widens them all in proportion to fill a wider screen
    "overall_rank": 44,
    "county": 64,
    "total_points": 46,
    "inspections": 46,
    "cases": 46,
    "fines": 52,
    "rank": 42,
    "points": 42,
    "flags": 220,
    "source": 72,
    "quality": 64,  # the 质量 marks; taken from the 预警 column's share, so the whole still fits
}


def ranking_column_config(table: pd.DataFrame, lang: str, rule: ScoringRule | None = None) -> dict[str, Any]:
    """Narrow columns under short headings (the attachment's full heading on hover), 名次 and 单位 pinned, and the
    预警 reasons in a few words, so the whole attachment fits a 1280-pixel laptop screen (about 820 pixels of
    table beside the sidebar: these widths add up to 730 with the row selector).

    The table's own column names stay the attachment's, so downloads and tests see those.
    """
    rule = rule or ScoringRule()
    names = ranking_columns(lang, rule)
    column = st.column_config.Column
    width = RANKING_WIDTHS
    source_width = width["source"] if names["source"] in table.columns else 0  # the source column takes its share
    quality = text("quality_column", lang)
    quality_width = width["quality"] if quality in table.columns else 0  # and so do the 质量 marks
    config: dict[str, Any] = {
        names["overall_rank"]: column(
            text("place_short", lang), width=width["overall_rank"], pinned=True, help=names["overall_rank"]
        ),
        names["county"]: column(width=width["county"], pinned=True),
        names["total_points"]: column(
            text("total_short", lang), width=width["total_points"], help=names["total_points"]
        ),
        names["flags"]: column(
            width=width["flags"] - source_width - quality_width, help=text("flag_column_help", lang)
        ),
    }
    if quality_width:
        config[quality] = column(width=quality_width, help=text("quality_column_help", lang))
    for measure in (m.column for m in rule.measures):
        short = text(f"{measure}_heading", lang) if measure in ATTACHMENT_MEASURES else measure_short(measure, lang)
        decimals = CATALOGUE[measure].decimals
        config[names[measure]] = st.column_config.NumberColumn(
            short, width=width.get(measure, 52), help=names[measure], format=f"%.{decimals}f"
        )
        for part in ("rank", "points"):
            full = names[f"{measure}_{part}"]
            config[full] = column(text(f"{part}_short", lang), width=width[part], help=full)
    if source_width:
        config[names["source"]] = column(width=source_width)
    return config


def traceable_counties(shown: pd.DataFrame, lang: str) -> list[str]:
    """The counties whose records the ranking's record picker offers: all shown, or a county user's own.

    Only what the picker offers; the records themselves are scoped by the query, whatever county is asked for.
    """
    identity = cache.current_identity()
    pairs = zip(shown["county"], shown["county_code"], strict=True)
    names = [name for name, code in pairs if identity.may_see_records_of(int(code))]
    if identity.record_county is not None:
        key = "trace_own_county_only" if names else "trace_own_county_hidden"
        st.caption(text(key, lang, county=md(identity.county or "")))
    if st.session_state.get("trace_county") not in names:
        st.session_state.pop("trace_county", None)
    return names


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
    scheme: SchemeNote | None = None,
) -> None:
    """CSV of the main table, a formatted workbook of the whole view and a raw one; built only when clicked.

    ``scheme`` names the scheme and version that produced the figures: under the CSV's table and in both
    workbooks."""
    first = next(iter(sheets.values()))
    notes = scheme.lines() if scheme else []
    left, middle, right = st.columns(3)
    left.download_button(
        text("download_csv", lang),
        lambda: csv_bytes(first, float_format, notes),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    middle.download_button(
        text("download_xlsx", lang),
        lambda: workbook(sheets, True, flag_column, attachment, scheme),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        key=f"{key}_xlsx",
        on_click="ignore",
    )
    right.download_button(
        text("download_raw", lang),
        lambda: workbook(sheets, False, scheme=scheme),
        file_name=f"{name}（原始数据）.xlsx" if lang == "zh" else f"{name} (raw data).xlsx",
        mime=XLSX,
        key=f"{key}_raw",
        on_click="ignore",
    )


def view_key(filters: Filters) -> tuple[object, ...]:
    """Everything a page's figures depend on besides the data and the record scope: the view and the thresholds.

    With ``cache.shared_figure`` a figure is built once for this key and shared by every session."""
    return (
        filters.start,
        filters.end,
        filters.selected_codes,
        filters.selected_names,
        filters.rank_within_selection,
        filters.lang,
        flag_settings(),
    )


def pool_key(filters: Filters) -> tuple[object, ...]:
    """What a result of the whole ranking pool depends on besides the data: like ``view_key``, but the chosen
    counties count only when the ranking is among them."""
    return (filters.start, filters.end, filters.pool_codes, filters.lang, flag_settings())


@dataclass(frozen=True)
class PoolRows:
    """A table of the ranking pool's counties (``codes[i]`` is row i's county; a county may have several rows or
    none), built once per pool: a view shows its chosen counties' rows, in the table's order, without building the
    table again."""

    codes: tuple[int, ...]
    table: pd.DataFrame
    pool_counties: frozenset[int]

    def of(self, shown: pd.Series) -> pd.DataFrame:
        if self.pool_counties <= set(shown.to_numpy().tolist()):
            return self.table
        keep = pd.Index(self.codes).isin(shown.to_numpy())
        return self.table[keep].reset_index(drop=True)


def pool_rows(
    name: str,
    filters: Filters,
    data: PageData,
    build: Callable[[CountyView], tuple[pd.Series, pd.DataFrame]],
    depends: tuple[object, ...] = (),
) -> pd.DataFrame:
    """A table of the ranking pool (``build`` gives each row's county and the table, from the pool's view), with
    the rows of the counties this view shows; each built once per pool or view and shared by every session.
    ``depends`` is anything else the table depends on (thresholds of the page)."""

    def whole() -> PoolRows:
        codes, table = build(data.pool)
        return PoolRows(tuple(int(c) for c in codes), table, frozenset(data.pool.shown["county_code"].tolist()))

    rows = cache.shared(name, (*pool_key(filters), *depends, "pool"), whole)
    return cache.shared(name, (*view_key(filters), *depends), lambda: rows.of(data.view.shown["county_code"]))


def chart_download(figure: cache.SharedFigure, name: str, key: str, filters: Filters) -> None:
    """A print-quality PNG of a chart whose title names the period: a button draws it (a few seconds, with a
    spinner), then the download is offered next to it. A picture of an older view is never offered."""
    kept_key = f"_picture_{key}"
    # What the chart shows follows from the view, the data, the thresholds and the title (which names the measure);
    # hashing those is far cheaper than the figure's own JSON, a map's boundaries and all.
    shown = (filters, cache.data_version(), flag_settings(), title_of(figure.spec))
    fingerprint = hashlib.sha256(repr(shown).encode()).hexdigest()
    make = offer = st.container(horizontal=True)  # one block for both buttons, not three columns
    if make.button(text("make_png", filters.lang), key=f"{key}_make"):
        with offer, st.spinner(text("png_building", filters.lang)):
            try:
                with long_work():  # seconds in Chromium: the turn goes to another page run (dashboard.runs)
                    picture = figure_png(with_period(figure.spec, filters.period, filters.lang))
                st.session_state[kept_key] = (fingerprint, picture)
            except Exception:  # Kaleido needs Chromium; a failed picture must not take the page down
                st.session_state.pop(kept_key, None)
                offer.warning(text("png_failed", filters.lang))
    kept = st.session_state.get(kept_key)
    if kept is not None and kept[0] == fingerprint:
        offer.download_button(
            text("download_png", filters.lang),
            kept[1],
            file_name=f"{filters.period}{name}.png",
            mime="image/png",
            key=key,
            on_click="ignore",
            type="primary",
        )


def records_download(table: pd.DataFrame, name: str, kind: str, lang: str, county: str) -> None:
    """The records behind a figure as CSV, formulas neutralised (the table's own download is switched off); each
    download is in the audit trail with who, which county and how many rows."""
    label = text(f"kind_{kind}", lang)
    file_name = f"{name}{label}.csv" if lang == "zh" else f"{name} {label.lower()}.csv"
    entry = AuditEntry("record_download", file_name=file_name, county=county, row_count=len(table), details=kind)
    st.download_button(
        text("trace_download", lang, kind=label if lang == "zh" else label.lower()),
        cache.audited_download(lambda: csv_bytes(table, "%.2f"), entry),
        file_name=file_name,
        mime="text/csv",
        key=f"trace_{kind}_csv",
        on_click="ignore",
    )


MAP_LAST_CLICK_KEY = "_map_last_click"


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
    joiner = "、" if lang == "zh" else ", "
    parts = [
        text(key, lang, names=md(joiner.join(names[:listed]) + ("…" if len(names) > listed else "")))
        for key, names in (("map_no_boundary", without_boundary), ("map_no_county", without_county))
        if names
    ]
    if parts:
        st.caption(("；" if lang == "zh" else "; ").join(parts) + ("。" if lang == "zh" else "."))


def figures_page(title_key: str, **title_values: object) -> tuple[Filters, PageData]:
    """How every page of figures starts: this run's filters, the title, the data, or a sentence when there is none."""
    filters = current_filters()
    data = page_data(filters)
    page_header(title_key, filters, scope=data.view.scope(filters.lang), **title_values)
    stop_if_empty(data, filters)
    scheme_caption(data, filters.lang)
    return filters, data
