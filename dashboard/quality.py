"""The 执法质量 section of the flags page and its thresholds (Streamlit glue; the maths is ``scoring.quality``).

The thresholds are set on the flags page and kept for the session; the ranking's 质量 column, the map and the
bulletin read them through ``quality_settings``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.layout import (
    Filters,
    PageData,
    Threshold,
    pool_rows,
    table_downloads,
    threshold_inputs,
    threshold_values,
    view_key,
)
from records.audit import AuditEntry
from report.exports import csv_bytes
from report.quality import (
    RECORD_KINDS,
    QualityView,
    quality_record_table,
    quality_table,
    signal_choices,
    too_few_lines,
)
from report.safe import md
from report.text import text
from scoring.quality import SIGNAL_TITLES, QualitySettings

QUALITY_DEFAULTS = QualitySettings()
RECORDS_LIMIT = 1000


def _threshold(setting: str, low: int, high: int, step: int = 1, percent: bool = False) -> Threshold:
    return Threshold(setting, low, high, step, percent, prefix="quality", defaults=QUALITY_DEFAULTS)


QUALITY_THRESHOLDS = (
    _threshold("revisit_margin", 1, 100, 5, percent=True),
    _threshold("rush_margin", 1, 100, 5, percent=True),
    _threshold("no_hazard_margin", 1, 100, 5, percent=True),
    _threshold("overdue_margin", 1, 100, 5, percent=True),
    _threshold("concentration_margin", 1, 100, 5, percent=True),
    _threshold("random_margin", 1, 100, 5, percent=True),
    _threshold("rush_ratio", 100, 1000, 10, percent=True),
    _threshold("revisit_days", 1, 365),
    _threshold("overdue_days", 1, 730),
    _threshold("minimum_inspections", 1, 100_000),
    _threshold("minimum_judged_cases", 1, 100_000),
    _threshold("minimum_fined_cases", 4, 100_000),  # with three or fewer, the three largest are all the fines
)


def quality_settings() -> QualitySettings:
    """The quality thresholds set on the flags page (kept for the session), else the defaults."""
    values = threshold_values(QUALITY_THRESHOLDS)
    whole = {t.setting for t in QUALITY_THRESHOLDS if not t.percent}
    return QualitySettings(**{k: int(v) if k in whole else float(v) for k, v in values.items()})  # type: ignore[arg-type]


def _follow_selected_row(rows: list[int], options: list[str]) -> None:
    """A click on a signal's row shows its records: the row choice moves the record picker once."""
    chosen = options[rows[0]] if rows and rows[0] < len(options) else None
    if chosen is not None and st.session_state.get("_quality_row") != chosen:
        st.session_state["quality_pick"] = chosen
    st.session_state["_quality_row"] = chosen


def quality_section(filters: Filters, data: PageData) -> None:
    """执法质量: the thresholds, the flagged signals with their figures and sentences, 样本不足 said per signal, the
    records behind a chosen signal, every signal on demand, and downloads."""
    lang = filters.lang
    st.subheader(text("quality_title", lang))
    # Its twelve inputs are drawn only while it is open (its own rerun on opening); their values are kept for the
    # session either way.
    panel = st.expander(text("quality_settings", lang), key="quality_settings", on_change="rerun")
    if panel.open:
        with panel:
            threshold_inputs(lang, QUALITY_THRESHOLDS, (), per_row=4)
    settings = quality_settings()
    view = cache.quality_view(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, settings, lang
    )
    st.caption(text("quality_help", lang, pool=view.pool))
    flagged = view.flagged
    shown_key = (*view_key(filters), settings)
    pool = cache.quality_view(filters.start, filters.end, filters.pool_codes, bool(filters.pool_codes), settings, lang)

    def shown_rows(name: str, signals: pd.DataFrame) -> pd.DataFrame:
        """The table of the pool's ``signals``, built once per pool, with the rows of the counties shown."""

        def build(_: object) -> tuple[pd.Series, pd.DataFrame]:
            return signals["county_code"], quality_table(signals, pool.pool, lang)

        return pool_rows(name, filters, data, build, (settings,))

    table = shown_rows("quality_table", pool.flagged)
    if flagged.empty:
        st.success(text("quality_none", lang))
    else:
        st.markdown(text("quality_count", lang, n=len(flagged)))
        event = st.dataframe(
            cache.arrow(table),
            key="quality_table",
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                text("quality_value", lang): st.column_config.NumberColumn(format="%.1f"),
                text("quality_city_value", lang, pool=view.pool): st.column_config.NumberColumn(format="%.1f"),
            },
        )
        _records_behind(view, filters, settings, event.selection.rows)
    for line in cache.shared("quality_too_few", shown_key, lambda: too_few_lines(view, lang)):
        st.caption(md(line))
    everything = shown_rows("quality_all", pool.signals)
    # Drawn only while open (its own rerun on opening): below the fold, and every page run would send it.
    every_signal = st.expander(text("quality_all", lang), key="quality_all", on_change="rerun")
    if every_signal.open:
        every_signal.dataframe(cache.arrow(everything), key="quality_all_table", hide_index=True, width="stretch")
    table_downloads(
        f"{filters.period}{text('quality_title', lang)}" if lang == "zh" else f"Enforcement quality, {filters.period}",
        {text("quality_sheet", lang): table, text("quality_all", lang): everything},
        "quality_download",
        lang,
    )


def _records_behind(view: QualityView, filters: Filters, settings: QualitySettings, rows: list[int]) -> None:
    lang = filters.lang
    choices = signal_choices(view, lang)
    options = [f"{signal}:{code}" for signal, code in choices.values()]
    labels = dict(zip(options, choices, strict=True))
    _follow_selected_row(rows, options)
    if st.session_state.get("quality_pick") not in options:
        st.session_state.pop("quality_pick", None)
    picked = st.selectbox(text("quality_records", lang), options, format_func=labels.__getitem__, key="quality_pick")
    signal, code = choices[labels[picked]]
    records = cache.quality_records(signal, code, filters.start, filters.end, RECORDS_LIMIT, settings)
    county = view.flagged.loc[view.flagged["county_code"] == code, "county"].iloc[0]
    kind = text(f"kind_{RECORD_KINDS[signal]}", lang)
    picked_key = (*view_key(filters), settings, signal, code)
    shown = cache.shared("quality_records", picked_key, lambda: quality_record_table(records, signal, lang))
    with st.container(key="quality_records"):  # records are data: their text is the file's, in any language
        title = SIGNAL_TITLES[lang][signal]
        caption = text("quality_records_caption", lang, county=county, title=title, kind=kind, n=len(records))
        st.markdown(f"**{md(caption)}**")
        st.dataframe(cache.arrow(shown), key="quality_records_table", hide_index=True, height="auto")
        file_name = f"{filters.period}{county}{title}.csv"
        entry = AuditEntry("record_download", file_name=file_name, county=county, row_count=len(shown), details=signal)
        st.download_button(
            text("quality_records_download", lang),
            cache.audited_download(lambda: csv_bytes(shown, "%.2f"), entry),
            file_name=file_name,
            mime="text/csv",
            key="quality_records_csv",
            on_click="ignore",
        )
    if len(records) == RECORDS_LIMIT:
        st.caption(text("trace_limited", lang, n=RECORDS_LIMIT))
