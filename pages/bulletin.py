"""通报: the drafted bulletin, downloadable as a Word document in one click, with a preview."""

import streamlit as st

from bulletin.draft import preview_markdown
from dashboard import cache
from dashboard.layout import current_filters, flag_settings, page_header
from dashboard.quality import quality_settings
from report.analysis import ranking_table
from report.safe import md
from report.text import text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

filters = current_filters()
lang = filters.lang


def heading() -> None:
    page_header("bulletin_title", filters)
    st.caption(text("scheme_line", lang, scheme=md(cache.scheme_for(filters.end).label(lang))))
    st.caption(text("bulletin_help", lang))
    if lang == "en":
        st.caption(text("bulletin_in_chinese", lang))


# The heading and the body are two slots. The body is replaced by a progress bar before the heading shows the
# new period, so the previous period's preview and download button are never on the page under the new title.
# (A container written over a container keeps the old one's extra children until the run ends; a single element
# written over it does not.)
header, body = st.empty(), st.empty()
progress = body.progress(0.0, text=text("bulletin_generating", lang, step="…"))
with header.container():
    heading()
settings = flag_settings()
quality = quality_settings()
view_key = (filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, settings, quality)
draft = cache.bulletin_draft(
    filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, settings, quality
)
content = cache.bulletin_document(
    draft,
    view_key,
    lambda fraction, step: progress.progress(fraction, text=text("bulletin_generating", lang, step=step)),
)

with body.container():
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
    with st.container(border=True, key="bulletin_text"):
        for line in preview_markdown(draft):
            st.markdown(line)
        st.markdown(f"**{draft.attachment_title}**")
        st.dataframe(ranking_table(draft.view.shown, "zh", draft.rule), hide_index=True, width="stretch")
        st.caption(draft.footnote)
        st.caption(md(draft.scheme_line))
