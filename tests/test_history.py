"""Places over time: period arithmetic, the bump chart's rows, and 连续两期排名后三."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scoring import score_counties
from scoring.history import period_kind, persistent_bottom, places_over_time, preceding_periods

D = dt.date


def test_period_kinds_and_the_periods_before_them() -> None:
    assert period_kind(D(2020, 7, 1), D(2020, 12, 31)) == "half"
    assert period_kind(D(2020, 2, 1), D(2020, 2, 29)) == "month"
    assert period_kind(D(2020, 1, 1), D(2020, 12, 31)) == "year"
    assert period_kind(D(2020, 2, 1), D(2020, 4, 30)) is None  # three months, but not a calendar quarter
    assert period_kind(D(2020, 1, 5), D(2020, 6, 30)) is None
    halves = preceding_periods(D(2020, 7, 1), D(2020, 12, 31))
    assert halves == [
        (D(2019, 1, 1), D(2019, 6, 30)),
        (D(2019, 7, 1), D(2019, 12, 31)),
        (D(2020, 1, 1), D(2020, 6, 30)),
        (D(2020, 7, 1), D(2020, 12, 31)),
    ]
    quarters = preceding_periods(D(2020, 4, 1), D(2020, 6, 30))
    assert len(quarters) == 6 and quarters[0] == (D(2019, 1, 1), D(2019, 3, 31))
    months = preceding_periods(D(2020, 3, 1), D(2020, 3, 31))
    assert len(months) == 12 and months[0] == (D(2019, 4, 1), D(2019, 4, 30)) and months[-2][1] == D(2020, 2, 29)
    assert preceding_periods(D(2020, 1, 1), D(2020, 9, 30)) == []


def period(values: dict[str, int], source: dict[str, str] | None = None) -> pd.DataFrame:
    """One period's scored table; each county's three measures all equal its value, so places follow values."""
    table = pd.DataFrame(
        {"county": list(values), "inspections": list(values.values()), "cases": list(values.values())}
    ).assign(fines=lambda t: t["inspections"].astype(float))
    if source:
        table["source"] = [source.get(county, "records") for county in table["county"]]
    return score_counties(table)


COUNTIES = "甲乙丙丁戊"


def history() -> pd.DataFrame:
    # 2019上半年: 甲5 乙4 丙3 丁2 戊1   → bottom three 丙3 丁4 戊5
    # 2019下半年: 丁 has no records or summary (source none): 甲1 乙2 丙3 戊4 of four with data → bottom 乙 丙 戊
    # 2020上半年: 甲 missing from the table; 乙1 丙2 丁3 戊4 → bottom of four: 丙2 丁3 戊4
    return places_over_time(
        [
            ("2019年上半年", period(dict(zip(COUNTIES, [50, 40, 30, 20, 10], strict=True)))),
            (
                "2019年下半年",
                period(dict(zip(COUNTIES, [50, 40, 30, 0, 20], strict=True)), source={"丁": "none"}),
            ),
            ("2020年上半年", period(dict(zip("乙丙丁戊", [50, 40, 30, 20], strict=True)))),
        ]
    )


def test_places_over_time_say_when_a_county_has_no_data() -> None:
    frame = history()
    assert frame["county"].drop_duplicates().tolist() == ["乙", "丙", "丁", "戊", "甲"]
    place = frame.set_index(["county", "period"])["place"]
    assert place[("丙", "2019年上半年")] == 3
    assert place[("戊", "2019年下半年")] == 4  # ranked among the four with data, not below the empty 丁
    丁 = frame[frame["county"] == "丁"].set_index("period")
    assert 丁.loc["2019年下半年", "status"] == "no_data"
    assert 丁.loc["2019年下半年", "note"] == "2019年下半年无数据"
    assert pd.isna(丁.loc["2019年下半年", "place"])
    assert frame[(frame["county"] == "甲") & (frame["period"] == "2020年上半年")]["status"].item() == "no_data"
    assert frame.groupby("period", sort=False)["ranked"].first().tolist() == [5, 4, 4]


def test_consecutive_bottom_three_names_the_periods_and_places() -> None:
    flags = persistent_bottom(history()).set_index("county")
    # 戊: bottom in all three periods; 丙: 2019上半年 (3rd of 5), 2019下半年 (3rd of 4), 2020上半年 (2nd of 4).
    assert flags.loc["戊", "reason"] == "连续三期排名后三：2019年上半年第5名、2019年下半年第4名、2020年上半年第4名"
    assert flags.loc["丙", "count"] == 3
    # 丁: bottom in 2019上半年 and 2020上半年, but 2019下半年 had no data: no run of two.
    assert "丁" not in flags.index
    # 乙: bottom only in 2019下半年, not in the latest period.
    assert "乙" not in flags.index
    anywhere = persistent_bottom(history(), bottom_places=2, ending_in_latest=False).set_index("county")
    assert anywhere.loc["戊", "reason"].startswith("连续三期排名后二")
    assert "丙" not in anywhere.index  # 3rd of 5 and 3rd of 4 are not among the last two


def test_a_shared_place_reaching_out_of_the_bottom_is_not_bottom() -> None:
    four_tied = period(dict(zip("ABCDEF", [9, 8, 1, 1, 1, 1], strict=True)))  # places 1, 2, 3, 3, 3, 3
    frame = places_over_time([("一期", four_tied), ("二期", four_tied)])
    assert persistent_bottom(frame).empty
    two_periods = persistent_bottom(
        places_over_time([("一期", period({"A": 3, "B": 2})), ("二期", period({"A": 3, "B": 2}))])
    )
    assert two_periods.set_index("county").loc["B", "reason"] == "连续两期排名后三：一期第2名、二期第2名"


def test_inputs_are_left_alone() -> None:
    tables = [("一期", period({"A": 3, "B": 2, "C": 1})), ("二期", period({"A": 1, "B": 2, "C": 3}))]
    copies = [(label, table.copy(deep=True)) for label, table in tables]
    frame = places_over_time(tables)
    frame_copy = frame.copy(deep=True)
    persistent_bottom(frame)
    for (_, table), (_, copy) in zip(tables, copies, strict=True):
        pd.testing.assert_frame_equal(table, copy)
    pd.testing.assert_frame_equal(frame, frame_copy)
