"""总览: the totals with 同比 of what is shown, the strongest and weakest counties, the map and the monthly trend."""

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
    view_key,
)
from dashboard.quality import quality_settings
from records.geo import BoundaryError
from report.analysis import (
    city_summary_sentence,
    scope_totals,
    strong_and_weak,
    strong_and_weak_table,
    totals_table,
)
from report.charts import county_map, map_measures, monthly_trend
from report.quality import with_quality
from report.safe import md
from report.text import text
from scoring.output import format_count, format_fines

filters, data = figures_page("overview_title")
lang = filters.lang
view = data.view
scope = view.scope(lang)
shown_key = view_key(filters)

totals = cache.shared(
    "overview_totals", shown_key, lambda: scope_totals(data.measures, data.previous, view).set_index("measure")
)
chosen = len(view.shown) if view.partial else 0
st.markdown(city_summary_sentence(totals.reset_index(), filters.period, lang, chosen))  # figures and words only
for column, measure in zip(st.columns(5), totals.index, strict=True):
    current, change = totals.at[measure, "current"], totals.at[measure, "change"]
    column.metric(
        text(measure, lang),
        format_fines(current) if measure == "fines" else format_count(current),
        delta=None if change != change else f"{change * 100:+.1f}% {text('year_on_year', lang)}",
    )
if view.partial:
    st.caption(text("tiles_scope", lang, scope=scope))

lists = cache.shared("strong_and_weak", shown_key, lambda: strong_and_weak(view))
left, right = st.columns(2)
for column, title, which, rows in (
    (left, "best_three", "best", lists.best),
    (right, "weakest_three", "weakest", lists.weakest),
):
    with column.container(border=True, key=f"{which}_list"):
        st.subheader(text(title, lang))
        st.caption(md(lists.caption(which, lang)))
        lines = []
        for _, row in rows.iterrows():
            line = text(
                "place_line",
                lang,
                place=int(row["overall_rank"]),
                county=md(row["county"]),
                points=f"{row['total_points']:g}",
            )
            lines.append(line + (text("place_flags", lang, flags=md(row["flags"])) if row["flags"] else ""))
        if lines:  # one element for the list: each element sent costs the server about 1 ms
            st.markdown("\n\n".join(lines))
ranking_scope_note(filters, view.pool_size)
source_notes(data, filters)


# The map and the trend are fragments: a change of what colours the map, or of the trend's measure, reruns that
# part only. Their figures are built once per data version and view and shared by every session.
@st.fragment
def map_part() -> None:
    st.subheader(text("map_title", lang))
    try:
        boundaries = cache.county_boundaries()
    except BoundaryError as error:
        st.caption(text("map_unavailable", lang, error=md(error)))
        return
    colours = map_measures(view.rule, lang)
    colour_by = st.radio(
        text("map_colour_by", lang),
        list(colours),
        format_func=colours.get,
        horizontal=True,
        key="map_colour_by",
    )
    quality = quality_settings() if colour_by == "quality" else None

    def build_map():  # type: ignore[no-untyped-def]
        shown = view.shown
        if quality is not None:
            selection = (filters.selected_codes, filters.rank_within_selection)
            shown = with_quality(shown, cache.quality_view(filters.start, filters.end, *selection, quality, lang), lang)
        return county_map(shown, boundaries, colour_by, lang, view.scored, view.rule)

    map_key = (*shown_key, colour_by, quality, cache.boundaries_stamp())
    county_figure = cache.shared_figure("county_map", map_key, build_map)
    clicked = st.plotly_chart(
        county_figure, key="county_map", width="stretch", on_select="rerun", selection_mode="points"
    )
    remember_map_click(clicked)
    map_coverage_note(boundaries, lang)
    st.caption(text("map_click_hint", lang))
    chart_download(county_figure, text("map_title", lang), "county_map_png", filters)


map_part()
monthly = cache.monthly_series(filters.start, filters.end)
monthly = monthly[monthly["county_code"].isin(view.shown["county_code"])]


@st.fragment
def trend_part() -> None:
    st.subheader(text("monthly_trend", lang))
    if monthly.empty:
        st.info(text("no_monthly", lang))
        return
    measure = st.radio(
        text("trend_measure", lang),
        ["inspections", "cases", "fines"],
        format_func=lambda m: text(m, lang),
        horizontal=True,
        key="overview_trend_measure",
    )
    trend = cache.shared_figure(
        f"overview_trend_{measure}", shown_key, lambda: monthly_trend(monthly, measure, None, lang, scope)
    )
    st.plotly_chart(trend, key="overview_trend_chart", width="stretch")
    chart_download(trend, text("monthly_trend", lang), "overview_trend_png", filters)


trend_part()

table_downloads(
    text("overview_title", lang, period=filters.period, scope=scope),
    cache.shared(
        "overview_sheets",
        shown_key,
        lambda: {
            text("totals_sheet", lang): totals_table(totals.reset_index(), lang),
            text("best_weak_sheet", lang): strong_and_weak_table(lists, view.rule, lang),
        },
    ),
    "overview_download",
    lang,
    scheme=data.scheme_note(lang),
)
