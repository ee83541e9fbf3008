"""预警: every flagged county with its reasons in sentences and the figures behind them; thresholds are settings.
Below them: how decisive the last three places are (robustness) and who has been at the bottom period after period."""

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.layout import (
    current_filters,
    flag_settings,
    page_data,
    page_header,
    pool_rows,
    ranking_scope_note,
    scheme_caption,
    stop_if_empty,
    table_downloads,
    threshold_inputs,
    view_key,
)
from dashboard.quality import quality_section
from report.analysis import CountyView, flag_figures, flag_figures_table, flags_table
from report.safe import md
from report.schemes import bottom_robustness, persistence_text, robustness_text
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
scheme_caption(data, lang)
ranking_scope_note(filters, view.pool_size)
settings = flag_settings()
shown_key = view_key(filters)
if settings.bottom_places > 0 and view.pool_size < settings.bottom_pool_needed():
    st.caption(text("bottom_pool_small", lang, n=view.pool_size, m=settings.bottom_pool_needed()))


def robustness_sentences() -> str:
    """How decisive each shown county among the last three places is, one sentence each."""
    places = cache.robustness(filters.start, filters.end, filters.selected_codes, filters.rank_within_selection)
    bottom = bottom_robustness(places, 3)
    bottom = bottom[bottom["county_code"].isin(view.shown["county_code"])] if "county_code" in bottom else bottom
    return "\n\n".join(md(robustness_text(row, lang)) for _, row in bottom.iterrows())


def persistence_lines() -> str:
    """The shown counties at the bottom in consecutive periods, one line each."""
    flagged = cache.persistent_bottom(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, lang, settings.bottom_places
    )
    flagged = flagged[flagged["county"].isin(view.shown["county"])]
    return "\n".join(f"- ⚠ {md(persistence_text(row, lang, settings.bottom_places))}" for _, row in flagged.iterrows())


def standing() -> None:
    """How decisive the last three places are, and who has been at the bottom in consecutive periods."""
    sentences = cache.shared("robustness_sentences", shown_key, robustness_sentences)
    if sentences:
        with st.container(key="robustness_sentences"):
            st.subheader(text("robust_flags_title", lang))
            st.markdown(sentences)
    over_time = cache.places_over_time(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, lang
    )
    if over_time.empty or settings.bottom_places <= 0 or view.pool_size < settings.bottom_pool_needed():
        return
    lines = cache.shared("persistence_lines", shown_key, persistence_lines)
    with st.container(key="persistent_bottom"):
        st.subheader(text("persist_title", lang))
        if lines:
            st.markdown(lines)
        else:
            st.caption(text("persist_none", lang, n=len(over_time.periods), k=settings.bottom_places))


if view.flags.empty:
    st.success(text("no_flags", lang))
    standing()
    quality_section(filters, data)
    st.stop()

flagged_counties = view.flags["county_code"].unique()
st.markdown(text("flag_count", lang, n=len(flagged_counties)))
st.caption(text("flags_order", lang))


def flag_cards() -> list[str]:
    """One card of Markdown per flagged county (the first FLAG_CARDS): its name, place and each reason."""
    places = view.scored.set_index("county_code")["overall_rank"]
    carded = view.flags[view.flags["county_code"].isin(flagged_counties[:FLAG_CARDS])]
    cards = []
    for code, county_flags in carded.groupby("county_code", sort=False):
        place = places.get(code)
        heading = md(county_flags["county"].iloc[0])
        if place is not None and not pd.isna(place):  # a county missing a figure of the scheme has no place
            heading += text("card_place", lang, place=int(place))
        reasons = [
            text("card_reason", lang, title=FLAG_TITLES[lang][flag], reason=md(reason))
            for flag, reason in zip(county_flags["flag"], county_flags["reason"], strict=True)
        ]
        cards.append("\n\n".join([f"#### ⚠ {heading}", *reasons]))
    return cards


for card in cache.shared("flag_cards", shown_key, flag_cards):
    with st.container(border=True):  # one Markdown element a card: each element sent costs the server
        st.markdown(card)
flag_list = pool_rows(
    "flags_table", filters, data, lambda pool: (pool.flags["county_code"], flags_table(pool.flags, lang))
)
if len(flagged_counties) > FLAG_CARDS:
    st.caption(text("more_flags", lang, n=FLAG_CARDS))
    st.dataframe(cache.arrow(flag_list), hide_index=True, width="stretch", height=400)

st.subheader(text("flag_figures", lang))


def pool_figures(pool: CountyView) -> tuple[pd.Series, pd.DataFrame]:
    figures = flag_figures(pool, data.previous, data.gaps)
    return figures["county_code"], flag_figures_table(figures, lang, view.rule)


figures = pool_rows("flag_figures", filters, data, pool_figures)
st.dataframe(
    cache.arrow(figures),
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
    {
        text("flags_sheet", lang): flag_list,
        text("flag_figures", lang): figures,
    },
    "flags_download",
    lang,
    scheme=data.scheme_note(lang),
)
standing()
quality_section(filters, data)
