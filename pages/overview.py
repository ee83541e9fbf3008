"""总览: the city's totals with 同比, the strongest and weakest counties, and the monthly trend."""

import streamlit as st

from dashboard import cache
from dashboard.layout import (
    chart_download,
    figures_page,
    map_coverage_note,
    ranking_scope_note,
    remember_map_click,
    source_notes,
    table_downloads,
)
from records.geo import BoundaryError
from report.analysis import best_and_weakest, best_and_weakest_table, city_summary_sentence, city_totals_table
from report.charts import MAP_MEASURES, county_map, monthly_trend
from report.text import text
from scoring.output import format_count, format_fines

filters, data = figures_page("overview_title")
lang = filters.lang

totals = cache.city_totals(filters.start, filters.end).set_index("measure")
st.markdown(city_summary_sentence(totals.reset_index(), filters.period, lang))
for column, measure in zip(st.columns(5), totals.index, strict=True):
    current, change = totals.at[measure, "current"], totals.at[measure, "change"]
    column.metric(
        text(measure, lang),
        format_fines(current) if measure == "fines" else format_count(current),
        delta=None if change != change else f"{change * 100:+.1f}% {text('year_on_year', lang)}",
    )

best, weakest = best_and_weakest(data.view.shown)
left, right = st.columns(2)
for column, title, rows in ((left, "best_three", best), (right, "weakest_three", weakest)):
    with column.container(border=True):
        st.subheader(text(title, lang))
        for _, row in rows.iterrows():
            line = text(
                "place_line",
                lang,
                place=int(row["overall_rank"]),
                county=row["county"],
                points=f"{row['total_points']:g}",
            )
            st.markdown(f"{line}　{'⚠ ' + row['flags'] if row['flags'] else ''}")
ranking_scope_note(filters, data.view.pool_size)
source_notes(data, filters)

st.subheader(text("map_title", lang))
try:
    boundaries = cache.county_boundaries()
except BoundaryError as error:
    st.caption(text("map_unavailable", lang, error=error))
else:
    colour_by = st.radio(
        text("map_colour_by", lang),
        list(MAP_MEASURES),
        format_func=lambda m: text(MAP_MEASURES[m], lang),
        horizontal=True,
        key="map_colour_by",
    )
    county_figure = county_map(data.view.shown, boundaries, colour_by, lang, data.view.scored)
    clicked = st.plotly_chart(
        county_figure, key="county_map", width="stretch", on_select="rerun", selection_mode="points"
    )
    remember_map_click(clicked)
    map_coverage_note(boundaries, lang)
    st.caption(text("map_click_hint", lang))
    chart_download(county_figure, text("map_title", lang), "county_map_png", lang)

st.subheader(text("monthly_trend", lang))
monthly = cache.monthly_series(filters.start, filters.end)
if filters.selected_codes:
    monthly = monthly[monthly["county_code"].isin(filters.selected_codes)]
if monthly.empty:
    st.info(text("no_monthly", lang))
else:
    measure = st.radio(
        text("trend_measure", lang),
        ["inspections", "cases", "fines"],
        format_func=lambda m: text(m, lang),
        horizontal=True,
        key="overview_trend_measure",
    )
    trend = monthly_trend(monthly, measure, None, lang)
    st.plotly_chart(trend, key="overview_trend_chart", width="stretch")
    chart_download(trend, text("monthly_trend", lang), "overview_trend_png", lang)

table_downloads(
    text("overview_title", lang, period=filters.period),
    {
        text("totals_sheet", lang): city_totals_table(totals.reset_index(), lang),
        text("best_weak_sheet", lang): best_and_weakest_table(data.view.shown, lang),
    },
    "overview_download",
    lang,
)
