"""Time full reruns of dashboard pages through AppTest, in a process of their own: ``python -m benchmarks.pages DB``.

Prints one JSON object: per page the median seconds of an uncached rerun (query results cleared, the database
connection kept, as after an import) and of a cached rerun (the same view again), and this process's peak RSS.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("pages/rankings.py", "pages/charts.py", "pages/flags.py")


def main(database: str, year: str, runs: int) -> dict[str, object]:
    os.environ["ENFORCEMENT_DB"] = database
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.query_params["year"] = year
    app.run()
    figures: dict[str, object] = {}
    for page in PAGES:
        app.switch_page(page)
        app.run()  # warm: imports and first drawing of this page
        if app.exception:
            raise RuntimeError(f"{page}: {app.exception[0].value}")
        uncached, cached = [], []
        for _ in range(runs):
            st.cache_data.clear()
            started = time.perf_counter()
            app.run()
            uncached.append(time.perf_counter() - started)
            started = time.perf_counter()
            app.run()
            cached.append(time.perf_counter() - started)
        name = Path(page).stem
        figures[f"{name}_uncached_s"] = statistics.median(uncached)
        figures[f"{name}_cached_s"] = statistics.median(cached)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


if __name__ == "__main__":
    print(
        json.dumps(
            main(
                sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "2024", int(sys.argv[3]) if len(sys.argv) > 3 else 5
            )
        )
    )
