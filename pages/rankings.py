"""综合排名: the attachment as a sortable table, its footnote, the check against the published table, downloads."""

import streamlit as st

from dashboard import cache
from dashboard.layout import (
    figures_page,
    follow_selected_row,
    ranking_column_widths,
    ranking_scope_note,
    shade_flagged_rows,
    source_notes,
    table_downloads,
)
from report.analysis import published_differences, ranking_table
from report.text import text
from scoring import ScoringRule

TRACE_LIMIT = 1000

filters, data = figures_page("rankings_title")
lang = filters.lang
rule = ScoringRule()

ranking_scope_note(filters, data.view.pool_size)
table = ranking_table(data.view.shown, lang)
flag_header = text("flag_column", lang)
event = st.dataframe(
    shade_flagged_rows(table, flag_header),
    key="ranking_table",
    hide_index=True,
    width="stretch",
    column_config=ranking_column_widths(lang),
    on_select="rerun",
    selection_mode="single-row",
    height=min(38 + 35 * len(table), 700),
)
st.caption(rule.describe(data.view.pool_size))
source_notes(data, filters)

published = cache.published_summary(filters.start, filters.end)
differences = published_differences(data.measures, published, lang)
if published.empty:
    st.caption(text("published_none", lang))
else:
    file_name = published["file_name"].iloc[0]
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
if not published.empty and not differences.empty:
    sheets[text("differences_sheet", lang)] = differences
table_downloads(
    title,
    sheets,
    "rankings_download",
    lang,
    flag_column=text("flag_column", lang),
    attachment=(data.view.shown, rule, title, data.view.pool_size, lang),
    float_format="%.2f",
)

st.subheader(text("trace_title", lang))
shown = data.view.shown
follow_selected_row(event.selection.rows, shown["county"].tolist())
county = st.selectbox(text("trace_county", lang), shown["county"].tolist(), key="trace_county")
row = shown[shown["county"] == county].iloc[0]
code = int(row["county_code"])
if data.measures.loc[data.measures["county_code"] == code, "source"].iloc[0] == "summary":
    st.info(text("trace_summary", lang))
visits = cache.inspection_records(code, filters.start, filters.end, TRACE_LIMIT)
cases = cache.case_records(code, filters.start, filters.end, TRACE_LIMIT)
left, right = st.columns(2)
left.markdown(f"**{text('trace_inspections', lang, n=int(row['inspections']))}**")
left.dataframe(visits, hide_index=True, height=300)
right.markdown(f"**{text('trace_cases', lang, n=int(row['cases']))}**")
right.dataframe(cases, hide_index=True, height=300)
if TRACE_LIMIT in (len(visits), len(cases)):
    st.caption(text("trace_limited", lang, n=TRACE_LIMIT))
