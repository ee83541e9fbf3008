"""Charts a reader can read: names that do not sit on each other, and few enough of them at national scale."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from records.geo import BOUNDARIES_FILE, load_boundaries
from records.queries import county_measures, monthly_series, same_period_last_year
from records.schemes import built_in_scheme
from report.analysis import county_view
from report.charts import (
    bump_chart,
    county_map,
    inspections_fines_scatter,
    labelled_counties,
    measure_bars,
    monthly_trend,
    robustness_chart,
    year_on_year_bars,
)
from report.history import places_over_time_view
from scoring.history import preceding_periods
from scoring.robustness import rank_robustness


def name_positions(chart: dict) -> dict[str, str]:
    positions: dict[str, str] = {}
    for trace in chart["data"]:
        if trace.get("mode") == "markers+text":
            positions.update(zip(trace["text"], trace["textposition"], strict=True))
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
    assert len(bars["data"][0]["x"]) == 60


def every_chart(demo) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Each chart the dashboard draws, on the demo's first half of 2020 and the places before it."""
    start, end = dt.date(2020, 1, 1), dt.date(2020, 6, 30)
    measures = county_measures(demo, start, end)
    previous = county_measures(demo, *same_period_last_year(start, end))
    view = county_view(measures, previous, None)
    monthly = monthly_series(demo, start, end)
    history = places_over_time_view(
        [
            (f"P{i}", built_in_scheme(), county_measures(demo, a, b))
            for i, (a, b) in enumerate(preceding_periods(start, end))
        ]
    ).history
    boundaries = load_boundaries(BOUNDARIES_FILE)
    charts = {
        "scatter": inspections_fines_scatter(view.shown, view.scored),
        "bars": measure_bars(view.shown, "fines", "en"),
        "city trend": monthly_trend(monthly, "cases", None, "zh", "全市"),
        "county trend": monthly_trend(monthly, "fines", ["泌阳县", "驿城区"], "en"),
        "year on year": year_on_year_bars(measures, previous, "inspections"),
        "robustness": robustness_chart(rank_robustness(measures, built_in_scheme().rule)),
        "places over time": bump_chart(history, ["驿城区"]),
    }
    partial = view.narrowed([view.shown["county_code"].iloc[0]]).shown  # the rest drawn pale
    for colour_by in ("total_points", "fines", "flags"):
        charts[f"map by {colour_by}"] = county_map(partial, boundaries, colour_by, "zh", view.scored)
    return charts


def test_every_chart_is_one_plotly_accepts_as_it_stands(demo) -> None:
    """Charts are plain dicts, built without Plotly's checks, and a browser drops a misspelt property without a
    word: Plotly checks each one here, and its own figure of the chart must say exactly what the dict says."""
    for name, chart in every_chart(demo).items():
        figure = go.Figure(chart)  # raises on an unknown property or a value of the wrong kind
        checked = figure.to_dict()
        checked["layout"].pop("template", None)
        assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(chart)), name
        assert chart["data"] and chart["layout"]["title"]["text"], name
