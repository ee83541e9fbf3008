"""Flags on the weakest counties: the bottom three places, ties included."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import score_counties
from scoring.flags import flag_counties


def ten_counties(inspections: list[int]) -> pd.DataFrame:
    """Ten counties that differ only in inspections, so the overall places follow that one measure."""
    table = pd.DataFrame(
        {
            "county_code": range(1, 11),
            "county": [f"县{n}" for n in range(1, 11)],
            "inspections": inspections,
            "cases": [5] * 10,
            "fines": [1.0] * 10,
        }
    )
    return score_counties(table)


def flagged_bottom(scored: pd.DataFrame) -> list[str]:
    flags = flag_counties(scored)
    return sorted(flags.loc[flags["flag"] == "bottom", "county"], key=lambda name: int(name[1:]))


@pytest.mark.parametrize(
    ("inspections", "expected"),
    [
        # 县7 and 县8 share place 7, straddling the cut between place 7 and the last three (8, 9, 10).
        ([100, 90, 80, 70, 60, 50, 40, 40, 20, 10], ["县9", "县10"]),
        # 县8 and 县9 share place 8: both are within the last three, with 县10.
        ([100, 90, 80, 70, 60, 50, 40, 30, 30, 10], ["县8", "县9", "县10"]),
        # 县9 and 县10 share place 9.
        ([100, 90, 80, 70, 60, 50, 40, 30, 20, 20], ["县8", "县9", "县10"]),
    ],
)
def test_a_tie_at_the_bottom_three_cut_flags_both_tied_counties_or_neither(
    inspections: list[int], expected: list[str]
) -> None:
    scored = ten_counties(inspections)
    flagged = flagged_bottom(scored)
    assert flagged == expected
    places = scored.set_index("county")["overall_rank"]
    tied = places[places.duplicated(keep=False)].index
    assert set(tied) <= set(flagged) or not set(tied) & set(flagged)  # a shared place is never split
    assert all(places[county] > 10 - 3 for county in flagged)  # each flagged place is among the last three
