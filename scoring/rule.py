"""The points rule of the bulletin's attachment, as a frozen settings object.

>>> rule = ScoringRule()
>>> rule.points_for_rank(1, ranked=10), rule.points_for_rank(10, ranked=10)
(10.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Measure:
    """One ranked measure: its column, how the bulletin names it, and how it counts."""

    column: str
    label: str
    unit: str
    weight: float = 1.0
    higher_is_better: bool = True


DEFAULT_MEASURES: tuple[Measure, ...] = (
    Measure("inspections", "检查生产经营单位", "家次"),
    Measure("cases", "立案数", "起"),
    Measure("fines", "监督检查罚款", "万元"),
)


@dataclass(frozen=True)
class ScoringRule:
    """How ranks become points.

    ``top_points`` of ``None`` means "the number of counties ranked on that measure",
    so the last county still gets ``floor`` points whatever the number of counties.
    """

    measures: tuple[Measure, ...] = field(default=DEFAULT_MEASURES)
    top_points: float | None = None
    step: float = 1.0
    floor: float = 1.0

    def __post_init__(self) -> None:
        if not self.measures:
            raise ValueError("评分规则至少需要一个指标")
        if self.step < 0:
            raise ValueError("每名次递减分值不能为负数")
        columns = [measure.column for measure in self.measures]
        if len(set(columns)) != len(columns):
            raise ValueError("评分规则中的指标重复")

    def points_for_rank(self, rank: int, ranked: int) -> float:
        """Unweighted points of a rank among ``ranked`` counties."""
        top = float(ranked) if self.top_points is None else float(self.top_points)
        return max(self.floor, top - self.step * (rank - 1))

    def with_weights(self, **weights: float) -> ScoringRule:
        """A copy with new weights for the named measures."""
        unknown = set(weights) - {measure.column for measure in self.measures}
        if unknown:
            raise ValueError(f"未知指标：{'、'.join(sorted(unknown))}")
        measures = tuple(
            replace(measure, weight=weights.get(measure.column, measure.weight)) for measure in self.measures
        )
        return replace(self, measures=measures)

    def describe(self, counties: int = 10) -> str:
        """The rule in one Chinese sentence, like the attachment's 得分说明.

        >>> ScoringRule().describe()
        '得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分。'
        """
        top = float(counties) if self.top_points is None else float(self.top_points)
        last = self.points_for_rank(counties, counties)
        step = "依次递减" if self.step == 1 else f"每降一名减{_number(self.step)}分"
        sentence = (
            f"得分说明：每一项得分满分{_number(top)}分，按照该项排名顺序{step}，"
            f"第一名得{_number(top)}分，第{_chinese_ordinal(counties)}名得{_number(last)}分"
        )
        if self.floor > 0 and top - self.step * (counties - 1) < self.floor:
            sentence += f"，最低{_number(self.floor)}分"
        weighted = [m for m in self.measures if m.weight != 1]
        if weighted:
            sentence += "；" + "，".join(f"{m.label}按{_number(m.weight)}倍计" for m in weighted)
        reversed_measures = [m for m in self.measures if not m.higher_is_better]
        if reversed_measures:
            sentence += "；" + "，".join(f"{m.label}数值越小排名越前" for m in reversed_measures)
        return sentence + "。"


def _number(value: float) -> str:
    return f"{value:g}"


_DIGITS = "零一二三四五六七八九"


def _chinese_ordinal(number: int) -> str:
    """Chinese numerals as a bulletin writes places: 10 → 十, 23 → 二十三."""
    if number <= 0 or number >= 10000:
        return str(number)
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    return str(number)
