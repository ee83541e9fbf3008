"""How lasting is a place? Each county's place over the last periods of the same kind, and persistent bottom places.

Bulletins escalate on persistence: a county "连续两期排名后三" is called in for a talk (约谈). The periods are the
period on screen and those of the same kind before it (the last 4 half-years, 6 quarters or 12 months); each is
scored on its own (by the scheme in effect then) and handed here as a scored table with its label.

>>> import datetime as dt
>>> [f"{start:%Y-%m}–{end:%m}" for start, end in preceding_periods(dt.date(2020, 1, 1), dt.date(2020, 6, 30))]
['2018-07–12', '2019-01–06', '2019-07–12', '2020-01–06']
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.rule import chinese_numeral

PERIODS_SHOWN = {"month": 12, "quarter": 6, "half": 4, "year": 4}
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
HISTORY_COLUMNS = ["county", "period", "period_index", "place", "ranked", "status", "note"]


def period_kind(start: dt.date, end: dt.date) -> str | None:
    """ "month", "quarter", "half" or "year" for a whole calendar period of that kind; None for any other span.

    >>> period_kind(dt.date(2020, 4, 1), dt.date(2020, 6, 30)), period_kind(dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    ('quarter', 'quarter')
    >>> period_kind(dt.date(2020, 1, 1), dt.date(2020, 9, 30)) is None  # 1–9月 cumulative: no kind
    True
    """
    if start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1]:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    for kind, length in _MONTHS.items():
        if months == length and (start.month - 1) % length == 0:
            return kind
    return None


def preceding_periods(start: dt.date, end: dt.date, count: int | None = None) -> list[tuple[dt.date, dt.date]]:
    """The period and the ones of the same kind before it, oldest first (``count`` in all, by default 4 half-years,
    6 quarters, 12 months or 4 years); an empty list for a span that is not a whole month, quarter, half or year.

    >>> [f"{start}/{end}" for start, end in preceding_periods(dt.date(2020, 1, 1), dt.date(2020, 3, 31), 3)]
    ['2019-07-01/2019-09-30', '2019-10-01/2019-12-31', '2020-01-01/2020-03-31']
    """
    kind = period_kind(start, end)
    if kind is None:
        return []
    length = _MONTHS[kind]
    periods = []
    for back in range((count or PERIODS_SHOWN[kind]) - 1, -1, -1):
        first = _add_months(start, -back * length)
        last_month = _add_months(first, length - 1)
        periods.append((first, last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])))
    return periods


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def places_over_time(periods: Sequence[tuple[str, pd.DataFrame]], county_column: str = "county") -> pd.DataFrame:
    """The bump chart's data: one row per county and period, with its place or why it has none.

    ``periods`` are (label, scored table) pairs, oldest first, each table from ``score_counties``. ``status`` is
    "ranked", "no_data" (the county is absent from that period's table, or its figures' ``source`` is "none": no
    records and no summary, so it is not counted as last) or "not_ranked" (a figure missing, so no total);
    ``note`` says so in Chinese. ``ranked`` is how many counties with data have a place in that period. Counties
    come in the order of the latest period's places, then any seen only earlier.
    """
    counties: list[object] = []
    seen: set[object] = set()
    for _, scored in reversed(periods):
        for county in scored[county_column].tolist():
            if county not in seen:
                seen.add(county)
                counties.append(county)
    frames = []
    for index, (label, scored) in enumerate(periods):
        places = scored["overall_rank"].to_numpy(dtype="float64", na_value=np.nan)
        with_data = _has_data(scored)
        ranked = int((~np.isnan(places) & with_data).sum())
        row_of = dict(zip(scored[county_column].tolist(), range(len(scored)), strict=True))  # the last row wins
        rows = np.array([row_of.get(county, -1) for county in counties], dtype="int64")  # -1: not in the period
        place = np.append(places, np.nan)[rows]
        has_data = np.append(with_data, False)[rows]
        unranked = has_data & np.isnan(place)
        not_ranked, no_data = f"{label}缺少指标数据，未排名", f"{label}无数据"
        frames.append(
            pd.DataFrame(
                {
                    county_column: pd.Series(counties, dtype=scored[county_column].dtype),
                    "period": label,
                    "period_index": index,
                    "place": pd.array(np.where(has_data, place, np.nan), dtype="Int64"),
                    "ranked": ranked,
                    "status": np.where(has_data, np.where(unranked, "not_ranked", "ranked"), "no_data"),
                    "note": np.where(has_data, np.where(unranked, not_ranked, ""), no_data),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=[county_column, *HISTORY_COLUMNS[1:]])
    return pd.concat(frames, ignore_index=True)


def _has_data(scored: pd.DataFrame) -> np.ndarray:
    if "source" not in scored.columns:
        return np.ones(len(scored), dtype=bool)
    return (scored["source"] != "none").to_numpy(dtype=bool)


def persistent_bottom(
    history: pd.DataFrame,
    bottom_places: int = 3,
    min_periods: int = 2,
    ending_in_latest: bool = True,
    county_column: str = "county",
) -> pd.DataFrame:
    """Counties in the bottom ``bottom_places`` for ``min_periods`` or more consecutive periods, with the periods,
    places and a sentence ("连续3期排名后三：2019年上半年第9名、2019年下半年第10名、2020年上半年第10名").

    A county is in the bottom of a period when its place is more than (counties ranked − ``bottom_places``), the
    flags' rule: a place shared up out of the bottom group does not count. A period without data breaks a run,
    it is never counted as last. With ``ending_in_latest`` (the default) only runs reaching the latest period count,
    as a bulletin about that period would name them; otherwise each county's longest run.
    """
    columns = [county_column, "periods", "places", "count", "reason"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    latest = int(history["period_index"].max())
    in_bottom = (history["status"] == "ranked") & (
        history["place"].astype("Float64") > history["ranked"] - bottom_places
    ).fillna(False)
    marked = history.assign(in_bottom=in_bottom)
    # Only a county in the bottom places at least once (in the latest period, when runs must reach it) can have a
    # run: the loop below looks at those few and not at every county of a province.
    reaching = marked["in_bottom"] & (marked["period_index"] == latest) if ending_in_latest else marked["in_bottom"]
    marked = marked[marked[county_column].isin(marked.loc[reaching, county_column])]
    flagged = []
    for county, rows in marked.groupby(county_column, sort=False):
        rows = rows.sort_values("period_index")
        runs: list[list[int]] = []
        for position, bottom in zip(rows["period_index"], rows["in_bottom"], strict=True):
            if bottom and runs and runs[-1][-1] == position - 1:
                runs[-1].append(position)
            elif bottom:
                runs.append([position])
        if ending_in_latest:
            runs = [run for run in runs if run[-1] == latest]
        if not runs:
            continue
        run = max(runs, key=lambda r: (len(r), r[-1]))
        if len(run) < min_periods:
            continue
        chosen = rows.set_index("period_index").loc[run]
        labels = tuple(chosen["period"])
        places = tuple(int(place) for place in chosen["place"])
        count = "两" if len(run) == 2 else chinese_numeral(len(run))
        listed = "、".join(f"{label}第{place}名" for label, place in zip(labels, places, strict=True))
        reason = f"连续{count}期排名后{chinese_numeral(bottom_places)}：{listed}"
        flagged.append(
            {county_column: county, "periods": labels, "places": places, "count": len(run), "reason": reason}
        )
    return pd.DataFrame(flagged, columns=columns)
