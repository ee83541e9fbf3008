"""图表分析: inspections against fines, each measure by county, monthly trends and this period against last year."""

import streamlit as st

from dashboard import cache
from dashboard.layout import (
    chart_download,
    figures_page,
    pool_rows,
    ranking_scope_note,
    table_downloads,
    view_key,
)
from report.analysis import monthly_table, ranking_table
from report.charts import (
    BARS_EACH_END,
    LABEL_ALL_UP_TO,
    inspections_fines_scatter,
    measure_bars,
    monthly_trend,
    year_on_year_bars,
)
from report.text import measure_heading, text

MEASURES = ["inspections", "cases", "fines"]
TREND_COUNTIES = 12

filters, data = figures_page("charts")
lang = filters.lang
view = data.view
ranking_scope_note(filters, view.pool_size)


def measure_picker(label_key: str, key: str, measures: list[str] = MEASURES) -> str:
    """A measure radio; the bar chart offers the scheme's measures (their ranks and points are in the ranking)."""
    if st.session_state.get(key) not in measures:
        st.session_state.pop(key, None)  # a measure of another scheme: back to the first
    return st.radio(
        text(label_key, lang), measures, format_func=lambda m: measure_heading(m, lang), horizontal=True, key=key
    )


def show(figure, key: str, name: str) -> None:  # type: ignore[no-untyped-def]
    st.plotly_chart(figure, key=key, width="stretch")
    chart_download(figure, name, f"{key}_png", filters)


shown_key = view_key(filters)
show(
    cache.shared_figure(
        "scatter", shown_key, lambda: inspections_fines_scatter(view.shown, view.scored, lang, view.pool_scope(lang))
    ),
    "scatter_chart",
    text("scatter_title", lang),
)
if len(view.shown) > LABEL_ALL_UP_TO:
    st.caption(text("labels_limited", lang))
if len(view.shown) > 2 * BARS_EACH_END:
    st.caption(text("bars_limited", lang, n=BARS_EACH_END, m=2 * BARS_EACH_END))


# Each chart with its own measure picker is a fragment: a measure change reruns that chart, not the page.
@st.fragment
def bars_chart() -> None:
    measure = measure_picker("bars_measure", "bars_measure", [m.column for m in view.rule.measures])
    figure = cache.shared_figure(f"bars_{measure}", shown_key, lambda: measure_bars(view.shown, measure, lang))
    show(figure, "bars_chart", measure_heading(measure, lang))


bars_chart()

monthly = cache.monthly_series(filters.start, filters.end)
counties = view.shown.sort_values("overall_rank")["county"].head(TREND_COUNTIES).tolist()
monthly = monthly[monthly["county"].isin(counties)]


@st.fragment
def trend_chart() -> None:
    measure = measure_picker("trend_chart_measure", "trend_measure")
    if monthly.empty:
        st.info(text("no_monthly", lang))
        return
    figure = cache.shared_figure(f"trend_{measure}", shown_key, lambda: monthly_trend(monthly, measure, counties, lang))
    show(figure, "trend_chart", text("monthly_trend", lang))


trend_chart()
current = data.measures[data.measures["county_code"].isin(view.shown["county_code"])]


@st.fragment
def year_on_year_chart() -> None:
    measure = measure_picker("yoy_measure", "yoy_measure")
    if (data.previous["source"] == "none").all():
        st.info(text("no_last_year", lang))
        return
    figure = cache.shared_figure(
        f"yoy_{measure}", shown_key, lambda: year_on_year_bars(current, data.previous, measure, lang)
    )
    show(figure, "yoy_chart", text("year_on_year", lang))


year_on_year_chart()

shown_ranking = pool_rows(
    "ranking_table", filters, data, lambda pool: (pool.shown["county_code"], ranking_table(pool.shown, lang, view.rule))
)
table_downloads(
    f"{filters.period}{text('charts', lang)}",
    {
        text("chart_data_sheet", lang): shown_ranking,
        text("monthly_sheet", lang): cache.shared("monthly_sheet", shown_key, lambda: monthly_table(monthly, lang)),
    },
    "charts_download",
    lang,
    flag_column=text("flag_column", lang),
    float_format="%.2f",
    scheme=data.scheme_note(lang),
)
