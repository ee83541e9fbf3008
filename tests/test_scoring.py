"""The scoring rule: the attachment reproduced exactly, and the rule's edges."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Measure, ScoringRule, score_counties
from scoring.ranking import competition_rank


def attachment_input(reference: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county": reference["单位"],
            "inspections": reference["检查生产经营单位(家次)"],
            "cases": reference["立案数"],
            "fines": reference["监督检查罚款(万元)"],
        }
    )


def test_reproduces_every_figure_of_the_attachment(reference: pd.DataFrame) -> None:
    scored = score_counties(attachment_input(reference)).set_index("county")
    published = reference.set_index("单位")
    pairs = {
        "名次": "overall_rank",
        "三项执法总得分": "total_points",
        "检查排名": "inspections_rank",
        "检查得分": "inspections_points",
        "立案排名": "cases_rank",
        "立案得分": "cases_points",
        "罚款排名": "fines_rank",
        "罚款得分": "fines_points",
    }
    for chinese, ours in pairs.items():
        expected = published[chinese].astype(float)
        actual = scored.loc[expected.index, ours].astype(float)
        assert actual.tolist() == expected.tolist(), chinese


def test_order_follows_the_attachment_including_shared_places(reference: pd.DataFrame) -> None:
    scored = score_counties(attachment_input(reference))
    assert scored["county"].tolist() == reference["单位"].tolist()


def test_equal_values_share_the_better_rank_and_skip_the_next() -> None:
    assert competition_rank(pd.Series([160, 8, 8, 17, 2])).tolist() == [1, 3, 3, 2, 5]
    assert competition_rank(pd.Series([5, 5, 5, 5])).tolist() == [1, 1, 1, 1]
    assert competition_rank(pd.Series([9, 4, 1, 1])).tolist() == [1, 2, 3, 3]


@pytest.mark.parametrize("position", range(10))
def test_a_tie_at_any_position_gives_both_counties_the_same_points(position: int) -> None:
    values = list(range(100, 0, -10))
    values[position + 1 if position < 9 else position - 1] = values[position]
    table = pd.DataFrame(
        {"county": [f"县{i}" for i in range(10)], "inspections": values, "cases": values, "fines": values}
    )
    scored = score_counties(table).set_index("county")
    tied = [c for c, v in zip(table["county"], values, strict=True) if v == values[position]]
    assert len(tied) == 2
    assert scored.loc[tied[0], "inspections_points"] == scored.loc[tied[1], "inspections_points"]
    better = values.index(values[position])
    assert scored.loc[tied[0], "inspections_rank"] == better + 1
    remaining = scored.drop(index=tied)["inspections_rank"].tolist()
    assert better + 2 not in remaining  # the next place is skipped


def test_fines_compare_exactly() -> None:
    table = pd.DataFrame(
        {
            "county": ["甲", "乙", "丙", "丁"],
            "inspections": [1, 1, 1, 1],
            "cases": [1, 1, 1, 1],
            "fines": [9.5, 9.50, 0.1 + 0.2, 0.3],
        }
    )
    ranks = score_counties(table).set_index("county")["fines_rank"]
    assert ranks["甲"] == ranks["乙"] == 1
    assert ranks["丙"] == ranks["丁"] == 3
    decimals = table.assign(fines=[Decimal("9.5"), Decimal("9.50"), Decimal("0.30"), Decimal("0.3")])
    assert score_counties(decimals).set_index("county")["fines_rank"].to_dict() == ranks.to_dict()


@pytest.mark.parametrize("counties", [3, 10, 15, 150])
def test_with_any_number_of_counties_first_gets_that_many_points_and_last_gets_one(counties: int) -> None:
    values = np.arange(counties, 0, -1)
    table = pd.DataFrame(
        {"county": [f"县{i}" for i in range(counties)], "inspections": values, "cases": values, "fines": values}
    )
    scored = score_counties(table)
    assert scored["inspections_points"].max() == counties
    assert scored["inspections_points"].min() == 1
    assert scored["total_points"].iloc[0] == 3 * counties


def test_missing_figure_is_not_ranked_and_is_named(reference: pd.DataFrame) -> None:
    table = attachment_input(reference)
    table.loc[table["county"] == "驿城区", "cases"] = np.nan
    scored = score_counties(table).set_index("county")
    assert pd.isna(scored.loc["驿城区", "cases_rank"])
    assert pd.isna(scored.loc["驿城区", "cases_points"])
    assert pd.isna(scored.loc["驿城区", "total_points"])
    assert pd.isna(scored.loc["驿城区", "overall_rank"])
    assert scored.loc["驿城区", "missing"] == "立案数"
    assert scored.loc["驿城区", "inspections_rank"] == 9  # still ranked where it has a figure
    assert scored["cases_points"].max() == 9  # nine counties ranked on cases
    assert scored.index[-1] == "驿城区"
    assert (scored.drop(index="驿城区")["missing"] == "").all()


def test_a_real_zero_is_ranked_last_not_treated_as_missing() -> None:
    table = pd.DataFrame(
        {"county": ["甲", "乙", "丙"], "inspections": [3, 0, 2], "cases": [0, 0, 1], "fines": [0, 0, 0]}
    )
    scored = score_counties(table).set_index("county")
    assert scored.loc["乙", "inspections_rank"] == 3
    assert scored.loc["乙", "inspections_points"] == 1
    assert scored.loc["甲", "fines_points"] == scored.loc["乙", "fines_points"] == 3


def test_weights_multiply_points_and_direction_can_be_reversed() -> None:
    table = pd.DataFrame({"county": ["甲", "乙"], "inspections": [10, 5], "cases": [1, 2], "fines": [1.0, 2.0]})
    weighted = score_counties(table, ScoringRule().with_weights(fines=2)).set_index("county")
    assert weighted.loc["乙", "fines_points"] == 4
    assert weighted.loc["乙", "total_points"] == 1 + 2 + 4
    lower_first = ScoringRule(measures=(Measure("inspections", "检查", "家次", higher_is_better=False),))
    assert score_counties(table, lower_first).set_index("county").loc["乙", "inspections_rank"] == 1


def test_rule_describes_itself_like_the_attachment() -> None:
    assert (
        ScoringRule().describe(10)
        == "得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分。"
    )
    assert "第十五名得1分" in ScoringRule().describe(15)
    assert "监督检查罚款按2倍计" in ScoringRule().with_weights(fines=2).describe(10)
    assert ScoringRule(top=10, floor=1).describe(15).endswith("最低1分。")


def test_settings_are_frozen_and_reject_nonsense() -> None:
    rule = ScoringRule()
    with pytest.raises(AttributeError):
        rule.step = 2  # type: ignore[misc]
    with pytest.raises(ValueError):
        ScoringRule(measures=())
    with pytest.raises(ValueError):
        rule.with_weights(nonsense=2)


def test_a_missing_column_is_named() -> None:
    with pytest.raises(KeyError, match="cases"):
        score_counties(pd.DataFrame({"county": ["甲"], "inspections": [1], "fines": [1.0]}))


counts = st.integers(min_value=0, max_value=500)
tables = st.lists(st.tuples(counts, counts, st.integers(0, 10_000_000)), min_size=2, max_size=30).map(
    lambda rows: pd.DataFrame(
        {
            "county": [f"县{i}" for i in range(len(rows))],
            "inspections": [r[0] for r in rows],
            "cases": [r[1] for r in rows],
            "fines": [r[2] / 100 for r in rows],
        }
    )
)


@settings(max_examples=150, deadline=None)
@given(tables, st.data())
def test_raising_a_county_value_never_lowers_its_rank_or_points(table: pd.DataFrame, data: st.DataObject) -> None:
    row = data.draw(st.integers(0, len(table) - 1))
    column = data.draw(st.sampled_from(["inspections", "cases", "fines"]))
    raised = table.copy()
    raised.loc[row, column] = raised.loc[row, column] + data.draw(st.integers(1, 100))
    county = table.loc[row, "county"]
    before = score_counties(table).set_index("county").loc[county]
    after = score_counties(raised).set_index("county").loc[county]
    assert after[f"{column}_rank"] <= before[f"{column}_rank"]
    assert after["total_points"] >= before["total_points"]
    assert after["overall_rank"] <= before["overall_rank"]


@settings(max_examples=100, deadline=None)
@given(tables)
def test_inputs_are_never_mutated_and_points_stay_in_range(table: pd.DataFrame) -> None:
    copy = table.copy(deep=True)
    scored = score_counties(table)
    pd.testing.assert_frame_equal(table, copy)
    for measure in ("inspections", "cases", "fines"):
        assert scored[f"{measure}_points"].between(1, len(table)).all()
        assert scored[f"{measure}_rank"].min() == 1
    assert sorted(scored["county"]) == sorted(table["county"])


def test_the_published_check_compares_places_points_totals_and_values(reference: pd.DataFrame) -> None:
    from scoring.summary import check_published

    scored = score_counties(attachment_input(reference))
    published = reference.rename(
        columns={
            "单位": "county",
            "名次": "overall_rank",
            "三项执法总得分": "total_points",
            "检查生产经营单位(家次)": "inspections",
            "检查排名": "inspections_rank",
            "检查得分": "inspections_points",
            "立案数": "cases",
            "立案排名": "cases_rank",
            "立案得分": "cases_points",
            "监督检查罚款(万元)": "fines",
            "罚款排名": "fines_rank",
            "罚款得分": "fines_points",
        }
    ).astype(str)
    agreeing = check_published(scored, published)
    assert agreeing.agrees and agreeing.items == 110
    assert agreeing.compared == ("名次", "总得分", "排名", "得分", "数值")
    assert "全部一致" in agreeing.sentence()
    for column, county, wrong in [
        ("overall_rank", "正阳县", "8"),
        ("total_points", "泌阳县", "26"),
        ("cases_rank", "西平县", "4"),
        ("fines_points", "遂平县", "9"),
        ("fines", "上蔡县", "8.1"),
        ("inspections", "驿城区", "60"),
    ]:
        changed = published.copy()
        changed.loc[changed["county"] == county, column] = wrong
        check = check_published(scored, changed)
        assert not check.agrees and "全部一致" not in check.sentence()
        assert check.disagreements[["county", "published"]].values.tolist() == [[county, wrong]], column
    nothing = check_published(scored, published.assign(overall_rank="", total_points="")[["county", "overall_rank"]])
    assert nothing.items == 0 and not nothing.agrees and "全部一致" not in nothing.sentence()
