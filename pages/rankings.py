"""综合排名: the attachment as a sortable table, its footnote, the check against the published table, downloads."""

import streamlit as st

from dashboard import cache
from dashboard.layout import (
    figures_page,
    follow_selected_row,
    ranking_column_config,
    ranking_scope_note,
    records_download,
    shade_flagged_rows,
    source_notes,
    table_downloads,
    traceable_counties,
)
from report.analysis import flag_marks, published_differences, ranking_table, record_table, rule_footnote
from report.safe import md
from report.text import text
from scoring import ScoringRule

TRACE_LIMIT = 1000

filters, data = figures_page("rankings_title")
lang = filters.lang
view = data.view
rule = ScoringRule()

ranking_scope_note(filters, view.pool_size)
table = ranking_table(view.shown, lang)
source_header = text("source_column", lang)
if (view.shown["source"] == "records").all():  # the source notes below name any other source
    table = table.drop(columns=[source_header])
flag_header = text("flag_column", lang)
shown_table = table.assign(**{flag_header: flag_marks(view, lang).to_numpy()})  # the reasons in a few words
event = st.dataframe(
    shade_flagged_rows(shown_table, flag_header),
    key="ranking_table",
    hide_index=True,
    width="stretch",
    column_config=ranking_column_config(shown_table, lang),
    on_select="rerun",
    selection_mode="single-row",
    height=min(38 + 35 * len(table), 700),
)
st.caption(rule_footnote(rule, view.pool_size, lang))
source_notes(data, filters)

published = cache.published_summary(filters.start, filters.end)
differences = published_differences(view.scored, published, lang, rule)
if published.empty:
    st.caption(text("published_none", lang))
elif view.ranked_among_selection:
    st.caption(text("published_within", lang))
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
visits = record_table(cache.inspection_records(code, filters.start, filters.end, TRACE_LIMIT), "inspections", lang)
cases = record_table(cache.case_records(code, filters.start, filters.end, TRACE_LIMIT), "cases", lang)
left, right = st.columns(2)
for column, records, kind, count in (
    (left, visits, "inspections", row["inspections"]),
    (right, cases, "cases", row["cases"]),
):
    with column.container(key=f"trace_{kind}"):  # records are data: their text is the file's, in any language
        st.markdown(f"**{text(f'trace_{kind}', lang, n=int(count))}**")
        st.dataframe(records, key=f"trace_{kind}_table", hide_index=True, height="auto")
        records_download(records, f"{filters.period}{county}", kind, lang, county)
if TRACE_LIMIT in (len(visits), len(cases)):
    st.caption(text("trace_limited", lang, n=TRACE_LIMIT))
