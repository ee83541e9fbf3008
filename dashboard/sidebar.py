"""The shared sidebar (language, year, period, counties, ranking pool) and the address bar that mirrors it.

Streamlit's own ``bind="query-params"`` would store each widget's label in the address (第二季度, Q2), which
a link made in the other language cannot read. Here the address holds language-neutral values
(``report.links``): it is read when a session opens a link, and written again after every run, so a copied
link reopens the same view in either language and every filter stays in the address.

The view itself is kept apart from the widgets (``VIEW_KEY``), changed only by a reader's change to a widget
(its ``on_change``) or a map click, and given back to the widgets before every run: Streamlit forgets a
widget's value when the script that draws it changes (a page run without the entrypoint, as in AppTest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import streamlit as st

from dashboard import cache, session
from report.links import ViewAddress, address_params, read_address
from report.periods import PRESETS, default_period, period_dates, period_label, preset_label
from report.text import LANGUAGES, text

FILTERS_KEY = "_filters"
VIEW_KEY = "_view"
LANGUAGE_KEY = "_view_language"
LINK_NOTES_KEY = "_link_notes"
DRAWN_LANGUAGE_KEY = "_drawn_language"
MAP_CLICK_KEY = "_map_clicked"
# A page's select box whose labels depend on the language: the browser keeps the label it was sent, so after a
# switch it is given its value again and redrawn in the new language (the sidebar's are given theirs every run).
LANGUAGE_LABELLED = ("upload_kind",)
# Widget key → the field of the view it sets.
VIEW_FIELDS = {"year": "year", "period": "preset", "counties": "counties", "rank_within": "rank_within"}


@dataclass(frozen=True)
class Filters:
    lang: str
    start: dt.date
    end: dt.date
    selected_codes: tuple[int, ...]
    selected_names: tuple[str, ...]
    rank_within_selection: bool
    link_notes: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        return period_label(self.start, self.end, self.lang)

    @property
    def pool_codes(self) -> tuple[int, ...]:
        """The counties ranked together when not all of them are: the chosen ones, when ranking only among them."""
        return self.selected_codes if self.rank_within_selection else ()


def _address() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _language_changed() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state["lang"]


def language_picker() -> str:
    """The language radio; a new session takes the language from its link."""
    state = st.session_state
    if LANGUAGE_KEY not in state:
        asked = (st.query_params.get("lang") or "zh").strip().casefold()
        state[LANGUAGE_KEY] = asked if asked in LANGUAGES else "zh"
    state["lang"] = state[LANGUAGE_KEY]
    return st.sidebar.radio(
        text("language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key="lang",
        on_change=_language_changed,
    )


def _years(span: tuple[dt.date, dt.date] | None, today: dt.date) -> list[int]:
    """The years with data up to this one, newest first (a record dated in the future adds no future year)."""
    if span is None:
        return [today.year]
    last = min(span[1].year, today.year)
    first = min(span[0].year, last)
    return list(range(last, first - 1, -1))


def _open_link(years: list[int], names: dict[str, int]) -> None:
    """Take the view from the link a session opened; unreadable values are kept to be named."""
    today = dt.date.today()
    latest = cache.latest_record_date(today)
    first_half = None if latest is None else cache.latest_record_date(min(today, dt.date(latest.year, 6, 30)))
    view, notes = read_address(_address(), years, names, default_period(latest, first_half, today))
    st.session_state[VIEW_KEY] = view
    if notes:
        st.session_state[LINK_NOTES_KEY] = (view, notes)


def _widget_changed(key: str) -> None:
    """A reader changed a filter: the view takes the new value."""
    value = st.session_state[key]
    view: ViewAddress = st.session_state[VIEW_KEY]
    if key == "dates":
        dates = tuple(value) if isinstance(value, tuple | list) else ()
        st.session_state[VIEW_KEY] = replace(view, dates=dates if len(dates) == 2 else None)
        st.session_state["_dates_typed"] = dates
        return
    st.session_state[VIEW_KEY] = replace(view, **{VIEW_FIELDS[key]: tuple(value) if isinstance(value, list) else value})


def _relabel_after_language_switch(lang: str) -> None:
    state = st.session_state
    if state.get(DRAWN_LANGUAGE_KEY) not in (None, lang):
        for key in LANGUAGE_LABELLED:
            if key in state:
                state[key] = state[key]
    state[DRAWN_LANGUAGE_KEY] = lang


def sidebar_filters(lang: str) -> Filters:
    """Draw the filters from the view, mirror the view in the address, remember it for the page that runs next."""
    state = st.session_state
    today = dt.date.today()
    years = _years(cache.record_span(), today)
    counties = cache.counties()
    names = dict(zip(counties["county"].tolist(), counties["county_code"].astype(int).tolist(), strict=True))
    if VIEW_KEY not in state:
        _open_link(years, names)
    take_map_click(list(names))
    view: ViewAddress = state[VIEW_KEY]
    _relabel_after_language_switch(lang)

    state["year"] = view.year if view.year in years else years[0]
    year = st.sidebar.selectbox(text("year", lang), years, key="year", on_change=_widget_changed, args=("year",))
    state["period"] = view.preset
    preset = st.sidebar.selectbox(
        text("period", lang),
        PRESETS,
        format_func=lambda p: preset_label(p, lang),
        key="period",
        on_change=_widget_changed,
        args=("period",),
    )
    start, end = period_dates(year, "h1" if preset == "custom" else preset)
    dates = None
    if preset == "custom":
        typed = state.get("_dates_typed")
        state["dates"] = view.dates or (typed if typed else state.get("_shown_period", (start, end)))
        chosen = st.sidebar.date_input(
            text("dates", lang), key="dates", format="YYYY-MM-DD", on_change=_widget_changed, args=("dates",)
        )
        if isinstance(chosen, tuple | list) and len(chosen) == 2:
            start, end = dates = (chosen[0], chosen[1])
        else:
            st.sidebar.caption(text("dates_incomplete", lang))
    state["_shown_period"] = (start, end)

    state["counties"] = [name for name in view.counties if name in names]
    chosen_names = st.sidebar.multiselect(
        text("counties", lang),
        list(names),
        placeholder=text("all_counties", lang),
        key="counties",
        on_change=_widget_changed,
        args=("counties",),
    )
    state["rank_within"] = view.rank_within
    within = st.sidebar.checkbox(
        text("rank_within", lang),
        key="rank_within",
        disabled=not chosen_names,
        on_change=_widget_changed,
        args=("rank_within",),
    )
    within = bool(within and chosen_names)
    st.sidebar.caption(text("link_hint", lang))

    view = ViewAddress(lang, year, preset, tuple(chosen_names), within, dates)
    state[VIEW_KEY] = replace(view, rank_within=bool(state.get("rank_within")))  # kept while no county is chosen
    params = address_params(view)
    if _address() != {key: [value] if isinstance(value, str) else value for key, value in params.items()}:
        st.query_params.from_dict(params)
    filters = Filters(
        lang,
        start,
        end,
        tuple(names[name] for name in chosen_names),
        tuple(chosen_names),
        within,
        _link_notes(view, lang),
    )
    state[FILTERS_KEY] = filters
    return filters


def _link_notes(view: ViewAddress, lang: str) -> tuple[str, ...]:
    """The lines naming a link's unreadable values, shown until the reader changes the view."""
    linked = st.session_state.get(LINK_NOTES_KEY)
    if linked is None:
        return ()
    opened, notes = linked
    if (opened.year, opened.preset, opened.counties, opened.rank_within) != (
        view.year,
        view.preset,
        view.counties,
        view.rank_within,
    ):
        del st.session_state[LINK_NOTES_KEY]
        return ()
    return tuple(note.message(lang) for note in notes)


def current_filters() -> Filters:
    """The filters the entrypoint drew for this run.

    Streamlit decides on its first request whether ``pages/`` is an old-style pages folder, and then runs a
    requested page without ``app.py``. We switch that guess off: a new session reruns at once so ``app.py``
    and its ``st.navigation`` take over with the same address; otherwise (AppTest makes the same guess on
    every run, and a rerun would drop a button's click) the page draws the shared sidebar itself.
    """
    filters = st.session_state.pop(FILTERS_KEY, None)  # taken, so each page run needs this run's sidebar
    if filters is None:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        if not st.session_state:
            st.rerun()
        lang = language_picker()
        session.sidebar_account(lang, session.require_identity(lang))  # a page run without app.py passes the gate too
        filters = sidebar_filters(lang)
        st.session_state.pop(FILTERS_KEY, None)
    return filters


def take_map_click(options: list[str]) -> None:
    """A county clicked on the overview map joins the county filter; runs before the filter widget is drawn."""
    clicked = st.session_state.pop(MAP_CLICK_KEY, None)
    view: ViewAddress = st.session_state[VIEW_KEY]
    if clicked in options and clicked not in view.counties:
        st.session_state[VIEW_KEY] = replace(view, counties=(*view.counties, clicked))
