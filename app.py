"""The dashboard's entrypoint: page config, language, navigation and the shared filters, then the page."""

from __future__ import annotations

import streamlit as st

from dashboard import cache
from dashboard.sidebar import language_picker, sidebar_filters
from records.db import DatabaseError
from report.text import text

st.set_page_config(page_title="安全生产执法成效", layout="wide")

lang = language_picker()
navigation = st.navigation(
    [
        st.Page("pages/overview.py", title=text("overview", lang), default=True),
        st.Page("pages/rankings.py", title=text("rankings", lang), url_path="rankings"),
        st.Page("pages/charts.py", title=text("charts", lang), url_path="charts"),
        st.Page("pages/flags.py", title=text("flags", lang), url_path="flags"),
        st.Page("pages/bulletin.py", title=text("bulletin", lang), url_path="bulletin"),
        st.Page("pages/data.py", title=text("data", lang), url_path="data"),
    ]
)
try:
    cache.cursor()
except DatabaseError as error:
    st.error(text("database_error", lang, error=error))
    st.stop()
sidebar_filters(lang)
navigation.run()
