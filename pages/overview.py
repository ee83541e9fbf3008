"""总览: the city's totals with 同比, the strongest and weakest counties, and the monthly trend."""

import streamlit as st

from dashboard import cache
from dashboard.analysis import best_and_weakest, city_summary_sentence
from dashboard.charts import monthly_trend
from dashboard.layout import current_filters, page_data, page_header, ranking_scope_note, source_notes, stop_if_empty
from dashboard.text import text
from scoring.output import format_count, format_fines

filters = current_filters()
lang = filters.lang
page_header("overview_title", filters)
data = page_data(filters)
stop_if_empty(data, filters)

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
    st.plotly_chart(monthly_trend(monthly, measure, None, lang), key="overview_trend_chart", width="stretch")
