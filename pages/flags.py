"""预警: every flagged county with its reasons in sentences and the figures behind them; thresholds are settings."""

import streamlit as st

from dashboard.layout import (
    current_filters,
    flag_settings,
    page_data,
    page_header,
    ranking_scope_note,
    stop_if_empty,
    table_downloads,
    threshold_inputs,
)
from dashboard.quality import quality_section
from report.analysis import flag_figures, flag_figures_table, flags_table
from report.safe import md
from report.text import text
from scoring.flags import FLAG_TITLES

FLAG_CARDS = 30  # past this many counties, the rest are listed in a table that scrolls

filters = current_filters()
lang = filters.lang
data = page_data(filters)
view = data.view
page_header("flags_title", filters)

with st.expander(text("flags_settings", lang), expanded=True):
    threshold_inputs(lang)

stop_if_empty(data, filters)
ranking_scope_note(filters, view.pool_size)
settings = flag_settings()
if settings.bottom_places > 0 and view.pool_size < settings.bottom_pool_needed():
    st.caption(text("bottom_pool_small", lang, n=view.pool_size, m=settings.bottom_pool_needed()))

if view.flags.empty:
    st.success(text("no_flags", lang))
    quality_section(filters)
    st.stop()

flagged_counties = view.flags["county_code"].unique()
st.markdown(text("flag_count", lang, n=len(flagged_counties)))
st.caption(text("flags_order", lang))
places = view.scored.set_index("county_code")["overall_rank"]
carded = view.flags[view.flags["county_code"].isin(flagged_counties[:FLAG_CARDS])]
for code, county_flags in carded.groupby("county_code", sort=False):
    place = places.get(code)
    heading = md(county_flags["county"].iloc[0])
    if place is not None and place == place:
        heading += text("card_place", lang, place=int(place))
    with st.container(border=True):
        st.markdown(f"#### ⚠ {heading}")
        for _, flag in county_flags.iterrows():
            st.markdown(text("card_reason", lang, title=FLAG_TITLES[lang][flag["flag"]], reason=md(flag["reason"])))
if len(flagged_counties) > FLAG_CARDS:
    st.caption(text("more_flags", lang, n=FLAG_CARDS))
    st.dataframe(flags_table(view.flags, lang), hide_index=True, width="stretch", height=400)

st.subheader(text("flag_figures", lang))
figures = flag_figures_table(flag_figures(view, data.previous, data.gaps), lang)
st.dataframe(
    figures,
    key="flag_figures",
    hide_index=True,
    column_config={
        text("fines", lang): st.column_config.NumberColumn(format="%.2f"),
        text("last_year_fines", lang): st.column_config.NumberColumn(format="%.2f"),
        text("rate_column", lang): st.column_config.NumberColumn(format="%.1f"),
    },
)

table_downloads(
    text("flags_title", lang, period=filters.period),
    {text("flags_sheet", lang): flags_table(view.flags, lang), text("flag_figures", lang): figures},
    "flags_download",
    lang,
)

quality_section(filters)
