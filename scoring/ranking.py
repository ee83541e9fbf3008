"""Rank counties on each measure, turn ranks (or, for 百分制, values) into weighted points, and rank the totals.

>>> import pandas as pd
>>> table = pd.DataFrame({"county": ["甲", "乙", "丙"], "inspections": [5, 9, 5],
...                       "cases": [1, 1, 0], "fines": [0.5, 0.2, 0.50]})
>>> score_counties(table)[["county", "total_points", "overall_rank"]].values.tolist()
[['甲', 8.0, 1], ['乙', 7.0, 2], ['丙', 6.0, 3]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.rule import ScoringRule

# Values are compared after rounding to one cent in 万元, so 9.5 and 9.50 tie, and a
# sum of yuan amounts that picked up float noise (0.1 + 0.2) still ties with its exact twin.
RANK_DECIMALS = 6

# Weighted and 百分制 points are kept to two decimals, as a bulletin prints them; the total adds the kept figures,
# so a reader summing a printed row gets the printed total.
POINTS_DECIMALS = 2

TOTAL_POINTS = "total_points"
OVERALL_RANK = "overall_rank"
MISSING = "missing"


def rank_column(measure: str) -> str:
    return f"{measure}_rank"


def points_column(measure: str) -> str:
    return f"{measure}_points"


def competition_rank(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Rank with ties sharing the better place and the next place skipped (1, 2, 3, 3, 5).

    Missing values get no rank.

    >>> competition_rank(pd.Series([8, 17, 8, None, 2])).tolist()
    [2, 1, 2, <NA>, 4]
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    return pd.Series(_ranks(numbers, higher_is_better), index=values.index)


def _as_floats(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _ranks(numbers: np.ndarray, higher_is_better: bool) -> pd.arrays.IntegerArray:
    """Competition ranks by sorting once: a county's rank is one more than the count of strictly better ones."""
    missing = np.isnan(numbers)
    key = np.round(numbers, RANK_DECIMALS)
    key = -key if higher_is_better else key
    ordered = np.sort(key[~missing])
    ranks = np.searchsorted(ordered, np.where(missing, 0.0, key), side="left") + 1
    return pd.arrays.IntegerArray(ranks.astype("int64"), missing)


def measure_points(values: np.ndarray, ranks: np.ndarray, higher_is_better: bool, rule: ScoringRule) -> np.ndarray:
    """Unweighted points of one measure for every county (NaN where the value is missing), by the scheme's method.

    ``ranks`` are the competition ranks as floats (NaN where missing).

    >>> values = np.array([160.0, 120.0, np.nan, 0.0])
    >>> measure_points(values, np.array([1.0, 2.0, np.nan, 3.0]), True, ScoringRule()).tolist()
    [3.0, 2.0, nan, 1.0]
    >>> measure_points(values, np.array([1.0, 2.0, np.nan, 3.0]), True, ScoringRule(method="share")).tolist()
    [10.0, 7.5, nan, 0.0]
    """
    if rule.method == "share":
        return share_points(values, higher_is_better, rule.full)
    ranked = int((~np.isnan(ranks)).sum())
    top = float(ranked) if rule.top is None else rule.top
    return np.maximum(rule.floor, top - rule.step * (ranks - 1))


def share_points(values: np.ndarray, higher_is_better: bool, full: float) -> np.ndarray:
    """百分制: ``full × value ÷ best`` (``full × best ÷ value`` where lower is better), between 0 and ``full``.

    Values are compared as they are ranked (to ``RANK_DECIMALS``), so tied counties get equal points. Nobody earns
    points for nothing: a 0 where higher is better gets 0, and a best of 0 gives everyone 0. Where lower is better a
    0 gets ``full``, and then every other county ``full × 0 ÷ value = 0``.
    """
    key = np.round(values, RANK_DECIMALS)
    present = key[~np.isnan(key)]
    if present.size == 0:
        return np.full(len(values), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if higher_is_better:
            best = float(present.max())
            points = full * key / best if best > 0 else np.where(np.isnan(key), np.nan, 0.0)
        else:
            best = float(present.min())
            points = np.where(key <= 0, full, full * max(best, 0.0) / key)
    return np.where(np.isnan(key), np.nan, np.clip(points, 0.0, full))


def score_counties(table: pd.DataFrame, rule: ScoringRule | None = None, county_column: str = "county") -> pd.DataFrame:
    """A new table: per measure its value, rank and points, then total points and overall place, by ``rule``.

    Points follow the scheme's method, times the measure's weight, kept to two decimals; the total is their sum.
    A county missing a figure gets no rank and no points for that measure, no total and
    no overall place; the ``missing`` column names what is missing. Other input columns are
    kept after the scored ones. The input is never changed.
    """
    rule = rule or ScoringRule()
    absent = [m.column for m in rule.measures if m.column not in table.columns]
    if county_column not in table.columns:
        absent.insert(0, county_column)
    if absent:
        raise KeyError(f"缺少列：{'、'.join(absent)}")

    # Plain arrays, one DataFrame built at the end and one sort: at thousands of counties scoring must cost
    # next to nothing beside the database's own aggregation.
    columns: dict[str, object] = {}
    sort_keys: list[np.ndarray] = []
    points_total = np.zeros(len(table))
    complete = np.ones(len(table), dtype=bool)
    missing_by_measure: list[tuple[str, np.ndarray]] = []
    for measure in rule.measures:
        values = _as_floats(table[measure.column])
        has_value = ~np.isnan(values)
        ranks = _ranks(values, measure.higher_is_better)
        rank_numbers = ranks.to_numpy(dtype="float64", na_value=np.nan)
        unweighted = measure_points(values, rank_numbers, measure.higher_is_better, rule)
        points = np.where(has_value, np.round(unweighted * measure.weight, POINTS_DECIMALS), 0.0)
        columns[measure.column] = values
        columns[rank_column(measure.column)] = ranks
        columns[points_column(measure.column)] = pd.arrays.FloatingArray(points, ~has_value)
        sort_keys.append(-points)
        complete &= has_value
        points_total += points
        missing_by_measure.append((measure.label, ~has_value))

    totals = np.where(complete, np.round(points_total, POINTS_DECIMALS), np.nan)
    overall = _ranks(totals, higher_is_better=True)
    if complete.all():
        missing = np.full(len(table), "", dtype=object)
    else:
        missing = np.array(
            ["、".join(label for label, absent in missing_by_measure if absent[row]) for row in range(len(table))],
            dtype=object,
        )
    # Within a shared place the attachment lists the stronger on the first measure first (新蔡县 before 平舆县);
    # counties without a place come last.
    place = overall.to_numpy(dtype="float64", na_value=np.inf)
    order = np.lexsort([*reversed(sort_keys), place])
    scored: dict[str, object] = {
        OVERALL_RANK: overall,
        county_column: table[county_column].array,
        TOTAL_POINTS: pd.arrays.FloatingArray(np.nan_to_num(totals), ~complete),
        **columns,
        MISSING: missing,
    }
    for column in table.columns:
        if column not in scored:
            scored[column] = table[column].array
    return pd.DataFrame({name: values.take(order) for name, values in scored.items()})  # type: ignore[attr-defined]


def missing_note(scored: pd.DataFrame, county_column: str = "county") -> str:
    """One sentence about counties left out of the ranking for missing figures, or ''."""
    rows = scored[scored[MISSING] != ""]
    if rows.empty:
        return ""
    parts = [f"{row[county_column]}缺少{row[MISSING]}" for _, row in rows.iterrows()]
    return "；".join(parts) + "，相应指标不排名、不得分，也不参加总排名。"
