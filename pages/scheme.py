"""评分规则: the scheme in force for the sidebar's period and every stored version; change it in a form (or by
uploading a TOML file), see the ranking under the scheme in force and the proposed one side by side, and save it as
a new version only after an explicit confirmation."""

import streamlit as st

from dashboard import cache
from dashboard.layout import current_filters, flag_settings, page_header
from report.analysis import rule_footnote
from report.safe import md
from report.schemes import MeasureChoice, measures_table, scheme_from_form, side_by_side, versions_table
from report.text import measure_heading, text
from scoring import CATALOGUE, SchemeError, ScoringRule, scheme_from_toml, scheme_to_toml

FORM = "scheme_form"
FORM_SOURCE_KEY = "_scheme_form_source"
FORM_VALUES_KEY = "_scheme_form_values"  # the form as last drawn, and in which language
UPLOADED_KEY = "_scheme_uploaded"
SAVED_KEY = "_scheme_saved"

filters = current_filters()
lang = filters.lang
page_header("scheme_title", filters)
scheme = cache.scheme_for(filters.end)
rule = scheme.rule
view = cache.county_view(
    filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, flag_settings(), lang
)
counties = max(view.pool_size, 1)

saved = st.session_state.pop(SAVED_KEY, None)
if saved is not None:
    st.success(saved)
if scheme.version is None:
    st.info(text("scheme_fallback", lang, period=filters.period, scheme=md(scheme.label(lang))))
else:
    when = f"{scheme.saved_at:%Y-%m-%d %H:%M}" if scheme.saved_at else ""
    st.markdown(text("scheme_in_force", lang, scheme=md(scheme.label(lang)), who=md(scheme.saved_by), when=when))
no_limit = text("no_limit", lang)
st.caption(
    text(
        "scheme_effective",
        lang,
        start=rule.effective_from or no_limit,
        end=rule.effective_to or no_limit,
    )
)
st.caption(rule_footnote(rule, counties, lang))
st.dataframe(measures_table(rule, lang), key="scheme_measures", hide_index=True, width="stretch")
st.download_button(
    text("scheme_download", lang),
    scheme.text.encode("utf-8"),
    file_name=f"{scheme.name}.toml",
    mime="application/toml",
    key="scheme_download",
    on_click="ignore",
)

st.subheader(text("scheme_history", lang))
st.caption(text("scheme_history_help", lang))
st.dataframe(versions_table(cache.scheme_versions(), scheme, lang), key="scheme_versions", hide_index=True)

st.subheader(text("scheme_edit", lang))
if not cache.may_edit_schemes():
    st.info(text("scheme_edit_denied", lang))
    st.stop()
st.caption(text("scheme_edit_help", lang, period=filters.period))


def load_form(loaded: ScoringRule, source: object) -> None:
    """Put a scheme into the form's widgets (before they are drawn), remembering where it came from."""
    state = st.session_state
    state[f"{FORM}_name"] = loaded.name
    state[f"{FORM}_from"] = loaded.effective_from
    state[f"{FORM}_to"] = loaded.effective_to
    state[f"{FORM}_method"] = loaded.method
    state[f"{FORM}_top"] = loaded.top
    state[f"{FORM}_step"] = loaded.step
    state[f"{FORM}_floor"] = loaded.floor
    state[f"{FORM}_full"] = loaded.full
    state[f"{FORM}_measures"] = [m.column for m in loaded.measures]
    for key, entry in CATALOGUE.items():
        measure = next((m for m in loaded.measures if m.column == key), None)
        state[f"{FORM}_weight_{key}"] = measure.weight if measure else 1.0
        state[f"{FORM}_higher_{key}"] = measure.higher_is_better if measure else True
        state[f"{FORM}_label_{key}"] = measure.label if measure and measure.label != entry.label else ""
    state[FORM_SOURCE_KEY] = source


in_force_source = ("stored", scheme.name, scheme.version, scheme.text)
kept = st.session_state.get(FORM_VALUES_KEY)
if kept is not None:
    # Streamlit forgets a widget's value when another page runs, or when its label changes with the language:
    # the form gets back what it last held.
    changed = kept[0] != lang
    st.session_state.update({k: v for k, v in kept[1].items() if changed or k not in st.session_state})
upload = st.file_uploader(text("scheme_upload", lang), type=["toml", "txt"], key="scheme_upload")
if upload is not None and st.session_state.get(UPLOADED_KEY, (None,))[0] != upload.file_id:
    try:
        uploaded_text = upload.getvalue().decode("utf-8-sig")
        uploaded_rule = scheme_from_toml(uploaded_text)
    except (UnicodeDecodeError, SchemeError) as error:
        problem = error if isinstance(error, SchemeError) else "不是 UTF-8 编码的文本"
        st.session_state[UPLOADED_KEY] = (upload.file_id, None, None)
        st.error(text("scheme_upload_bad", lang, error=md(problem)))
    else:
        st.session_state[UPLOADED_KEY] = (upload.file_id, uploaded_text, uploaded_rule)
        load_form(uploaded_rule, ("upload", upload.file_id))
        st.success(text("scheme_upload_loaded", lang, file=md(upload.name)))
