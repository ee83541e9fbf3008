"""The shared sidebar (language, year, period, counties, ranking pool) and the address bar that mirrors it.

Streamlit's own ``bind="query-params"`` would store each widget's label in the address (第二季度, Q2), which
a link made in the other language cannot read. Here the address holds language-neutral values
(``report.links``): it is read once when a session opens a link, and written again after every run, so a
copied link reopens the same view in either language and every filter stays in the address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import cache
from report.links import ViewAddress, address_params, read_address
from report.periods import PRESETS, default_period, period_dates, period_label, preset_label
from report.text import LANGUAGES, scope_label, text

FILTERS_KEY = "_filters"
LINK_NOTES_KEY = "_link_notes"
DRAWN_LANGUAGE_KEY = "_drawn_language"
SIDEBAR_PAGE_KEY = "_sidebar_page"
MAP_CLICK_KEY = "_map_clicked"
# Select boxes whose labels depend on the language: the browser keeps the label it was sent, so after a switch
# they are given their value again and redrawn in the new language.
LANGUAGE_LABELLED = ("period", "upload_kind")


@dataclass(frozen=True)
class Filters:
    lang: str
    start: dt.date
    end: dt.date
    selected_codes: tuple[int, ...]
    selected_names: tuple[str, ...]
    rank_within_selection: bool
    county_count: int = 0  # counties in the database
    link_notes: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        return period_label(self.start, self.end, self.lang)

    @property
    def partial(self) -> bool:
        """Whether the chosen counties are fewer than all of them (choosing every county is the whole city)."""
        return 0 < len(self.selected_codes) < self.county_count

    @property
    def scope(self) -> str:
        """What the figures cover: 全市, or 所选N个县区."""
        return scope_label(len(self.selected_codes) if self.partial else 0, self.lang)

    @property
    def pool_scope(self) -> str:
        """What the ranking (and its averages, medians and 同比 comparisons) is computed over."""
        return self.scope if self.rank_within_selection else scope_label(0, self.lang)


def _address() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def language_picker(from_address: bool = False) -> str:
    """The language radio; a new session takes the language from its link."""
    if from_address or "lang" not in st.session_state:
        asked = (st.query_params.get("lang") or "zh").strip().casefold()
        st.session_state["lang"] = asked if asked in LANGUAGES else "zh"
    return st.sidebar.radio(text("language"), list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True, key="lang")


def _years(span: tuple[dt.date, dt.date] | None, today: dt.date) -> list[int]:
    """The years with data up to this one, newest first (a record dated in the future adds no future year)."""
    if span is None:
        return [today.year]
    last = min(span[1].year, today.year)
    first = min(span[0].year, last)
    return list(range(last, first - 1, -1))


FILTER_KEYS = ("year", "period", "counties", "rank_within")


def _open_link(years: list[int], names: dict[str, int], default: tuple[int, str], every: bool = False) -> None:
    """Seed the filters a session does not hold yet (``every``: all of them) from its address; unreadable values
    are kept to be named.

    A new session takes the whole view from its link; a page that runs without the entrypoint (as Streamlit's
    AppTest runs a page after ``switch_page``) takes it from the address this module wrote on the last run.
    """
    view, notes = read_address(_address(), years, names, default)
    state = st.session_state
    seeds = {
        "year": view.year,
        "period": view.preset,
        "counties": list(view.counties),
        "rank_within": view.rank_within,
    }
    if view.dates is not None:
        seeds["dates"] = view.dates
    for key, value in seeds.items():
        if every or key not in state:
            state[key] = value
    if notes:
        state[LINK_NOTES_KEY] = (view, notes)


def _relabel_after_language_switch(lang: str) -> None:
    state = st.session_state
    if state.get(DRAWN_LANGUAGE_KEY) not in (None, lang):
        for key in LANGUAGE_LABELLED:
            if key in state:
                state[key] = state[key]
    state[DRAWN_LANGUAGE_KEY] = lang


def sidebar_filters(lang: str, from_address: bool = False) -> Filters:
    """Draw the filters, mirror them in the address and remember them for the page that runs next.

    ``from_address`` takes every filter from the address first, for a page run without the entrypoint.
    """
    today = dt.date.today()
    years = _years(cache.record_span(), today)
    counties = cache.counties()
    names = dict(zip(counties["county"].tolist(), counties["county_code"].astype(int).tolist(), strict=True))
    if from_address or any(key not in st.session_state for key in FILTER_KEYS):
        latest = cache.latest_record_date(today)
        first_half = None if latest is None else cache.latest_record_date(min(today, dt.date(latest.year, 6, 30)))
        _open_link(years, names, default_period(latest, first_half, today), from_address)
    _relabel_after_language_switch(lang)

    year = st.sidebar.selectbox(text("year", lang), years, key="year")
    preset = st.sidebar.selectbox(
        text("period", lang), PRESETS, format_func=lambda p: preset_label(p, lang), key="period"
    )
    start, end = period_dates(year, "h1" if preset == "custom" else preset)
    dates = None
    if preset == "custom":
        st.session_state.setdefault("dates", st.session_state.get("_shown_period", (start, end)))
        chosen = st.sidebar.date_input(text("dates", lang), key="dates", format="YYYY-MM-DD")
        if isinstance(chosen, tuple | list) and len(chosen) == 2:
            start, end = dates = (chosen[0], chosen[1])
        else:
            st.sidebar.caption(text("dates_incomplete", lang))
    st.session_state["_shown_period"] = (start, end)

    take_map_click(list(names))
    chosen_names = st.sidebar.multiselect(
        text("counties", lang), list(names), placeholder=text("all_counties", lang), key="counties"
    )
    within = st.sidebar.checkbox(text("rank_within", lang), key="rank_within", disabled=not chosen_names)
    within = bool(within and chosen_names)
    st.sidebar.caption(text("link_hint", lang))

    view = ViewAddress(lang, year, preset, tuple(chosen_names), within, dates)
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
        len(names),
        _link_notes(view, lang),
    )
    st.session_state[FILTERS_KEY] = filters
    st.session_state[SIDEBAR_PAGE_KEY] = _page()
    return filters


def _page() -> str:
    context = get_script_run_ctx()
    return context.page_script_hash if context is not None else ""


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
        # A page drawn without the entrypoint makes its own sidebar widgets, which start afresh when the page
        # changes; the address written on the last run still holds the view.
        moved = st.session_state.get(SIDEBAR_PAGE_KEY) not in (None, _page())
        filters = sidebar_filters(language_picker(from_address=moved), from_address=moved)
        st.session_state.pop(FILTERS_KEY, None)
    return filters


def take_map_click(options: list[str]) -> None:
    """A county clicked on the overview map joins the county filter; runs before the filter widget is drawn."""
    clicked = st.session_state.pop(MAP_CLICK_KEY, None)
    chosen = list(st.session_state.get("counties", []))
    if clicked in options and clicked not in chosen:
        st.session_state["counties"] = [*chosen, clicked]
