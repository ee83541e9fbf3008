"""The dashboard's entrypoint: page config, language, the sign-in gate, navigation and the shared filters, then
the page. Nothing but the sign-in form is drawn for a session without an identity."""

from __future__ import annotations

import logging

import duckdb
import streamlit as st

from dashboard import cache
from dashboard.runs import page_run_turn
from dashboard.session import require_identity, sidebar_account
from dashboard.sidebar import language_picker, sidebar_filters
from records.access import AccessDenied
from records.batches import BatchError
from records.db import DatabaseError, fault_message
from report.text import text

st.set_page_config(page_title="安全生产执法成效", layout="wide")
log = logging.getLogger("enforcement.dashboard")

lang = language_picker()
# Faults get one sentence on the page and the details in the server log. Streamlit's own rerun and stop are
# BaseExceptions, so they pass through (the sign-in gate stops the run with only its form drawn).
pages = [
    st.Page("pages/overview.py", title=text("overview", lang), default=True),
    st.Page("pages/rankings.py", title=text("rankings", lang), url_path="rankings"),
    st.Page("pages/charts.py", title=text("charts", lang), url_path="charts"),
    st.Page("pages/flags.py", title=text("flags", lang), url_path="flags"),
    st.Page("pages/bulletin.py", title=text("bulletin", lang), url_path="bulletin"),
    st.Page("pages/scheme.py", title=text("scheme_page", lang), url_path="scheme"),
    st.Page("pages/data.py", title=text("data", lang), url_path="data"),
]
with page_run_turn():
    try:
        cache.cursor()
        identity = require_identity(lang, pages)
        sidebar_account(lang, identity)
        navigation = st.navigation(pages)
        sidebar_filters(lang)
        navigation.run()
    except AccessDenied as refusal:
        log.warning("refused: %s", refusal)
        st.error(str(refusal) if lang == "zh" else text("access_denied", lang))
    except (DatabaseError, BatchError) as error:
        log.warning("store fault: %s", error, exc_info=True)
        st.error(text("database_error", lang, error=error))
    except (duckdb.Error, OSError) as error:
        log.error("database fault", exc_info=True)
        st.error(text("database_error", lang, error=fault_message(error)))
    except Exception:
        log.exception("page failed")
        st.error(text("page_fault", lang))
