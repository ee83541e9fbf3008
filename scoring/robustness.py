"""How decisive is a place? Every county scored under a few hundred alternative schemes around the one in force.

The alternatives (seeded, so a page shows the same figures twice): the scheme with equal weights, with the other
points method ("share" for "rank" and back), with each measure left out once, and the rest with every weight
scaled at random between 0.5× and 2×. A place that holds across them is the county's; one that moves with the
weights is partly an artefact of the scheme.

All on arrays: each measure's ranks and points are computed once (they do not depend on the weights), the totals
of every alternative are one product, and every alternative is ranked in one sort, so 2,800 counties under 200
schemes take a fraction of a second.

>>> import pandas as pd
>>> table = pd.DataFrame({"county": ["甲", "乙", "丙"], "inspections": [90, 50, 10],
...                       "cases": [9, 5, 1], "fines": [9.0, 5.0, 1.0]})
>>> places = rank_robustness(table, ScoringRule())
>>> places[["county", "place", "low_place", "high_place", "stable"]].values.tolist()
[['甲', 1, 1, 1, True], ['乙', 2, 2, 2, True], ['丙', 3, 3, 3, True]]
>>> robustness_sentence(places.iloc[2])
'丙：现行规则第3名；在200种权重方案下均为第3名，排名稳定'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.ranking import POINTS_DECIMALS, RANK_DECIMALS, _as_floats, _ranks, measure_points
from scoring.rule import ScoringRule


@dataclass(frozen=True)
class RobustnessSettings:
    """The alternatives tried and when a place counts as stable.

    - ``variants``: how many alternative schemes in all (the structured ones included).
    - ``low_scale``/``high_scale``: each weight is multiplied by a factor drawn log-uniformly between these.
    - ``low_percentile``/``high_percentile``: the interval reported, in percent of the alternatives.
    - A place is stable when its interval spans at most ``stable_places`` places, or at most ``stable_fraction``
      of the counties ranked when that is more (at 2,800 counties a move of 100 places is not a change of verdict).
    """

    variants: int = 200
    seed: int = 20200630
    low_scale: float = 0.5
    high_scale: float = 2.0
    low_percentile: float = 5.0
    high_percentile: float = 95.0
    stable_places: int = 2
    stable_fraction: float = 0.1

    def stable_spread(self, ranked: int) -> int:
        """The widest interval (high − low places) still called stable among ``ranked`` counties."""
        return max(self.stable_places, math.floor(self.stable_fraction * ranked))


@dataclass(frozen=True)
class Alternatives:
    """Alternative schemes as arrays: one row of weights per alternative, and whether it uses "share" points."""

    weights: np.ndarray  # alternatives × measures
    share: np.ndarray  # alternatives, bool
    kinds: tuple[str, ...]  # "equal", "method", "without:<key>", "scaled"

    def scheme(self, position: int, rule: ScoringRule) -> ScoringRule:
        """Alternative ``position`` as a scheme, to check the array arithmetic against ``score_counties``."""
        measures = tuple(
            replace(measure, weight=float(weight))
            for measure, weight in zip(rule.measures, self.weights[position], strict=True)
        )
        method = "share" if self.share[position] else "rank"
        return replace(rule, measures=measures, method=method)


def alternative_schemes(rule: ScoringRule, settings: RobustnessSettings | None = None) -> Alternatives:
    """The seeded alternatives around ``rule``: equal weights, the other method, each measure left out, then scaled.

    >>> alternatives = alternative_schemes(ScoringRule())
    >>> alternatives.weights.shape, alternatives.kinds[:5]
    ((200, 3), ('equal', 'method', 'without:inspections', 'without:cases', 'without:fines'))
    """
    settings = settings or RobustnessSettings()
    base = np.array([measure.weight for measure in rule.measures], dtype="float64")
    in_force_share = rule.method == "share"
    rows: list[np.ndarray] = [np.ones_like(base), base.copy()]
    share: list[bool] = [in_force_share, not in_force_share]
    kinds: list[str] = ["equal", "method"]
    if len(base) > 1:
        for position, measure in enumerate(rule.measures):
            without = base.copy()
            without[position] = 0.0
            rows.append(without)
            share.append(in_force_share)
            kinds.append(f"without:{measure.column}")
    scaled = max(settings.variants - len(rows), 0)
    generator = np.random.default_rng(settings.seed)
    factors = np.exp(
        generator.uniform(math.log(settings.low_scale), math.log(settings.high_scale), size=(scaled, len(base)))
    )
    weights = np.vstack([np.array(rows), base * factors])[: max(settings.variants, 1)]
    methods = np.array(share + [in_force_share] * scaled, dtype=bool)[: len(weights)]
    return Alternatives(weights, methods, tuple((kinds + ["scaled"] * scaled)[: len(weights)]))


def places_under(totals: np.ndarray) -> np.ndarray:
    """Competition places (ties share the better place) of every column of a counties × schemes array of totals.

    >>> places_under(np.array([[3.0, 1.0], [5.0, 1.0], [3.0, 2.0]])).T.tolist()
    [[2, 1, 2], [2, 2, 1]]
    """
    key = np.ascontiguousarray(-np.round(totals, RANK_DECIMALS).T)  # a scheme's totals side by side in memory
    order = np.argsort(key, axis=1)  # any order among equal totals: they share the place of the first of them
    ordered = np.take_along_axis(key, order, axis=1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    positions = np.broadcast_to(np.arange(key.shape[1]), key.shape)
    # Each county's place is the position of the first county with its total, plus one.
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=1) + 1
    places = np.empty_like(first)
    np.put_along_axis(places, order, first, axis=1)
    return places.T


def rank_robustness(
    table: pd.DataFrame,
    rule: ScoringRule,
    settings: RobustnessSettings | None = None,
    county_column: str = "county",
) -> pd.DataFrame:
    """Per county: its place under ``rule``, the median place and the percentile interval under the alternatives.

    Counties missing any of the scheme's figures have no place under it and get none here either (their row has
    missing places). Other columns are not carried; ``county_code`` is, when the table has it. Ordered by place.
    The input is never changed.
    """
    settings = settings or RobustnessSettings()
    alternatives = alternative_schemes(rule, settings)
    complete, place, places = alternative_places(table, rule, alternatives)
    quantiles = [settings.low_percentile / 100, 0.5, settings.high_percentile / 100]
    if len(places):
        low, median, high = np.quantile(places, quantiles, axis=1, method="inverted_cdf").astype("int64")
    else:
        low = median = high = np.empty(0, dtype="int64")
    stable = (high - low) <= settings.stable_spread(len(places))

    def spread(column: np.ndarray) -> pd.arrays.IntegerArray:
        full = np.zeros(len(table), dtype="int64")
        full[complete] = column
        return pd.arrays.IntegerArray(full, ~complete)

    result: dict[str, object] = {}
    if "county_code" in table.columns and county_column != "county_code":
        result["county_code"] = table["county_code"].to_numpy()
    stable_all = np.zeros(len(table), dtype=bool)
    stable_all[complete] = stable
    result.update(
        {
            county_column: table[county_column].to_numpy(),
            "place": spread(place),
            "median_place": spread(median),
            "low_place": spread(low),
            "high_place": spread(high),
            "stable": pd.arrays.BooleanArray(stable_all, ~complete),
            "variants": len(alternatives.weights),
        }
    )
    frame = pd.DataFrame(result)
    return frame.sort_values("place", kind="stable", na_position="last").reset_index(drop=True)


def alternative_places(
    table: pd.DataFrame, rule: ScoringRule, alternatives: Alternatives
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which counties are ranked (all the scheme's figures present), their places under ``rule`` and under each
    alternative (ranked counties × alternatives)."""
    values = np.column_stack([_as_floats(table[measure.column]) for measure in rule.measures])
    complete = ~np.isnan(values).any(axis=1)
    pool = values[complete]
    rank_rule, share_rule = replace(rule, method="rank"), replace(rule, method="share")
    by_rank = np.empty_like(pool)
    by_share = np.empty_like(pool)
    for position, measure in enumerate(rule.measures):
        ranks = _ranks(pool[:, position], measure.higher_is_better).to_numpy(dtype="float64", na_value=np.nan)
        by_rank[:, position] = measure_points(pool[:, position], ranks, measure.higher_is_better, rank_rule)
        by_share[:, position] = measure_points(pool[:, position], ranks, measure.higher_is_better, share_rule)
    in_force = np.array([[measure.weight for measure in rule.measures]])
    place = places_under(_totals(by_share if rule.method == "share" else by_rank, in_force))[:, 0]
    totals = np.empty((len(pool), len(alternatives.weights)))
    for method_share, points in ((False, by_rank), (True, by_share)):
        chosen = alternatives.share == method_share
        if chosen.any():
            totals[:, chosen] = _totals(points, alternatives.weights[chosen])
    return complete, place, places_under(totals)


def _totals(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Counties × schemes totals, each measure's weighted points kept to two decimals first, as in scoring."""
    weighted = np.round(points[:, :, None] * weights.T[None, :, :], POINTS_DECIMALS)
    totals: np.ndarray = np.round(weighted.sum(axis=1), POINTS_DECIMALS)
    return totals


def robustness_sentence(row: pd.Series, county_column: str = "county") -> str:
    """One sentence about a county's place: "驿城区：现行规则第10名；在200种权重方案下位于第9–10名，排名稳定"."""
    county = row[county_column]
    if pd.isna(row["place"]):
        return f"{county}：现行规则下缺少数据，不参加排名，无法评估排名是否稳定"
    low, high = int(row["low_place"]), int(row["high_place"])
    where = f"均为第{low}名" if low == high else f"位于第{low}–{high}名"
    verdict = "排名稳定" if bool(row["stable"]) else "排名对权重敏感"
    return f"{county}：现行规则第{int(row['place'])}名；在{int(row['variants'])}种权重方案下{where}，{verdict}"
