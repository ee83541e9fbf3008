"""Charts with Chinese labels and hover details: pure functions from DataFrames to plain Plotly dicts.

A chart is the dict Plotly.js draws (``{"data": [...], "layout": {...}}``), built directly: Plotly's figure objects
validate every property as it is set, which made a chart cost 25–60 ms to build against 1–3 ms for its dict, and
the dashboard builds one for every view a viewer picks. The tests check each chart against Plotly's validation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from report.safe import plot
from report.text import ATTACHMENT_MEASURES, measure_heading, measure_short, scope_label, text
from scoring import ScoringRule
from scoring.catalogue import format_measure
from scoring.output import format_points

Chart = dict[str, Any]

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
FLAGGED_COLOUR = "#c0392b"
CALM_COLOUR = "#2e6da4"
LAST_YEAR_COLOUR = "#a9b8c9"
MEDIAN_LINE = {"dash": "dash", "color": "#888888"}
# One colour per line, set on the chart itself so a downloaded picture has them too (Streamlit's own theme
# colours are filled in by the browser and never reach Kaleido).
LINE_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
)
LABEL_ALL_UP_TO = 30
BARS_EACH_END = 30


def _chart(traces: list[Chart], title: str, height: int = 460, axes: bool = True, **layout: Any) -> Chart:
    """A chart with the common look; ``layout`` adds to it, and an axis given there keeps the common grid.

    >>> chart = _chart([], "标题", xaxis={"title": {"text": "月份"}})
    >>> chart["layout"]["title"]["text"], chart["layout"]["xaxis"]
    ('标题', {'gridcolor': '#eeeeee', 'zeroline': False, 'title': {'text': '月份'}})
    """
    look: Chart = {
        "title": {"text": title, "x": 0.01},
        "font": {"family": FONT, "size": 14},
        "height": height,
        "margin": {"l": 60, "r": 30, "t": 60, "b": 60},
        "hoverlabel": {"font": {"family": FONT}},
        "colorway": list(LINE_COLOURS),
        "legend": {"orientation": "h", "y": -0.18},
        "plot_bgcolor": "white",
    }
    if axes:
        for axis in ("xaxis", "yaxis"):
            look[axis] = {"gridcolor": "#eeeeee", "zeroline": False, **layout.pop(axis, {})}
    look.update(layout)
    return {"data": traces, "layout": look}


def _numbers(values: pd.Series | np.ndarray | list[object]) -> list[float | None]:
    """Numbers as Plotly.js reads them: floats, and None where a figure is missing."""
    floats = pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)
    return [None if value != value else value for value in floats.tolist()]


def _names(values: pd.Series | list[object]) -> list[str]:
    """Names from a file as literal text in a chart (Plotly reads <a>, <b>, <br> in text)."""
    return [plot(value) for value in values]


def _axis_title(title: str) -> Chart:
    return {"title": {"text": title}}


def title_of(chart: Chart) -> str:
    """The chart's title text."""
    return str(chart["layout"].get("title", {}).get("text") or "")


def with_period(chart: Chart, period: str, lang: str = "zh") -> Chart:
    """A copy of a chart whose title names its period, for a picture that leaves the dashboard."""
    title = {
        **chart["layout"].get("title", {}),
        "text": text("picture_title", lang, period=period, title=title_of(chart)),
    }
    return {**chart, "layout": {**chart["layout"], "title": title}}


def labelled_counties(frame: pd.DataFrame) -> pd.Series:
    """Which points carry a name: all of them when few; else the extremes on each axis and the last places."""
    if len(frame) <= LABEL_ALL_UP_TO:
        return pd.Series(True, index=frame.index)
    keep = frame["overall_rank"].astype("float64").rank(ascending=False, method="first") <= 5
    for column in ("inspections", "fines"):
        values = frame[column].astype("float64")
        keep |= values.rank(ascending=False, method="first") <= 5
        keep |= values.rank(ascending=True, method="first") <= 5
    return keep


