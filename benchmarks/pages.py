"""Time full reruns of dashboard pages through AppTest, in a process of their own: ``python -m benchmarks.pages DB``.

Prints one JSON object: per page the median seconds of the first rerun after an import into the year on screen
(``python -m records import`` of one inspection a month, so every result of the viewed period is built again; the
batch is withdrawn after) and of a cached rerun (the same view again), and this process's peak RSS.
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
    from streamlit.testing.v1 import AppTest

    from benchmarks.load import import_into_view, records_command
    from records.store import Store

    store = Store(Path(database))
    store.ensure_published()  # a synthetic database is a bare file until a reader publishes it
    with store.reading() as connection:
        counties = [name for (name,) in connection.execute("SELECT name FROM counties ORDER BY sort_order").fetchall()]
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
            batch = import_into_view(Path(database), int(year), counties)
            started = time.perf_counter()
            app.run()
            uncached.append(time.perf_counter() - started)
            started = time.perf_counter()
            app.run()
            cached.append(time.perf_counter() - started)
            records_command(Path(database), "withdraw", batch, "--reason", "基准测试")
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
