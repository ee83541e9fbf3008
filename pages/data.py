"""数据管理: upload a file, see its validation table before anything is written, confirm, and see the import log."""

import hashlib

import streamlit as st

from dashboard import cache
from dashboard.layout import current_filters, page_header, table_downloads
from records.fields import FIELDS
from records.importer import template_rows
from report.analysis import format_table, import_log_table
from report.exports import csv_bytes
from report.safe import md
from report.text import text

JUST_IMPORTED_KEY = "_just_imported"
PROBLEM_HEADERS = {"行": "problem_row", "列": "problem_column", "值": "problem_value", "问题": "problem_text"}

filters = current_filters()
lang = filters.lang
page_header("data_title", filters)
st.caption(text("formats_help", lang))
with st.container(key="file_formats"), st.expander(text("formats_title", lang)):
    for kind in FIELDS:
        st.markdown(f"**{text(f'kind_{kind}', lang)}**")
        st.dataframe(format_table(kind, lang), hide_index=True, width="stretch", key=f"format_{kind}")
    st.caption(text("format_notes", lang))

uploaded = st.file_uploader(text("upload", lang), type=["csv", "xlsx", "txt"], key="upload_file")
# The box's own words (Upload, "200MB per file") are fixed in English inside Streamlit's browser code.
st.caption(text("upload_widget_note", lang, mb=st.get_option("server.maxUploadSize")))
left, right = st.columns(2)
kind = left.selectbox(
    text("kind", lang), ["auto", *FIELDS], format_func=lambda k: text(f"kind_{k}", lang), key="upload_kind"
)
period = right.date_input(
    text("summary_period", lang), value=(filters.start, filters.end), key="upload_period", format="YYYY-MM-DD"
)
start, end = (period[0], period[1]) if isinstance(period, tuple | list) and len(period) == 2 else (None, None)


def kind_words(kind: str | None) -> str:
    words = text(f"kind_{kind or 'auto'}", lang)
    return words if lang == "zh" else words.lower()


def problems_table(outcome) -> None:  # type: ignore[no-untyped-def]
    st.dataframe(
        outcome.problems.rename(columns={k: text(v, lang) for k, v in PROBLEM_HEADERS.items()}),
        key="upload_problems",
        hide_index=True,
        width="stretch",
    )


imported = st.session_state.pop("import_message", None)
if imported is not None:
    st.success(imported)

if uploaded is not None:
    content = uploaded.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    chosen_kind = None if kind == "auto" else kind
    if st.session_state.get(JUST_IMPORTED_KEY) == digest:
        pass  # the file just imported is still in the box: its success is the message, not "already imported"
    else:
        with st.spinner(text("check_file", lang) + "…"):
            checked = cache.import_upload(content, uploaded.name, chosen_kind, start, end, write=False)
        if checked.status == "invalid":
            st.error(text("problems_found", lang, message=md(checked.message), n=len(checked.problems)))
            problems_table(checked)
        elif checked.status == "duplicate":
            st.warning(text("duplicate", lang, message=md(checked.message)))
        else:
            st.info(text("file_valid", lang, rows=checked.rows, kind=kind_words(checked.kind)))
            if st.button(text("confirm_import", lang), key="confirm_import", type="primary"):
                with st.spinner(text("confirm_import", lang) + "…"):
                    outcome = cache.import_upload(content, uploaded.name, chosen_kind, start, end, write=True)
                if outcome.status == "imported":
                    st.session_state["import_message"] = text(
                        "imported", lang, rows=outcome.rows, kind=kind_words(outcome.kind), batch=outcome.import_id
                    )
                    st.session_state[JUST_IMPORTED_KEY] = digest
                    st.rerun()
                st.error(text("problems_found", lang, message=md(outcome.message), n=len(outcome.problems)))
                problems_table(outcome)
else:
    st.session_state.pop(JUST_IMPORTED_KEY, None)

st.subheader(text("templates", lang))
for column, template_kind in zip(st.columns(len(FIELDS)), FIELDS, strict=True):
    label = text(f"kind_{template_kind}", lang)
    column.download_button(
        text("template_button", lang, kind=label),
        csv_bytes(template_rows(template_kind)),
        file_name=f"{text(f'kind_{template_kind}', 'zh')}模板.csv",
        mime="text/csv",
        key=f"template_{template_kind}",
        on_click="ignore",
    )

st.subheader(text("import_log", lang))
log = import_log_table(cache.import_log(), lang)
st.dataframe(log, key="import_log", hide_index=True, width="stretch")
table_downloads(text("import_log", lang), {text("log_sheet", lang): log}, "log_download", lang)
