"""图表分析: inspections against fines, each measure by county, monthly trends and this period against last year."""

import streamlit as st

from dashboard import cache
from dashboard.charts import LABEL_ALL_UP_TO, inspections_fines_scatter, measure_bars, monthly_trend, year_on_year_bars
from dashboard.layout import current_filters, page_data, page_header, ranking_scope_note, stop_if_empty
from dashboard.text import text

MEASURES = ["inspections", "cases", "fines"]
TREND_COUNTIES = 12

filters = current_filters()
lang = filters.lang
page_header("charts", filters)
data = page_data(filters)
stop_if_empty(data, filters)
view = data.view
ranking_scope_note(filters, view.pool_size)


def measure_picker(label_key: str, key: str) -> str:
    return st.radio(text(label_key, lang), MEASURES, format_func=lambda m: text(m, lang), horizontal=True, key=key)


st.plotly_chart(inspections_fines_scatter(view.shown, view.scored, lang), key="scatter_chart", width="stretch")
if len(view.shown) > LABEL_ALL_UP_TO:
    st.caption(text("labels_limited", lang))

bars_measure = measure_picker("bars_measure", "bars_measure")
st.plotly_chart(measure_bars(view.shown, bars_measure, lang), key="bars_chart", width="stretch")

monthly = cache.monthly_series(filters.start, filters.end)
trend_measure = measure_picker("trend_chart_measure", "trend_measure")
counties = view.shown.sort_values("overall_rank")["county"].head(TREND_COUNTIES).tolist()
monthly = monthly[monthly["county"].isin(counties)]
if monthly.empty:
    st.info(text("no_monthly", lang))
else:
    st.plotly_chart(monthly_trend(monthly, trend_measure, counties, lang), key="trend_chart", width="stretch")

yoy_measure = measure_picker("yoy_measure", "yoy_measure")
current = data.measures[data.measures["county_code"].isin(view.shown["county_code"])]
if (data.previous["source"] == "none").all():
    st.info(text("no_last_year", lang))
else:
    st.plotly_chart(year_on_year_bars(current, data.previous, yoy_measure, lang), key="yoy_chart", width="stretch")
