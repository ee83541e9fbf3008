"""综合排名: the attachment as a sortable table, its footnote, the check against the published table, downloads,
how decisive each place is (robustness) and how lasting (places over time)."""

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.layout import (
    chart_download,
    figures_page,
    follow_selected_row,
    pool_key,
    pool_rows,
    ranking_column_config,
    ranking_scope_note,
    records_download,
    source_notes,
    table_downloads,
    traceable_counties,
    view_key,
)
from dashboard.quality import quality_settings
from report.analysis import CountyView, flag_marks, published_differences, ranking_table, record_table, rule_footnote
from report.charts import BUMP_EACH_END, ROBUSTNESS_EACH_END, bump_chart, robustness_chart
from report.quality import quality_marks
from report.safe import md
from report.schemes import SchemeNote, history_table
from report.text import measure_heading, text

TRACE_LIMIT = 1000

filters, data = figures_page("rankings_title")
lang = filters.lang
view = data.view
rule = view.rule
scheme = data.scheme_note(lang)

ranking_scope_note(filters, view.pool_size)
flag_header = text("flag_column", lang)
shown_key = view_key(filters)
quality_kept = quality_settings()


quality_header = text("quality_column", lang)


def pool_grid(pool: CountyView) -> tuple[pd.Series, pd.DataFrame]:
    """The whole pool's ranking with the 预警 and 质量 marks in a few words."""
    quality = cache.quality_view(
        filters.start, filters.end, filters.pool_codes, bool(filters.pool_codes), quality_kept, lang
    )
    grid = ranking_table(pool.shown, lang, rule)
    grid[flag_header] = flag_marks(pool, lang).to_numpy()
    grid[quality_header] = quality_marks(quality, pool.shown["county_code"], lang).to_numpy()
    return pool.shown["county_code"], grid


