"""Charts a reader can read: names that do not sit on each other, and few enough of them at national scale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from records.queries import county_measures
from report.analysis import county_view
from report.charts import inspections_fines_scatter, labelled_counties, measure_bars


def name_positions(figure) -> dict[str, str]:  # type: ignore[no-untyped-def]
    positions: dict[str, str] = {}
    for trace in figure.data:
        if trace.mode == "markers+text":
            positions.update(zip(trace.text, trace.textposition, strict=True))
    return positions


def test_close_neighbours_get_their_names_on_opposite_sides(demo) -> None:
    view = county_view(county_measures(demo, dt.date(2020, 1, 1), dt.date(2020, 6, 30)), None, None)
    positions = name_positions(inspections_fines_scatter(view.shown, view.scored))
    assert len(positions) == 10
    # 平舆县 (148, 3.30) is not flagged and 新蔡县 (152, 2.90) is: different traces, still one plot.
    assert positions["平舆县"] != positions["新蔡县"]
    assert positions["西平县"] != positions["上蔡县"]


def synthetic_view(counties: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    table = pd.DataFrame(
        {
            "county_code": np.arange(counties) + 100000,
            "county": [f"县{i}" for i in range(counties)],
            "source": "records",
            "inspections": rng.integers(0, 500, counties),
            "cases": rng.integers(0, 30, counties),
            "fines": rng.integers(0, 500_000, counties) / 100,
        }
    )
    return county_view(table, None, None).shown


def test_thousands_of_counties_name_only_the_extremes_and_draw_both_ends() -> None:
    shown = synthetic_view(2800)
    named = labelled_counties(shown)
    assert 5 <= named.sum() <= 25
    lowest_place = shown["overall_rank"].astype("float64").idxmax()
    assert named[lowest_place]
    bars = measure_bars(shown, "inspections")
    assert len(bars.data[0].x) == 60
