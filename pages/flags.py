"""预警: every flagged county with its reasons in sentences and the figures behind them; thresholds are settings."""

import streamlit as st

from dashboard.layout import (
    current_filters,
    page_data,
    page_header,
    ranking_scope_note,
    stop_if_empty,
    table_downloads,
    threshold_inputs,
)
from report.analysis import flag_figures, flags_table
from report.text import text
from scoring.flags import FLAG_TITLES

FLAG_CARDS = 30  # past this many counties, the rest are listed in a table that scrolls

filters = current_filters()
lang = filters.lang
page_header("flags_title", filters)

with st.expander(text("flags_settings", lang), expanded=True):
    threshold_inputs(lang)

data = page_data(filters)
stop_if_empty(data, filters)
view = data.view
ranking_scope_note(filters, view.pool_size)

if view.flags.empty:
    st.success(text("no_flags", lang))
    st.stop()

flagged_counties = view.flags["county_code"].unique()
st.markdown(text("flag_count", lang, n=len(flagged_counties)))
places = view.scored.set_index("county_code")["overall_rank"]
carded = view.flags[view.flags["county_code"].isin(flagged_counties[:FLAG_CARDS])]
for code, county_flags in carded.groupby("county_code", sort=False):
    place = places.get(code)
    heading = county_flags["county"].iloc[0]
    if place is not None and place == place:
        heading += f"（{text('overall_rank', lang)} {int(place)}）"
    with st.container(border=True):
        st.markdown(f"#### ⚠ {heading}")
        for _, flag in county_flags.iterrows():
            st.markdown(f"- **{FLAG_TITLES[lang][flag['flag']]}**：{flag['reason']}")
if len(flagged_counties) > FLAG_CARDS:
    st.caption(text("more_flags", lang, n=FLAG_CARDS))
    st.dataframe(flags_table(view.flags, lang), hide_index=True, width="stretch", height=400)

st.subheader(text("flag_figures", lang))
figures = flag_figures(view, data.previous, data.gaps).drop(columns=["county_code"])
labels = {
    "county": text("county", lang),
    "overall_rank": text("overall_rank", lang),
    "total_points": text("total_points", lang),
    "inspections": text("inspections", lang),
    "cases": text("cases", lang),
    "fines": text("fines", lang),
    "rate": text("rate_column", lang),
    "last_inspections": text("last_year_inspections", lang),
    "last_cases": text("last_year_cases", lang),
    "last_fines": text("last_year_fines", lang),
    "gaps": text("gaps_column", lang),
}
figures = figures.rename(columns=labels)
st.dataframe(
    figures,
    key="flag_figures",
    hide_index=True,
    column_config={
        labels["fines"]: st.column_config.NumberColumn(format="%.2f"),
        labels["last_fines"]: st.column_config.NumberColumn(format="%.2f"),
    },
)

table_downloads(
    text("flags_title", lang, period=filters.period),
    {text("flags_sheet", lang): flags_table(view.flags, lang), text("flag_figures", lang): figures},
    "flags_download",
    lang,
)
