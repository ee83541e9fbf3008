"""Streamlit glue only: the shared sidebar and page layout, and the one caching module.

What the pages show is computed in ``report/`` (Streamlit-free), ``records/`` and ``scoring/``.
"""