def label_positions(shown: pd.DataFrame, labelled: pd.Series) -> pd.Series:
    """Names above their points, except where two points crowd: then one name goes left and the other right.

    Decided over every shown county at once, flagged or not, since both kinds share the plot.
    """
    x = shown["inspections"].astype("float64")
    y = shown["fines"].astype("float64")
    x_near = 0.08 * max(float(x.max() - x.min()), 1.0)
    y_near = 0.15 * max(float(y.max() - y.min()), 1.0)
    above: list[object] = []
    positions = pd.Series("top center", index=shown.index)
    for index in x[labelled].sort_values(kind="stable").index:
        neighbour = next(
            (other for other in above if abs(x[index] - x[other]) < x_near and abs(y[index] - y[other]) < y_near),
            None,
        )
        if neighbour is None:
            above.append(index)
        else:  # the pair's names go either side of them
            positions[neighbour] = "middle left"
            positions[index] = "middle right"
    return positions


def inspections_fines_scatter(
    shown: pd.DataFrame, pool: pd.DataFrame, lang: str = "zh", pool_name: str | None = None
) -> Chart:
    """Inspections against fines, bubbles sized by cases, flagged counties in red, dashed medians of the pool.

    ``pool_name`` says what the medians are of: 全市 (the default) or 所选3个县区 when ranking among those.
    """
    traces: list[Chart] = []
    shown = shown[["county", "inspections", "fines", "cases", "overall_rank", "total_points", "flags"]]
    labelled = labelled_counties(shown)
    positions = label_positions(shown, labelled)
    largest = max(float(shown["cases"].astype("float64").max() or 1), 1.0)
    for is_flagged, colour, name in ((False, CALM_COLOUR, "not_flagged"), (True, FLAGGED_COLOUR, "flagged")):
        part = shown[(shown["flags"] != "") == is_flagged]
        if part.empty:
            continue
        cases = part["cases"].astype("float64").fillna(0).to_numpy()
        names = _names(part["county"])
        customdata = zip(
            names,
            cases.tolist(),
            _numbers(part["overall_rank"]),
            _numbers(part["total_points"]),
            part["flags"].tolist(),
            strict=True,
        )
        traces.append(
            {
                "type": "scatter",
                "x": _numbers(part["inspections"]),
                "y": _numbers(part["fines"]),
                "mode": "markers+text",
                "name": text(name, lang),
                "text": [
                    name if shown_name else "" for name, shown_name in zip(names, labelled[part.index], strict=True)
                ],
                "textposition": positions[part.index].tolist(),
                "marker": {
                    "size": (12 + 38 * np.sqrt(cases / largest)).tolist(),
                    "color": colour,
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": [list(row) for row in customdata],
                "hovertemplate": _scatter_hover(lang),
            }
        )
    median_x = float(pool["inspections"].astype("float64").median())
    median_y = float(pool["fines"].astype("float64").median())
    median = text("median", lang, pool=pool_name or scope_label(0, lang))
    median_name = (
        f"{median}（检查{median_x:g}家次，罚款{median_y:.2f}万元）"
        if lang == "zh"
        else f"{median} ({median_x:g} inspections, {median_y:.2f} fines)"
    )
    traces.append(
        {"type": "scatter", "x": [None], "y": [None], "mode": "lines", "line": MEDIAN_LINE, "name": median_name}
    )
    medians = [
        {
            "type": "line",
            "line": MEDIAN_LINE,
            "x0": median_x,
            "x1": median_x,
            "xref": "x",
            "y0": 0,
            "y1": 1,
            "yref": "y domain",
        },
        {
            "type": "line",
            "line": MEDIAN_LINE,
            "x0": 0,
            "x1": 1,
            "xref": "x domain",
            "y0": median_y,
            "y1": median_y,
            "yref": "y",
        },
    ]
    quadrant = {
        "x": 1,
        "y": 0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "text": text("scatter_quadrant", lang),
        "font": {"color": FLAGGED_COLOUR, "size": 13},
    }
    return _chart(
        traces,
        text("scatter_title", lang),
        height=520,
        xaxis=_axis_title(text("inspections", lang)),
        yaxis=_axis_title(text("fines", lang)),
        shapes=medians,
        annotations=[quadrant],
    )


def _scatter_hover(lang: str) -> str:
    if lang == "en":
        return (
            "<b>%{customdata[0]}</b><br>Inspections %{x:.0f}<br>Fines %{y:.2f} (10k yuan)<br>"
            "Cases %{customdata[1]:.0f}<br>Place %{customdata[2]:.0f}, %{customdata[3]:g} points<br>"
            "%{customdata[4]}<extra></extra>"
        )
    return (
        "<b>%{customdata[0]}</b><br>检查 %{x:.0f} 家次<br>罚款 %{y:.2f} 万元<br>立案 %{customdata[1]:.0f} 起<br>"
        "名次 第%{customdata[2]:.0f}名，%{customdata[3]:g}分<br>%{customdata[4]}<extra></extra>"
    )


def measure_bars(shown: pd.DataFrame, measure: str, lang: str = "zh") -> Chart:
    """One measure per county, highest first, flagged counties in red, with rank and points on hover."""
    ordered = shown.sort_values(measure, ascending=False)
    if len(ordered) > 2 * BARS_EACH_END:  # thousands of bars cannot be read: show both ends
        ordered = pd.concat([ordered.head(BARS_EACH_END), ordered.tail(BARS_EACH_END)])
    values = _numbers(ordered[measure])
    bars = {
        "type": "bar",
        "x": _names(ordered["county"]),
        "y": values,
        "text": [format_measure(measure, np.nan if v is None else v) for v in values],
        "textposition": "outside",
        "marker": {"color": [FLAGGED_COLOUR if f else CALM_COLOUR for f in ordered["flags"]]},
        "customdata": [
            list(pair)
            for pair in zip(_numbers(ordered[f"{measure}_rank"]), _numbers(ordered[f"{measure}_points"]), strict=True)
        ],
        "hovertemplate": (
            "<b>%{x}</b><br>%{text}<br>"
            + (
                "排名 %{customdata[0]:.0f}，得分 %{customdata[1]:g}"
                if lang == "zh"
                else "rank %{customdata[0]:.0f}, %{customdata[1]:g} points"
            )
            + "<extra></extra>"
        ),
    }
    heading = measure_heading(measure, lang)
    return _chart([bars], text("bars_title", lang, measure=heading), yaxis=_axis_title(heading))


def monthly_trend(
    monthly: pd.DataFrame, measure: str, counties: list[str] | None, lang: str = "zh", scope: str | None = None
) -> Chart:
    """Each county's monthly series for one measure, each in its own colour; or, when ``counties`` is None,
    the total of the rows given, titled by ``scope`` (全市, or 所选2个县区)."""
    hover = "%{x|%Y-%m}<br>%{y}<extra>%{fullData.name}</extra>"
    traces: list[Chart] = []
    if counties is None:
        city = monthly.groupby("month", as_index=False)[measure].sum()
        traces.append(
            {
                "type": "bar",
                "x": _months(city["month"]),
                "y": _numbers(city[measure]),
                "name": text(measure, lang),
                "marker": {"color": CALM_COLOUR},
                "hovertemplate": hover,
            }
        )
        title = text("city_trend_title", lang, measure=text(measure, lang), scope=scope or scope_label(0, lang))
    else:
        by_county = dict(tuple(monthly.sort_values("month", kind="stable").groupby("county", sort=False)))
        for index, county in enumerate(counties):
            series = by_county.get(county, monthly.iloc[0:0])
            colour = LINE_COLOURS[index % len(LINE_COLOURS)]
            traces.append(
                {
                    "type": "scatter",
                    "x": _months(series["month"]),
                    "y": _numbers(series[measure]),
                    "mode": "lines+markers",
                    "name": plot(county),
                    "line": {"color": colour},
                    "marker": {"color": colour},
                    "hovertemplate": hover,
                }
            )
        title = text("trend_title", lang, measure=text(measure, lang))
    months = {
        "title": {"text": text("month", lang)},
        "tickformat": "%Y年%m月" if lang == "zh" else "%b %Y",
        "dtick": "M1",
    }
    return _chart(traces, title, xaxis=months, yaxis=_axis_title(text(measure, lang)))


def _months(values: pd.Series) -> list[str]:
    return [f"{pd.Timestamp(value):%Y-%m-%d}" for value in values]


def year_on_year_bars(current: pd.DataFrame, previous: pd.DataFrame, measure: str, lang: str = "zh") -> Chart:
    """This period against the same period last year, county by county."""
    last = previous.drop_duplicates("county_code").set_index("county_code")[measure]
    joined = pd.DataFrame(
        {
            "county": current["county"].to_numpy(),
            measure: current[measure].to_numpy(),
            f"{measure}_last": current["county_code"].map(last).to_numpy(),
        }
    )
    if len(joined) > 2 * BARS_EACH_END:  # with thousands of counties, show those that fell the most
        fall = joined[measure].astype("float64") - joined[f"{measure}_last"].astype("float64")
        joined = joined.loc[fall.sort_values(kind="stable").index[: 2 * BARS_EACH_END]]
    names = _names(joined["county"])
    bars = [
        {
            "type": "bar",
            "x": names,
            "y": _numbers(joined[f"{measure}_last"]),
            "name": text("last_period", lang),
            "marker": {"color": LAST_YEAR_COLOUR},
        },
        {
            "type": "bar",
            "x": names,
            "y": _numbers(joined[measure]),
            "name": text("this_period", lang),
            "marker": {"color": CALM_COLOUR},
        },
    ]
    title = text("yoy_title", lang, measure=text(measure, lang))
    return _chart(bars, title, barmode="group", yaxis=_axis_title(text(measure, lang)))


# What can colour the map, with the short label of each for the picker (the default scheme's; ``map_measures``
# gives any scheme's).
MAP_MEASURES = {
    "total_points": "map_total_points",
    "inspections": "inspections_short",
    "cases": "cases_short",
    "fines": "fines_short",
    "flags": "flag_column",
    "quality": "map_quality",
}


def map_measures(rule: ScoringRule | None = None, lang: str = "zh") -> dict[str, str]:
    """What can colour the map under a scheme, each with its label for the picker: the total, each measure of the
    scheme, the flags."""
    rule = rule or ScoringRule()
    choices = {"total_points": text("map_total_points", lang)}
    choices.update({m.column: measure_short(m, lang) for m in rule.measures})
    choices["flags"] = text("flag_column", lang)
    choices["quality"] = text("map_quality", lang)
    return choices


# Plotly's "Blues" without its near-white end, so the lowest county still stands out from the page.
MAP_BLUES = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
NOT_FLAGGED_COLOUR = "#c3c9d0"
QUALITY_PALE_RED = "#f5b7b1"  # one quality flag; the full red is the most flags any county has
OFF_MAP_COLOUR = "#f1f3f5"  # a county on the map without figures in this view
DARK_TEXT = "#1b2631"


def county_map(
    shown: pd.DataFrame,
    geojson: dict,
    colour_by: str,
    lang: str = "zh",
    pool: pd.DataFrame | None = None,
    rule: ScoringRule | None = None,
) -> Chart:
    """The counties coloured by a measure (darker = higher) or by flags (red), named on the map; no tiles.

    Counties on the map but not in ``shown`` (not chosen, or without data) are drawn pale, so the city keeps
    its shape and they can still be clicked. The colours span ``pool`` (the ranking's counties, default
    ``shown``), so a county keeps its colour when others are hidden.
    """
    features = {int(feature["properties"]["code"]): feature for feature in geojson["features"]}
    drawn = shown[shown["county_code"].astype("int64").isin(features)]
    if colour_by not in ("flags", "quality"):
        drawn = drawn[drawn[colour_by].notna()]
    codes = drawn["county_code"].astype("int64").tolist()
    drawn_codes = set(codes)
    off_map = [code for code in features if code not in drawn_codes]
    if colour_by == "flags":
        values = [1.0 if flags else 0.0 for flags in drawn["flags"]]
        scale = [[0, NOT_FLAGGED_COLOUR], [0.5, NOT_FLAGGED_COLOUR], [0.5, FLAGGED_COLOUR], [1, FLAGGED_COLOUR]]
        low, high = 0.0, 1.0
        colour_bar = {
            "tickvals": [0.25, 0.75],
            "ticktext": [text("not_flagged", lang), text("flagged", lang)],
            "title": {"text": text("flag_column", lang)},
        }
    elif colour_by == "quality":  # how many quality signals flag the county: grey for none, redder for more
        values = drawn["quality"].astype("float64").tolist()
        high = max([1.0, *values])
        grey, pale = [0, NOT_FLAGGED_COLOUR], [0.5 / high, NOT_FLAGGED_COLOUR]
        scale = [grey, pale, [0.5 / high, QUALITY_PALE_RED], [1, FLAGGED_COLOUR]]
        low = 0.0
        colour_bar = {"tickvals": list(range(int(high) + 1)), "title": {"text": text("map_quality_bar", lang)}}
    else:
        values = drawn[colour_by].astype("float64").tolist()
        scale = [[step / (len(MAP_BLUES) - 1), colour] for step, colour in enumerate(MAP_BLUES)]
        spanned = (shown if pool is None else pool)[colour_by].astype("float64").dropna().tolist() + values
        low, high = (min(spanned), max(spanned)) if spanned else (0.0, 1.0)
        heading = text("map_total_points", lang) if colour_by == "total_points" else measure_heading(colour_by, lang)
        colour_bar = {"title": {"text": heading.replace("（", "<br>（")}}
    # The names go first: Plotly fetches a world map from the internet when the first trace on a map has a
    # "locationmode", which every Choropleth has; a text trace placed by longitude and latitude has none.
    points = [_label_point(features[code]) for code in codes]
    traces: list[Chart] = [
        {
            "type": "scattergeo",
            "lon": [lon for lon, _ in points],
            "lat": [lat for _, lat in points],
            "mode": "text",
            "text": [_map_label(row, colour_by) for _, row in drawn.iterrows()],
            "textfont": {
                "family": FONT,
                "size": 13,
                # White names on the darkest part of the scale (and on red), dark names elsewhere.
                "color": ["white" if (value - low) / ((high - low) or 1) > 0.6 else DARK_TEXT for value in values],
            },
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    if off_map:
        traces.append(
            {
                "type": "choropleth",
                # The features are the shared boundaries' own dicts: a chart is only read, never changed.
                "geojson": {"type": "FeatureCollection", "features": [features[code] for code in off_map]},
                "featureidkey": "properties.code",
                "locations": off_map,
                "z": [0] * len(off_map),
                "colorscale": [[0, OFF_MAP_COLOUR], [1, OFF_MAP_COLOUR]],
                "showscale": False,
                "marker": {"line": {"color": "white", "width": 1}},
                "customdata": [plot(features[code]["properties"]["name"]) for code in off_map],
                "hovertemplate": "<b>%{customdata}</b><br>" + text("map_not_shown", lang) + "<extra></extra>",
            }
        )
    traces.append(
        {
            "type": "choropleth",
            "geojson": {"type": "FeatureCollection", "features": [features[code] for code in codes]},
            "featureidkey": "properties.code",
            "locations": codes,
            "z": values,
            "zmin": low,
            "zmax": high if high > low else low + 1,
            "colorscale": scale,
            "colorbar": {"thickness": 14, "len": 0.7, **colour_bar},
            "marker": {"line": {"color": "white", "width": 1}},
            "customdata": _names(drawn["county"]),
            "hovertext": [_map_hover(row, lang, rule) for _, row in drawn.iterrows()],
            "hovertemplate": "%{hovertext}<extra></extra>",
        }
    )
    labels = {"flags": "flag_column", "quality": "map_quality", "total_points": "map_total_points"}
    measure = text(labels[colour_by], lang) if colour_by in labels else measure_heading(colour_by, lang)
    return _chart(
        traces,
        text("map_figure_title", lang, measure=measure),
        height=560,
        axes=False,
        geo={"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"}, "bgcolor": "white"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )


def _map_label(row: pd.Series, colour_by: str) -> str:
    """The county's name, and under it the figure that colours it (a warning sign when flagged)."""
    name = plot(row["county"])
    if colour_by == "flags":
        return f"{name}<br>⚠" if row["flags"] else name
    if colour_by == "quality":
        return f"{name}<br>⚠ {row['quality']}" if row["quality"] else name
    value = format_points(row[colour_by]) if colour_by == "total_points" else format_measure(colour_by, row[colour_by])
    return f"{name}<br>{value}"


def _map_hover(row: pd.Series, lang: str, rule: ScoringRule | None = None) -> str:
    """The county's figures, ranks and points, one measure of the scheme a line, as the attachment gives them."""
    lines = [
        f"<b>{plot(row['county'])}</b>",
        text("map_hover_place", lang, place=_place(row["overall_rank"]), points=_place(row["total_points"])),
    ]
    for measure in (rule or ScoringRule()).measures:
        key = measure.column
        value = format_measure(key, row[key])
        figures = {"value": value or "—", "rank": _place(row[f"{key}_rank"]), "points": _place(row[f"{key}_points"])}
        if key in ATTACHMENT_MEASURES:
            lines.append(text(f"map_hover_{key}", lang, **figures))
        else:
            lines.append(text("map_hover_measure", lang, measure=measure_heading(measure, lang), **figures))
    if row["flags"]:
        lines.append(f"⚠ {row['flags']}")
    if row.get("quality_flags"):
        lines.append(text("map_hover_quality", lang, flags=row["quality_flags"]))
    return "<br>".join(lines)


def _place(value: object) -> str:
    return format_points(value) or "—"


def _label_point(feature: dict) -> tuple[float, float]:
    """Where a county's name goes: the file's label point, else the centroid of its largest piece's outer ring."""
    label = feature["properties"].get("label")
    if label:
        return float(label[0]), float(label[1])
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    best: tuple[float, float, float] = (0.0, 0.0, 0.0)  # area, x, y
    for polygon in polygons:
        ring = polygon[0]
        twice_area = centre_x = centre_y = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            twice_area += cross
            centre_x += (x0 + x1) * cross
            centre_y += (y0 + y1) * cross
        if twice_area and abs(twice_area) > best[0]:
            best = (abs(twice_area), centre_x / (3 * twice_area), centre_y / (3 * twice_area))
    if not best[0]:  # a degenerate shape: fall back to the plain average of its points
        points = [point for polygon in polygons for point in polygon[0]]
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    return best[1], best[2]


ROBUSTNESS_EACH_END = 30
BUMP_EACH_END = 15
MUTED_COLOUR = "#c3c9d0"


def robustness_chart(places: pd.DataFrame, lang: str = "zh", variants: int | None = None) -> Chart:
    """Each ranked county's place in force (a dot) and its 5–95 % range under the alternative schemes (a line),
    ordered by place, first at the top; sensitive places in red. With many counties, both ends are shown."""
    ranked = places[places["place"].notna()].sort_values("place", kind="stable")
    if len(ranked) > 2 * ROBUSTNESS_EACH_END:
        ranked = pd.concat([ranked.head(ROBUSTNESS_EACH_END), ranked.tail(ROBUSTNESS_EACH_END)])
    place = ranked["place"].astype("float64").to_numpy()
    low = ranked["low_place"].astype("float64").to_numpy()
    high = ranked["high_place"].astype("float64").to_numpy()
    stable = ranked["stable"].astype(bool).to_numpy()
    count = variants if variants is not None else int(ranked["variants"].iloc[0]) if len(ranked) else 0
    places_in_force = {
        "type": "scatter",
        "x": place.tolist(),
        "y": _names(ranked["county"]),
        "mode": "markers",
        "name": text("robust_place", lang),
        "marker": {"size": 11, "color": [CALM_COLOUR if s else FLAGGED_COLOUR for s in stable]},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (high - place).tolist(),
            "arrayminus": (place - low).tolist(),
            "thickness": 2.5,
            "width": 4,
            "color": "#7f8c8d",
        },
        "customdata": np.column_stack([low, high, ranked["median_place"].astype("float64").to_numpy()]).tolist(),
        "hovertemplate": (
            "<b>%{y}</b><br>"
            + (
                "现行第%{x:.0f}名；区间第%{customdata[0]:.0f}–%{customdata[1]:.0f}名，中位第%{customdata[2]:.0f}名"
                if lang == "zh"
                else "place %{x:.0f}; range %{customdata[0]:.0f}–%{customdata[1]:.0f}, median %{customdata[2]:.0f}"
            )
            + "<extra></extra>"
        ),
    }
    interval = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "line": {"color": "#7f8c8d", "width": 2.5},
        "name": text("robust_interval", lang),
    }
    axis = {"title": {"text": text("place_axis", lang)}, "rangemode": "tozero"}
    if len(places) <= 30:
        axis["dtick"] = 1
    return _chart(
        [places_in_force, interval],
        text("robust_chart_title", lang, n=count),
        height=max(320, 90 + 26 * len(ranked)),
        xaxis=axis,
        yaxis={"autorange": "reversed", "type": "category"},
    )


def bump_chart(
    history: pd.DataFrame, highlighted: list[str], lang: str = "zh", shown: list[str] | None = None
) -> Chart:
    """Places over time: one line per county across the periods, first place at the top; the ``highlighted``
    counties in colour, the rest muted. A period without data for a county is a gap in its line (its hover says
    无数据), never a last place."""
    periods = list(dict.fromkeys(history.sort_values("period_index")["period"]))
    counties = shown if shown is not None else list(dict.fromkeys(history["county"]))
    cells = {(row.county, row.period): row for row in history.itertuples(index=False)}
    traces: list[Chart] = []
    colour_index = 0
    for county in counties:
        rows = [cells.get((county, period)) for period in periods]  # None: no row, so no data that period
        places = [row.place if row is not None else None for row in rows]
        notes = [_history_note(row, lang) for row in rows]
        bright = not highlighted or county in highlighted
        colour = LINE_COLOURS[colour_index % len(LINE_COLOURS)] if bright else MUTED_COLOUR
        colour_index += bright
        name = plot(county)
        traces.append(
            {
                "type": "scatter",
                "x": periods,
                "y": _numbers(places),
                "mode": "lines+markers",
                "name": name,
                "connectgaps": False,
                "line": {"color": colour, "width": 3.5 if bright and highlighted else 2 if bright else 1.2},
                "marker": {"color": colour, "size": 9 if bright else 6},
                "customdata": notes,
                "hovertemplate": f"<b>{name}</b><br>%{{x}}：%{{customdata}}<extra></extra>"
                if lang == "zh"
                else f"<b>{name}</b><br>%{{x}}: %{{customdata}}<extra></extra>",
                "opacity": 1.0 if bright else 0.7,
            }
        )
    places_axis = {"title": {"text": text("place_axis", lang)}, "autorange": "reversed"}
    if len(counties) <= 30:
        places_axis["dtick"] = 1
    periods_axis = {
        "title": {"text": text("period_axis", lang)},
        "type": "category",
        "categoryorder": "array",
        "categoryarray": periods,
    }
    return _chart(traces, text("bump_title", lang, n=len(periods)), height=520, xaxis=periods_axis, yaxis=places_axis)


def _history_note(row: Any, lang: str) -> str:
    """A period's hover note for a county: its place, or 无数据 (no row or no data), or 未排名."""
    status = None if row is None else row.status
    if status == "ranked":
        return text("history_place", lang, place=int(row.place), n=int(row.ranked))
    return text("history_not_ranked" if status == "not_ranked" else "history_no_data", lang)