elif st.session_state.get(FORM_SOURCE_KEY) is None or (
    st.session_state[FORM_SOURCE_KEY][0] == "stored" and st.session_state[FORM_SOURCE_KEY] != in_force_source
):
    load_form(rule, in_force_source)  # first visit, or another period's scheme: the form starts from the one in force

if st.button(text("scheme_reset", lang), key="scheme_reset"):
    load_form(rule, in_force_source)
    st.session_state.pop(UPLOADED_KEY, None)
    st.rerun()

left, middle, right = st.columns(3)
name = left.text_input(text("scheme_name_input", lang), key=f"{FORM}_name")
effective_from = middle.date_input(text("scheme_from_input", lang), value=None, key=f"{FORM}_from", format="YYYY-MM-DD")
effective_to = right.date_input(text("scheme_to_input", lang), value=None, key=f"{FORM}_to", format="YYYY-MM-DD")
method = st.radio(
    text("scheme_method_input", lang),
    ["rank", "share"],
    format_func=lambda m: text(f"method_{m}", lang),
    horizontal=True,
    key=f"{FORM}_method",
)
if method == "rank":
    top_column, step_column, floor_column = st.columns(3)
    top = top_column.number_input(text("scheme_top_input", lang), min_value=0.0, value=None, key=f"{FORM}_top")
    step = step_column.number_input(text("scheme_step_input", lang), min_value=0.0, key=f"{FORM}_step")
    floor = floor_column.number_input(text("scheme_floor_input", lang), min_value=0.0, key=f"{FORM}_floor")
    full = float(st.session_state.get(f"{FORM}_full", 10.0))
else:
    full = st.number_input(text("scheme_full_input", lang), min_value=0.0, key=f"{FORM}_full")
    top = st.session_state.get(f"{FORM}_top")
    step = float(st.session_state.get(f"{FORM}_step", 1.0))
    floor = float(st.session_state.get(f"{FORM}_floor", 1.0))
chosen = st.multiselect(
    text("scheme_measures_input", lang),
    list(CATALOGUE),
    format_func=lambda key: measure_heading(key, lang),
    key=f"{FORM}_measures",
)
choices = []
for key in chosen:
    weight_column, higher_column, label_column = st.columns([2, 2, 3])
    heading = measure_heading(key, lang)
    # Kept while the measure is not chosen, so taking it out and back keeps what was typed.
    weight = weight_column.number_input(
        text("scheme_weight_input", lang, measure=heading),
        min_value=0.0,
        key=f"{FORM}_weight_{key}",
        persist_state="session",
    )
    higher = higher_column.checkbox(
        text("scheme_higher_input", lang), key=f"{FORM}_higher_{key}", persist_state="session"
    )
    label = label_column.text_input(
        text("scheme_label_input", lang), key=f"{FORM}_label_{key}", persist_state="session"
    )
    choices.append(MeasureChoice(key, weight, higher, label))

st.session_state[FORM_VALUES_KEY] = (
    lang,
    {key: value for key, value in st.session_state.items() if isinstance(key, str) and key.startswith(f"{FORM}_")},
)
try:
    proposed = scheme_from_form(name, method, choices, top, step, floor, full, effective_from, effective_to)
except SchemeError as error:
    st.error(text("scheme_problem", lang, error=md(error)))
    st.stop()

uploaded = st.session_state.get(UPLOADED_KEY)
# An uploaded file left as it is is saved as it was written, comments and all; an edited one as the form reads.
proposed_text = uploaded[1] if uploaded and uploaded[2] == proposed else scheme_to_toml(proposed)

st.subheader(text("scheme_preview", lang, period=filters.period))
st.caption(text("scheme_proposed_note", lang, footnote=proposed.describe(counties, lang)))
if proposed == rule:
    st.info(text("scheme_same", lang))
    st.stop()
ranking = cache.proposed_ranking(
    filters.start, filters.end, filters.selected_codes, filters.rank_within_selection, proposed_text
)
comparison = side_by_side(view.scored, ranking, rule, proposed, lang)
comparison = comparison[ranking["county_code"].isin(view.shown["county_code"]).to_numpy()]
st.dataframe(comparison, key="scheme_comparison", hide_index=True, width="stretch")
moved = int((comparison[text("place_change", lang)] != "—").sum())
st.caption(text("scheme_moved", lang, n=moved))
st.download_button(
    text("scheme_download_proposed", lang),
    proposed_text.encode("utf-8"),
    file_name=f"{proposed.name}.toml",
    mime="application/toml",
    key="scheme_download_proposed",
    on_click="ignore",
)

confirmed = st.checkbox(text("scheme_confirm", lang, name=md(proposed.name)), key="scheme_confirm")
if st.button(text("scheme_save", lang), key="scheme_save", type="primary", disabled=not confirmed):
    outcome = cache.save_scheme(proposed_text)
    version = outcome.scheme.version
    key = "scheme_saved" if outcome.stored else "scheme_unchanged"
    st.session_state[SAVED_KEY] = text(key, lang, name=md(outcome.scheme.name), version=version)
    st.session_state.pop(FORM_SOURCE_KEY, None)  # the form starts again from the scheme now in force
    st.session_state.pop(UPLOADED_KEY, None)
    st.session_state.pop("scheme_confirm", None)
    st.rerun()
