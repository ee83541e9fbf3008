"""Rank counties on each measure, turn ranks into points, and rank the totals.

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
    key = pd.to_numeric(values, errors="coerce").astype("float64").round(RANK_DECIMALS)
    ranks = key.rank(method="min", ascending=not higher_is_better, na_option="keep")
    return ranks.astype("Int64")


def score_counties(table: pd.DataFrame, rule: ScoringRule | None = None, county_column: str = "county") -> pd.DataFrame:
    """A new table: per measure its value, rank and points, then total points and overall place.

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

    # Columns are built as arrays and assembled once: at thousands of counties this is what keeps scoring
    # cheap next to the database's own aggregation.
    columns: dict[str, object] = {county_column: table[county_column].to_numpy()}
    points_total = np.zeros(len(table))
    complete = np.ones(len(table), dtype=bool)
    missing_by_measure: list[tuple[str, np.ndarray]] = []

    for measure in rule.measures:
        values = pd.to_numeric(table[measure.column], errors="coerce").astype("float64")
        ranks = competition_rank(values, measure.higher_is_better)
        has_value = values.notna().to_numpy()
        ranked = int(has_value.sum())
        top = float(ranked) if rule.top_points is None else float(rule.top_points)
        rank_numbers = ranks.to_numpy(dtype="float64", na_value=np.nan)
        points = np.maximum(rule.floor, top - rule.step * (rank_numbers - 1)) * measure.weight
        columns[measure.column] = values.to_numpy()
        columns[rank_column(measure.column)] = ranks.array
        columns[points_column(measure.column)] = pd.array(np.where(has_value, points, np.nan), dtype="Float64")
        complete &= has_value
        points_total += np.where(has_value, points, 0.0)
        missing_by_measure.append((measure.label, ~has_value))

    totals = pd.Series(np.where(complete, points_total, np.nan), index=table.index, dtype="Float64")
    columns[TOTAL_POINTS] = totals.array
    columns[OVERALL_RANK] = competition_rank(totals).array
    if complete.all():
        columns[MISSING] = np.full(len(table), "", dtype=object)
    else:
        columns[MISSING] = np.array(
            ["、".join(label for label, absent in missing_by_measure if absent[row]) for row in range(len(table))],
            dtype=object,
        )
    for column in table.columns:
        if column not in columns:
            columns[column] = table[column].array
    result = pd.DataFrame(columns, index=table.index)

    leading = [OVERALL_RANK, county_column, TOTAL_POINTS]
    ordered = leading + [c for c in result.columns if c not in leading]
    result = result[ordered]
    # Within a shared place the attachment lists the stronger on the first measure first (新蔡县 before 平舆县).
    keys = [OVERALL_RANK] + [points_column(m.column) for m in rule.measures]
    ascending = [True] + [False] * len(rule.measures)
    return result.sort_values(keys, ascending=ascending, na_position="last", kind="stable").reset_index(drop=True)


def missing_note(scored: pd.DataFrame, county_column: str = "county") -> str:
    """One sentence about counties left out of the ranking for missing figures, or ''."""
    rows = scored[scored[MISSING] != ""]
    if rows.empty:
        return ""
    parts = [f"{row[county_column]}缺少{row[MISSING]}" for _, row in rows.iterrows()]
    return "；".join(parts) + "，相应指标不排名、不得分，也不参加总排名。"
