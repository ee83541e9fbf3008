"""Plotly figures with Chinese labels and hover details; pure functions from DataFrames to figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.text import text
from scoring.output import format_fines

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
FLAGGED_COLOUR = "#c0392b"
CALM_COLOUR = "#2e6da4"
LAST_YEAR_COLOUR = "#a9b8c9"
LABEL_ALL_UP_TO = 30


def _layout(figure: go.Figure, title: str, height: int = 460) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 60},
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="white",
    )
    figure.update_xaxes(gridcolor="#eeeeee", zeroline=False)
    figure.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return figure


def labelled_counties(frame: pd.DataFrame) -> pd.Series:
    """Which points carry a name: all of them when few, else the flagged and the extremes on each axis."""
    if len(frame) <= LABEL_ALL_UP_TO:
        return pd.Series(True, index=frame.index)
    keep = frame["flags"] != ""
    for column in ("inspections", "fines"):
        values = frame[column].astype("float64")
        keep |= values.rank(ascending=False, method="first") <= 5
        keep |= values.rank(ascending=True, method="first") <= 5
    return keep


def label_positions(points: pd.DataFrame, everyone: pd.DataFrame) -> list[str]:
    """Put a name below its point when a close neighbour's name already sits above, so names do not collide."""
    x = everyone["inspections"].astype("float64")
    y = everyone["fines"].astype("float64")
    x_near = 0.08 * max(float(x.max() - x.min()), 1.0)
    y_near = 0.10 * max(float(y.max() - y.min()), 1.0)
    above: list[tuple[float, float]] = []
    positions: dict[object, str] = {}
    for index in x.sort_values(kind="stable").index:
        crowded = any(abs(x[index] - px) < x_near and abs(y[index] - py) < y_near for px, py in above)
        positions[index] = "bottom center" if crowded else "top center"
        if not crowded:
            above.append((x[index], y[index]))
    return [positions[index] for index in points.index]


def inspections_fines_scatter(shown: pd.DataFrame, pool: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Inspections against fines, bubbles sized by cases, flagged counties in red, dashed city medians."""
    figure = go.Figure()
    labelled = labelled_counties(shown)
    largest = max(float(shown["cases"].astype("float64").max() or 1), 1.0)
    for is_flagged, colour, name in ((False, CALM_COLOUR, "not_flagged"), (True, FLAGGED_COLOUR, "flagged")):
        part = shown[(shown["flags"] != "") == is_flagged]
        if part.empty:
            continue
        cases = part["cases"].astype("float64").fillna(0)
        figure.add_trace(
            go.Scatter(
                x=part["inspections"].astype("float64"),
                y=part["fines"].astype("float64"),
                mode="markers+text",
                name=text(name, lang),
                text=part["county"].where(labelled[part.index], ""),
                textposition=label_positions(part, shown),
                marker={
                    "size": 12 + 38 * (cases / largest) ** 0.5,
                    "color": colour,
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "white"},
                },
                customdata=list(
                    zip(
                        part["county"],
                        part["cases"].astype("float64"),
                        part["overall_rank"].astype("float64"),
                        part["total_points"].astype("float64"),
                        part["flags"],
                        strict=True,
                    )
                ),
                hovertemplate=_scatter_hover(lang),
            )
        )
    median_x = float(pool["inspections"].astype("float64").median())
    median_y = float(pool["fines"].astype("float64").median())
    figure.add_vline(x=median_x, line_dash="dash", line_color="#888888")
    figure.add_hline(y=median_y, line_dash="dash", line_color="#888888")
    median_name = (
        f"{text('median', lang)}（检查{median_x:g}家次，罚款{median_y:.2f}万元）"
        if lang == "zh"
        else f"{text('median', lang)} ({median_x:g} inspections, {median_y:.2f} fines)"
    )
    figure.add_trace(
        go.Scatter(x=[None], y=[None], mode="lines", line={"dash": "dash", "color": "#888888"}, name=median_name)
    )
    figure.add_annotation(
        x=1,
        y=0,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        text=text("scatter_quadrant", lang),
        font={"color": FLAGGED_COLOUR, "size": 13},
    )
    figure.update_xaxes(title=text("inspections", lang))
    figure.update_yaxes(title=text("fines", lang))
    return _layout(figure, text("scatter_title", lang), height=520)


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


def measure_bars(shown: pd.DataFrame, measure: str, lang: str = "zh") -> go.Figure:
    """One measure per county, highest first, flagged counties in red, with rank and points on hover."""
    ordered = shown.sort_values(measure, ascending=False)
    values = ordered[measure].astype("float64")
    labels = [format_fines(v) if measure == "fines" else f"{v:.0f}" for v in values]
    figure = go.Figure(
        go.Bar(
            x=ordered["county"],
            y=values,
            text=labels,
            textposition="outside",
            marker_color=[FLAGGED_COLOUR if f else CALM_COLOUR for f in ordered["flags"]],
            customdata=list(
                zip(ordered[f"{measure}_rank"].astype("float64"), ordered[f"{measure}_points"], strict=True)
            ),
            hovertemplate=(
                "<b>%{x}</b><br>%{text}<br>"
                + (
                    "排名 %{customdata[0]:.0f}，得分 %{customdata[1]:g}"
                    if lang == "zh"
                    else "rank %{customdata[0]:.0f}, %{customdata[1]:g} points"
                )
                + "<extra></extra>"
            ),
        )
    )
    figure.update_yaxes(title=text(measure, lang))
    return _layout(figure, text("bars_title", lang, measure=text(measure, lang)))


def monthly_trend(monthly: pd.DataFrame, measure: str, counties: list[str] | None, lang: str = "zh") -> go.Figure:
    """Each county's monthly series for one measure (the city total when ``counties`` is None)."""
    figure = go.Figure()
    if counties is None:
        city = monthly.groupby("month", as_index=False)[measure].sum()
        figure.add_trace(go.Bar(x=city["month"], y=city[measure], name=text(measure, lang), marker_color=CALM_COLOUR))
    else:
        for county in counties:
            series = monthly[monthly["county"] == county].sort_values("month")
            figure.add_trace(go.Scatter(x=series["month"], y=series[measure], mode="lines+markers", name=county))
    figure.update_xaxes(title=text("month", lang), tickformat="%Y年%m月" if lang == "zh" else "%b %Y", dtick="M1")
    figure.update_yaxes(title=text(measure, lang))
    figure.update_traces(hovertemplate="%{x|%Y-%m}<br>%{y}<extra>%{fullData.name}</extra>")
    title = "city_trend_title" if counties is None else "trend_title"
    return _layout(figure, text(title, lang, measure=text(measure, lang)))


def year_on_year_bars(current: pd.DataFrame, previous: pd.DataFrame, measure: str, lang: str = "zh") -> go.Figure:
    """This period against the same period last year, county by county."""
    joined = current[["county_code", "county", measure]].merge(
        previous[["county_code", measure]], on="county_code", how="left", suffixes=("", "_last")
    )
    figure = go.Figure(
        [
            go.Bar(
                x=joined["county"],
                y=joined[f"{measure}_last"],
                name=text("last_period", lang),
                marker_color=LAST_YEAR_COLOUR,
            ),
            go.Bar(x=joined["county"], y=joined[measure], name=text("this_period", lang), marker_color=CALM_COLOUR),
        ]
    )
    figure.update_layout(barmode="group")
    figure.update_yaxes(title=text(measure, lang))
    return _layout(figure, text("yoy_title", lang, measure=text(measure, lang)))
