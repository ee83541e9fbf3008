"""通报: the drafted bulletin, downloadable as a Word document in one click, with a preview."""

import streamlit as st

from bulletin.draft import preview_markdown
from dashboard import cache
from dashboard.layout import current_filters, page_header
from report.analysis import ranking_table
from report.text import text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

filters = current_filters()
lang = filters.lang
page_header("bulletin_title", filters)
st.caption(text("bulletin_help", lang))

draft = cache.bulletin_draft(filters.start, filters.end, filters.selected_codes)
progress = st.progress(0.0)
content = cache.bulletin_document(
    filters.start,
    filters.end,
    filters.selected_codes,
    lambda fraction, step: progress.progress(fraction, text=text("bulletin_generating", lang, step=step)),
)
progress.empty()
st.download_button(
    text("bulletin_download", lang),
    content,
    file_name=f"{draft.period}安全生产行政执法情况通报（草稿）.docx",
    mime=DOCX,
    key="bulletin_download",
    type="primary",
    on_click="ignore",
)

st.subheader(text("bulletin_preview", lang))
with st.container(border=True):
    for line in preview_markdown(draft):
        st.markdown(line)

st.subheader(text("attachment_preview", lang))
st.markdown(f"**{draft.attachment_title}**")
st.dataframe(ranking_table(draft.view.shown, "zh"), hide_index=True, width="stretch")
st.caption(draft.footnote)
