"""数据管理: upload a file, see its validation table before anything is written, confirm, and see the import log;
withdraw or replace a batch after a preview of what changes."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.layout import current_filters, page_header, table_downloads
from records.audit import ACTIONS, AuditUnavailable, action_label
from records.batches import BatchError
from records.db import DatabaseError
from records.fields import FIELDS
from records.importer import template_rows
from report.analysis import format_table, import_log_table
from report.audit import audit_table
from report.changes import figure_changes, place_changes
from report.exports import csv_bytes
from report.safe import md
from report.text import text

JUST_IMPORTED_KEY = "_just_imported"
PROBLEM_HEADERS = {"行": "problem_row", "列": "problem_column", "值": "problem_value", "问题": "problem_text"}

filters = current_filters()
lang = filters.lang
page_header("data_title", filters)


def show_import_log(stored_log: pd.DataFrame) -> None:
    st.subheader(text("import_log", lang))
    log = import_log_table(stored_log, lang)
    st.dataframe(log, key="import_log", hide_index=True, width="stretch")
    table_downloads(text("import_log", lang), {text("log_sheet", lang): log}, "log_download", lang)


identity = cache.current_identity()
if not identity.may_write:  # the controls are an administrator's; the store refuses anyone else's write anyway
    st.info(text("data_read_only", lang))
    show_import_log(cache.import_log())
    st.stop()

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


def problems_table(outcome, key: str) -> None:  # type: ignore[no-untyped-def]
    st.dataframe(
        outcome.problems.rename(columns={k: text(v, lang) for k, v in PROBLEM_HEADERS.items()}),
        key=key,
        hide_index=True,
        width="stretch",
    )


imported = st.session_state.pop("import_message", None)
if imported is not None:
    st.success(imported)
fault = st.session_state.pop("import_fault", None)
if fault is not None:
    st.error(fault)

if uploaded is not None:
    content = uploaded.getvalue()
    digest = uploaded.file_id
    chosen_kind = None if kind == "auto" else kind
    if st.session_state.get(JUST_IMPORTED_KEY) == digest:
        pass  # the file just imported is still in the box: its success is the message, not "already imported"
    else:
        with st.spinner(text("check_file", lang) + "…"):
            checked = cache.check_upload(uploaded.file_id, content, uploaded.name, chosen_kind, start, end)
        if checked.status == "invalid":
            st.error(text("problems_found", lang, message=md(checked.message), n=len(checked.problems)))
            problems_table(checked, "upload_problems")
        elif checked.status == "duplicate":
            st.warning(text("duplicate", lang, message=md(checked.message)))
        else:
            st.info(text("file_valid", lang, rows=checked.rows, kind=kind_words(checked.kind)))
            st.caption(md(checked.period_note))
            for line in checked.skipped:
                st.caption(md(line))
            with st.expander(text("upload_preview", lang)):
                st.dataframe(checked.preview(), key="upload_preview", hide_index=True, width="stretch")
            if st.button(text("confirm_import", lang), key="confirm_import", type="primary"):
                try:
                    with st.spinner(text("confirm_import", lang) + "…"):
                        outcome = cache.import_checked(checked)
                except DatabaseError as error:
                    st.session_state["import_fault"] = str(error)
                    st.rerun()
                if outcome.status == "imported":
                    st.session_state["import_message"] = text(
                        "imported", lang, rows=outcome.rows, kind=kind_words(outcome.kind), batch=outcome.import_id
                    )
                    st.session_state[JUST_IMPORTED_KEY] = digest
                    st.rerun()
                st.error(text("problems_found", lang, message=md(outcome.message), n=len(outcome.problems)))
                problems_table(outcome, "import_problems")
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

# store: withdrawal and replacement (issue 11)
st.subheader(text("correct_title", lang))
st.caption(text("correct_help", lang))
stored_log = cache.import_log()
counting = stored_log[stored_log["withdrawn_at"].isna()]
if counting.empty:
    st.caption(text("correct_none", lang))
else:
    names = dict(zip(counting["id"], counting["file_name"], strict=True))
    left, right = st.columns(2)
    batch = left.selectbox(
        text("correct_batch", lang), list(names), format_func=lambda b: f"{b}：{names[b]}", key="correct_batch"
    )
    action = right.radio(
        text("correct_action", lang),
        ["withdraw", "replace"],
        format_func=lambda a: text(f"correct_{a}", lang),
        horizontal=True,
        key="correct_action",
    )
    reason = st.text_input(text("correct_reason", lang), key="correct_reason", max_chars=200)
    preview = None
    replacement = None
    if action == "replace":
        replacement = st.file_uploader(text("correct_file", lang), type=["csv", "xlsx", "txt"], key="correct_file")
        if replacement is not None:
            chosen_kind = None if kind == "auto" else kind
            content = replacement.getvalue()
            checked, before, after = cache.replacement_preview(
                int(batch), content, replacement.name, chosen_kind, start, end, filters.start, filters.end
            )
            if checked.status == "invalid":
                st.error(text("problems_found", lang, message=checked.message))
                st.dataframe(checked.problems, key="correct_problems", hide_index=True, width="stretch")
            elif checked.status == "duplicate":
                st.warning(text("duplicate", lang, message=checked.message))
            else:
                preview = (before, after)
    else:
        preview = cache.withdrawal_preview(int(batch), filters.start, filters.end)
    if preview is not None:
        st.markdown(f"**{text('correct_preview', lang, period=filters.period)}**")
        figures = figure_changes(*preview, lang)
        if figures.empty:
            st.info(text("correct_no_change", lang, period=filters.period))
        else:
            st.dataframe(figures, key="correct_figures", hide_index=True, width="stretch")
            in_force = cache.scheme_for(filters.end).rule  # the places as the period's scheme gives them
            st.dataframe(
                place_changes(*preview, lang, in_force), key="correct_places", hide_index=True, width="stretch"
            )
        label = text(f"correct_confirm_{action}", lang, batch=batch)
        if st.button(label, key="correct_confirm", type="primary", disabled=not reason.strip()):
            try:
                if replacement is not None:
                    outcome = cache.replace_upload(
                        int(batch), content, replacement.name, chosen_kind, start, end, reason
                    )
                    said = "import_message" if outcome.status == "imported" else "import_fault"
                    st.session_state[said] = outcome.message
                else:
                    done = cache.withdraw(int(batch), reason)
                    st.session_state["import_message"] = text(
                        "withdrawn_done", lang, batch=done.batch, file=done.file_name, rows=done.rows
                    )
            except (DatabaseError, BatchError) as error:
                st.session_state["import_fault"] = str(error)
            st.rerun()
        if not reason.strip():
            st.caption(text("correct_need_reason", lang))

show_import_log(stored_log)

# sign-in and access (issue 10): the audit trail, administrators only (the cache refuses anyone else)
st.subheader(text("audit_title", lang))
st.caption(text("audit_help", lang))
today = dt.date.today()
left, middle, right = st.columns([2, 2, 3])
days = left.date_input(
    text("audit_dates", lang), value=(today - dt.timedelta(days=30), today), key="audit_dates", format="YYYY-MM-DD"
)
since, until = (days[0], days[1]) if isinstance(days, tuple | list) and len(days) == 2 else (None, None)
try:
    users = cache.audit_users()
    who = middle.selectbox(
        text("audit_user", lang),
        ["", *users],
        format_func=lambda name: name or text("audit_all_users", lang),
        key="audit_user",
    )
    actions = right.multiselect(
        text("audit_actions", lang), list(ACTIONS), format_func=lambda a: action_label(a, lang), key="audit_actions"
    )
    trail = audit_table(cache.audit_entries(since, until, who or None, tuple(actions)), lang)
except AuditUnavailable as error:  # the page's data still shows; the trail says in one line why it cannot
    st.warning(str(error))
    st.stop()
if trail.empty:
    st.caption(text("audit_none", lang))
else:
    st.caption(text("audit_shown", lang, n=len(trail)))
    st.dataframe(trail, key="audit_table", hide_index=True, width="stretch")
    table_downloads(text("audit_download", lang), {text("audit_download", lang): trail}, "audit_download", lang)
