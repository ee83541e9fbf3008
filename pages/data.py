"""数据管理: upload a file, see its validation table before anything is written, confirm, and see the import log."""

import streamlit as st

from dashboard import cache
from dashboard.layout import current_filters, page_header, table_downloads
from records.fields import FIELDS
from records.importer import template_rows
from report.analysis import import_log_table
from report.exports import csv_bytes
from report.text import text

filters = current_filters()
lang = filters.lang
page_header("data_title", filters)
st.caption(text("formats_help", lang))

uploaded = st.file_uploader(text("upload", lang), type=["csv", "xlsx", "txt"], key="upload_file")
left, right = st.columns(2)
kind = left.selectbox(
    text("kind", lang), ["auto", *FIELDS], format_func=lambda k: text(f"kind_{k}", lang), key="upload_kind"
)
period = right.date_input(text("summary_period", lang), value=(filters.start, filters.end), key="upload_period")
start, end = (period[0], period[1]) if isinstance(period, tuple | list) and len(period) == 2 else (None, None)

if "import_message" in st.session_state:
    st.success(st.session_state.pop("import_message"))

if uploaded is not None:
    content = uploaded.getvalue()
    chosen_kind = None if kind == "auto" else kind
    with st.spinner(text("check_file", lang) + "…"):
        checked = cache.import_upload(content, uploaded.name, chosen_kind, start, end, write=False)
    if checked.status == "invalid":
        st.error(text("problems_found", lang, message=checked.message))
        st.dataframe(checked.problems, key="upload_problems", hide_index=True, width="stretch")
    elif checked.status == "duplicate":
        st.warning(text("duplicate", lang, message=checked.message))
    else:
        st.info(text("file_valid", lang, message=checked.message))
        if st.button(text("confirm_import", lang), key="confirm_import", type="primary"):
            with st.spinner(text("confirm_import", lang) + "…"):
                outcome = cache.import_upload(content, uploaded.name, chosen_kind, start, end, write=True)
            if outcome.status == "imported":
                st.session_state["import_message"] = outcome.message
                st.rerun()
            st.error(outcome.message)
            st.dataframe(outcome.problems, key="import_problems", hide_index=True)

st.subheader(text("templates", lang))
for column, template_kind in zip(st.columns(len(FIELDS)), FIELDS, strict=True):
    label = text(f"kind_{template_kind}", lang)
    column.download_button(
        text("template_button", lang, kind=label),
        csv_bytes(template_rows(template_kind)),
        file_name=f"{label}模板.csv",
        mime="text/csv",
        key=f"template_{template_kind}",
        on_click="ignore",
    )

st.subheader(text("import_log", lang))
log = import_log_table(cache.import_log(), lang)
st.dataframe(log, key="import_log", hide_index=True, width="stretch")
table_downloads(text("import_log", lang), {text("log_sheet", lang): log}, "log_download", lang)
