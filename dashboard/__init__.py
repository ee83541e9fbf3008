"""The Streamlit dashboard's helpers: periods, text, caching, analysis, charts and exports.

Only ``cache`` and ``sidebar`` import Streamlit; the rest are plain functions the tests call directly.
"""
