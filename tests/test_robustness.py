"""Rank robustness: places under alternative schemes, computed on arrays, agree with scoring scheme by scheme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Measure, ScoringRule, competition_rank, score_counties
from scoring.robustness import (
    RobustnessSettings,
    alternative_places,
    alternative_schemes,
    places_under,
    rank_robustness,
    robustness_sentence,
)
from tests.test_scoring import attachment_input

# J files by far the most cases but is last on inspections and fines: its 10th place is the weights' doing.
TRADE_OFFS = pd.DataFrame(
    {
        "county": list("ABCDEFGHIJ"),
        "inspections": [300, 250, 200, 180, 160, 140, 120, 100, 80, 10],
        "cases": [1, 2, 3, 4, 5, 6, 7, 8, 9, 30],
        "fines": [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5],
    }
)


def test_alternatives_are_seeded_and_cover_the_structured_cases() -> None:
    rule = ScoringRule().with_weights(fines=2)
    first, again = alternative_schemes(rule), alternative_schemes(rule)
    np.testing.assert_array_equal(first.weights, again.weights)
    assert len(first.weights) == 200
    assert first.kinds[:5] == ("equal", "method", "without:inspections", "without:cases", "without:fines")
    assert first.weights[0].tolist() == [1, 1, 1]
    assert first.weights[1].tolist() == [1, 1, 2] and first.share[1] and not first.share[0]
    assert first.weights[3].tolist() == [1, 0, 2]
    scaled = first.weights[5:] / np.array([1, 1, 2])
    assert scaled.min() >= 0.5 and scaled.max() <= 2
    assert scaled.min() < 0.6 and scaled.max() > 1.8  # the whole range is explored
    other = alternative_schemes(rule, RobustnessSettings(seed=1))
    assert not np.array_equal(other.weights, first.weights)


def test_array_places_equal_scoring_each_alternative_scheme(reference: pd.DataFrame) -> None:
    gappy = TRADE_OFFS.copy()
    gappy.loc[2, "cases"] = np.nan
    for table, rule in [
        (attachment_input(reference), ScoringRule()),
        (gappy, ScoringRule(name="百分制", method="share").with_weights(fines=0.5)),
        (
            TRADE_OFFS,
            ScoringRule(
                name="逆向",
                top=8,
                step=2,
                measures=(Measure("cases", higher_is_better=False), Measure("fines", weight=3)),
            ),
        ),
    ]:
        alternatives = alternative_schemes(rule, RobustnessSettings(variants=60))
        complete, place, places = alternative_places(table, rule, alternatives)
        ranked = table["county"][complete].tolist()
        in_force = score_counties(table, rule).set_index("county")["overall_rank"]
        assert dict(zip(ranked, place.tolist(), strict=True)) == in_force.dropna().to_dict()
        for position in range(len(alternatives.weights)):
            scheme = alternatives.scheme(position, rule)
            expected = score_counties(table, scheme).set_index("county")["overall_rank"].dropna().to_dict()
            assert dict(zip(ranked, places[:, position].tolist(), strict=True)) == expected, scheme


def test_a_place_that_moves_with_the_weights_is_called_sensitive() -> None:
    result = rank_robustness(TRADE_OFFS, ScoringRule()).set_index("county")
    assert result.loc["A", ["place", "low_place", "high_place"]].tolist() == [1, 1, 1]
    assert bool(result.loc["A", "stable"])
    j = result.loc["J"]
    assert j["place"] == 10 and j["low_place"] <= 3 and j["high_place"] == 10 and not j["stable"]
    sentence = robustness_sentence(result.reset_index().iloc[-1])
    assert sentence.startswith("J：现行规则第10名；在200种权重方案下位于第")
    assert sentence.endswith("名，排名对权重敏感")
    assert robustness_sentence(result.reset_index().iloc[0]) == "A：现行规则第1名；在200种权重方案下均为第1名，排名稳定"


def test_the_reference_bottom_is_stable_and_sentences_read_like_the_issue(reference: pd.DataFrame) -> None:
    result = rank_robustness(attachment_input(reference), ScoringRule())
    last = result.iloc[-1]
    assert last["county"] == "驿城区" and last["place"] == 10
    assert robustness_sentence(last) == "驿城区：现行规则第10名；在200种权重方案下均为第10名，排名稳定"
    assert (result["low_place"] <= result["median_place"]).all()
    assert (result["median_place"] <= result["high_place"]).all()


def test_the_stability_rule_is_a_setting() -> None:
    strict = rank_robustness(TRADE_OFFS, ScoringRule(), RobustnessSettings(stable_places=0, stable_fraction=0))
    assert strict.set_index("county").loc["A", "stable"]  # never moves
    assert not strict.set_index("county").loc["F", "stable"]  # moves by one place
    assert RobustnessSettings().stable_spread(10) == 2
    assert RobustnessSettings().stable_spread(2800) == 280


def test_a_county_missing_a_figure_has_no_place_and_says_so() -> None:
    table = TRADE_OFFS.copy()
    table.loc[table["county"] == "C", "fines"] = np.nan
    before = table.copy()
    result = rank_robustness(table, ScoringRule())
    pd.testing.assert_frame_equal(table, before)
    row = result[result["county"] == "C"].iloc[0]
    assert pd.isna(row["place"]) and pd.isna(row["low_place"])
    assert result["county"].iloc[-1] == "C"
    assert robustness_sentence(row) == "C：现行规则下缺少数据，不参加排名，无法评估排名是否稳定"
    assert result["place"].max() == 9


def test_codes_are_carried_and_a_single_measure_scheme_works() -> None:
    table = TRADE_OFFS.assign(county_code=range(411701, 411711))
    rule = ScoringRule(name="只看立案", measures=(Measure("cases"),))
    result = rank_robustness(table, rule)
    assert list(result.columns[:2]) == ["county_code", "county"]
    assert result["county"].iloc[0] == "J"
    assert result["stable"].all()  # one measure: weights cannot change the order


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), min_size=1, max_size=5), min_size=1, max_size=12))
def test_places_under_is_the_competition_rank_of_each_column(columns: list[list[int]]) -> None:
    size = len(columns[0])
    matrix = np.array([column[:size] + [0] * (size - len(column[:size])) for column in columns], dtype=float).T
    places = places_under(matrix)
    for position in range(matrix.shape[1]):
        expected = competition_rank(pd.Series(matrix[:, position])).tolist()
        assert places[:, position].tolist() == expected


@pytest.mark.parametrize("counties", [1, 2])
def test_tiny_pools(counties: int) -> None:
    result = rank_robustness(TRADE_OFFS.head(counties), ScoringRule())
    assert result["place"].tolist() == list(range(1, counties + 1))


def test_the_benchmark_builds_its_tables_and_reports_rows() -> None:
    from benchmarks.robustness import TARGETS_S, measure_table, robustness_figures

    assert len(measure_table(2800)) == 2800
    rows = robustness_figures(runs=1, variants=20)
    assert [row["counties"] for row in rows] == [10, 10, 2800, 2800]
    assert all(row["target_s"] == TARGETS_S[row["counties"]] for row in rows)  # type: ignore[index]
