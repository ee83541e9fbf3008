"""What a withdrawal or replacement would change: the county figures that move, and places before and after."""

from __future__ import annotations

import pandas as pd

from records.queries import MEASURES
from report.text import text, total_heading
from scoring import ScoringRule, score_counties


def figure_changes(before: pd.DataFrame, after: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row per county and measure whose figure differs between two tables of county measures.

    >>> one = pd.DataFrame({"county": ["甲"], **{m: [1] for m in MEASURES}})
    >>> figure_changes(one, one.assign(cases=[0])).values.tolist()
    [['甲', '立案数（起）', 1.0, 0.0]]
    """
    old = before.set_index("county")
    new = after.set_index("county").reindex(old.index)
    rows = []
    for measure in MEASURES:
        was = pd.to_numeric(old[measure], errors="coerce").astype("float64")
        now = pd.to_numeric(new[measure], errors="coerce").astype("float64")
        same = (was.isna() & now.isna()) | ((was - now).abs() < 1e-9)
        for county in old.index[~same.to_numpy()]:
            rows.append((county, text(measure, lang), was[county], now[county]))
    columns = [text(key, lang) for key in ("change_county", "change_measure", "change_before", "change_after")]
    return pd.DataFrame(rows, columns=columns)


def place_changes(
    before: pd.DataFrame, after: pd.DataFrame, lang: str = "zh", rule: ScoringRule | None = None
) -> pd.DataFrame:
    """Each county's overall place and total points before and after (by ``rule``, the period's scheme), for the
    counties where either moves."""
    rule = rule or ScoringRule()
    old = score_counties(before, rule).set_index("county")
    new = score_counties(after, rule).set_index("county").reindex(old.index)
    table = pd.DataFrame(
        {
            text("change_county", lang): old.index,
            text("change_rank_before", lang): old["overall_rank"].to_numpy(),
            f"{total_heading(rule, lang)}（{text('change_before', lang)}）": old["total_points"].to_numpy(),
            text("change_rank_after", lang): new["overall_rank"].to_numpy(),
            f"{total_heading(rule, lang)}（{text('change_after', lang)}）": new["total_points"].to_numpy(),
        }
    )
    moved = (table.iloc[:, 1] != table.iloc[:, 3]) | (table.iloc[:, 2] != table.iloc[:, 4])
    return table[moved.to_numpy()].sort_values(text("change_rank_after", lang)).reset_index(drop=True)