def ranking_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The attachment's table (for the downloads) and the grid's, of the shown counties."""
    grid = pool_rows("ranking_grid", filters, data, pool_grid, (quality_kept,))
    if (view.shown["source"] == "records").all():  # the source notes below name any other source
        grid = grid.drop(columns=[text("source_column", lang)])
    return grid.drop(columns=[flag_header, quality_header]), grid


table, shown_table = cache.shared("ranking_tables", (*shown_key, quality_kept), ranking_tables)
# A plain frame with the grid's own number formats (column_config): a pandas Styler cost 15–25 ms a run to shade
# the flagged rows, whose 预警 column already names their reasons. The key names the view, so a new period mounts a
# new grid and never redraws the old period's rows under the new title (README, "The stale row").
event = st.dataframe(
    cache.arrow(shown_table),
    key=f"ranking_table_{filters.start:%Y%m%d}_{filters.end:%Y%m%d}",
    hide_index=True,
    width="stretch",
    column_config=ranking_column_config(shown_table, lang, rule),
    on_select="rerun",
    selection_mode="single-row",
    height=min(38 + 35 * len(table), 700),
)
st.caption(rule_footnote(rule, view.pool_size, lang))
source_notes(data, filters)

published = cache.published_summary(filters.start, filters.end)
lacking = [m for m in rule.measures if published.empty or published[m.column].isna().all()]
differences = (
    cache.shared(
        "published_differences", pool_key(filters), lambda: published_differences(view.scored, published, lang, rule)
    )
    if not lacking
    else published.iloc[0:0]
)
if published.empty:
    st.caption(text("published_none", lang))
elif view.ranked_among_selection:
    st.caption(text("published_within", lang))
elif lacking:
    measures = ("、" if lang == "zh" else ", ").join(measure_heading(m, lang) for m in lacking)
    st.caption(text("published_lacks", lang, file=md(published["file_name"].iloc[0]), measures=md(measures)))
else:
    file_name = md(published["file_name"].iloc[0])
    if differences.empty:
        st.success(text("published_agrees", lang, file=file_name))
    else:
        st.warning(text("published_differs", lang, file=file_name, n=len(differences)))
        st.dataframe(
            differences.rename(
                columns={
                    "county": text("county", lang),
                    "measure": text("difference_measure", lang),
                    "records": text("difference_records", lang),
                    "published": text("difference_published", lang),
                }
            ),
            key="published_differences",
            hide_index=True,
        )

title = text("rankings_title", lang, period=filters.period)
sheets = {text("rankings", lang): table}
if not published.empty and not differences.empty and not view.ranked_among_selection:
    sheets[text("differences_sheet", lang)] = differences
table_downloads(
    title,
    sheets,
    "rankings_download",
    lang,
    flag_column=flag_header,
    attachment=(view.shown, rule, title, view.pool_size, lang),
    float_format="%.2f",
    scheme=scheme,
)

st.subheader(text("trace_title", lang))
shown = view.shown
follow_selected_row(event.selection.rows, shown["county"].tolist())
traceable = traceable_counties(shown, lang)  # a county user's own county only; the queries enforce it anyway
if not traceable:
    st.stop()
county = st.selectbox(text("trace_county", lang), traceable, key="trace_county")
row = shown[shown["county"] == county].iloc[0]
code = int(row["county_code"])
if data.measures.loc[data.measures["county_code"] == code, "source"].iloc[0] == "summary":
    st.info(text("trace_summary", lang))
trace_key = (filters.start, filters.end, code, lang)
visits = cache.shared(
    "trace_inspections",
    trace_key,
    lambda: record_table(cache.inspection_records(code, filters.start, filters.end, TRACE_LIMIT), "inspections", lang),
)
cases = cache.shared(
    "trace_cases",
    trace_key,
    lambda: record_table(cache.case_records(code, filters.start, filters.end, TRACE_LIMIT), "cases", lang),
)
left, right = st.columns(2)
for column, records, kind, count in (
    (left, visits, "inspections", row["inspections"]),
    (right, cases, "cases", row["cases"]),
):
    with column.container(key=f"trace_{kind}"):  # records are data: their text is the file's, in any language
        shown_count = len(records) if pd.isna(count) else int(count)  # a summary may lack the figure
        st.markdown(f"**{text(f'trace_{kind}', lang, n=shown_count)}**")
        st.dataframe(cache.arrow(records), key=f"trace_{kind}_table", hide_index=True, height="auto")
        records_download(records, f"{filters.period}{county}", kind, lang, county)
if TRACE_LIMIT in (len(visits), len(cases)):
    st.caption(text("trace_limited", lang, n=TRACE_LIMIT))


def robustness_part() -> None:
    places = cache.robustness(filters.start, filters.end, filters.selected_codes, filters.rank_within_selection)
    variants = int(places["variants"].iloc[0]) if len(places) else 0
    st.caption(text("robust_help", lang, n=variants))
    if places["place"].notna().sum() > 2 * ROBUSTNESS_EACH_END:
        st.caption(text("robust_limited", lang, n=ROBUSTNESS_EACH_END))
    figure = cache.shared_figure("robustness", pool_key(filters), lambda: robustness_chart(places, lang, variants))
    st.plotly_chart(figure, key="robustness_chart", width="stretch")
    chart_download(figure, text("robust_title", lang), "robustness_chart_png", filters)


def history_part() -> None:
    over_time = cache.places_over_time(
        filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, lang
    )
    title = text("history_title", lang, n=len(over_time.periods))
    if over_time.empty:
        st.info(text("history_none", lang))
        return
    st.caption(text("history_help", lang))
    if over_time.skipped:
        st.caption(text("history_skipped", lang, periods=("、" if lang == "zh" else ", ").join(over_time.skipped)))
    latest = over_time.history[over_time.history["period_index"] == over_time.history["period_index"].max()]
    counties = latest["county"].tolist()
    highlighted = list(filters.selected_names)
    drawn = highlighted or counties
    if len(counties) > 2 * BUMP_EACH_END:
        drawn = highlighted or counties[:BUMP_EACH_END] + counties[-BUMP_EACH_END:]
        st.caption(text("bump_limited", lang, n=BUMP_EACH_END))
    bump = cache.shared_figure(
        "bump",
        shown_key,
        lambda: bump_chart(over_time.history, highlighted, lang, drawn if len(counties) > 2 * BUMP_EACH_END else None),
    )
    st.plotly_chart(bump, key="bump_chart", width="stretch")
    chart_download(bump, title, "bump_chart_png", filters)
    schemes_used = over_time.scheme_label(lang)
    if schemes_used != scheme.label:
        st.caption(text("scheme_line", lang, scheme=md(schemes_used)))

    def chosen_history() -> pd.DataFrame:
        history = cache.shared("pool_history_table", pool_key(filters), lambda: history_table(over_time.history, lang))
        if filters.selected_names and not filters.rank_within_selection:
            history = history[history[text("county", lang)].isin(filters.selected_names)]
        return history

    history = cache.shared("history_table", shown_key, chosen_history)
    st.dataframe(cache.arrow(history), key="history_table", hide_index=True, width="stretch")
    table_downloads(
        f"{filters.period}{text('history_sheet', lang)}",
        {text("history_sheet", lang): history},
        "history_download",
        lang,
        scheme=SchemeNote(schemes_used, text("history_help", lang), lang),
    )


# Below the ranking and its records, each analysis is drawn only while its panel is open (its own rerun on
# opening; an open panel stays open): a run that draws neither sends two charts and a table fewer, and a browser
# redraws them at every change of the view.
robustness_panel = st.expander(text("robust_title", lang), key="robustness_panel", on_change="rerun")
if robustness_panel.open:
    with robustness_panel:
        robustness_part()
# One label for any period, so the panel stays open when the period changes.
history_panel = st.expander(text("history_panel", lang), key="history_panel", on_change="rerun")
if history_panel.open:
    with history_panel:
        history_part()
