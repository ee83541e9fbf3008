"""The scoring scheme (评分规则): which catalogue measures count, their weights, and how places become points.

``ScoringRule`` is the scheme (``Scheme`` is the same class); ``ScoringRule()`` is the attachment's own rule.

>>> rule = ScoringRule()
>>> rule.points_for_rank(1, ranked=10), rule.points_for_rank(10, ranked=10)
(10.0, 1.0)
>>> [m.column for m in rule.measures], rule.method
(['inspections', 'cases', 'fines'], 'rank')
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from scoring.catalogue import CATALOGUE

METHODS = {"rank": "按名次计分", "share": "百分制（按与最高值之比）"}
DEFAULT_SCHEME_NAME = "驻马店市安全生产执法考核（通报附件规则）"


class SchemeError(ValueError):
    """A scheme that cannot be used; the message is one Chinese line naming the key and the problem."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"评分方案的 {key} 有误：{problem}" if key else problem)

    def within(self, prefix: str) -> SchemeError:
        """The same problem, with the key placed inside ``prefix`` (measures[2].weight)."""
        return SchemeError(f"{prefix}.{self.key}" if self.key else prefix, self.problem)


@dataclass(frozen=True)
class Measure:
    """One ranked measure of a scheme: its catalogue key (``column``), how the table names it, and how it counts.

    ``label`` and ``unit`` default to the catalogue's.

    >>> Measure("cases").label, Measure("cases", weight=0.3).weight
    ('立案数', 0.3)
    """

    column: str
    label: str = ""
    unit: str = ""
    weight: float = 1.0
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        entry = CATALOGUE.get(self.column)
        if entry is None:
            raise SchemeError("key", f"未知指标“{self.column}”，可用的指标有：{'、'.join(CATALOGUE)}")
        if not self.label:
            object.__setattr__(self, "label", entry.label)
        if not self.unit:
            object.__setattr__(self, "unit", entry.unit)
        elif self.unit != entry.unit:
            raise SchemeError("unit", f"指标“{self.column}”的单位是{entry.unit}，不是{self.unit}")
        if isinstance(self.weight, bool) or not isinstance(self.weight, int | float) or not math.isfinite(self.weight):
            raise SchemeError("weight", f"权重应为有限的数字，实际为“{self.weight}”")
        if self.weight < 0:
            raise SchemeError("weight", f"权重不能为负数（{self.weight:g}）")
        object.__setattr__(self, "weight", float(self.weight))

    @property
    def key(self) -> str:
        return self.column


DEFAULT_MEASURES: tuple[Measure, ...] = (Measure("inspections"), Measure("cases"), Measure("fines"))


@dataclass(frozen=True, kw_only=True)
class ScoringRule:
    """A scoring scheme: its measures in table order, the points method and its numbers, and when it applies.

    - ``method = "rank"``: points = ``top − step × (place − 1)``, never below ``floor``; ``top`` of ``None`` means
      "the number of counties ranked on that measure", so the last county still gets ``floor`` points.
    - ``method = "share"`` (百分制): points = ``full × value ÷ best value`` (``full × best ÷ value`` for a measure
      where lower is better). A county with 0 of a higher-is-better measure gets 0, and so does everyone when the
      best is 0; where lower is better a county with 0 gets ``full`` and, if the best is 0, every other county 0.

    Points are multiplied by the measure's weight and kept to two decimals; the total is their sum.
    """

    measures: tuple[Measure, ...] = field(default=DEFAULT_MEASURES)
    method: str = "rank"
    top: float | None = None
    step: float = 1.0
    floor: float = 1.0
    full: float = 10.0
    name: str = DEFAULT_SCHEME_NAME
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.measures:
            raise SchemeError("measures", "至少需要一个指标")
        seen: set[str] = set()
        for position, measure in enumerate(self.measures):
            if measure.column in seen:
                raise SchemeError(f"measures[{position}].key", f"指标“{measure.column}”重复")
            seen.add(measure.column)
        if self.method not in METHODS:
            raise SchemeError("points.method", f"未知的计分方法“{self.method}”，应为 rank（按名次）或 share（百分制）")
        for key in ("top", "step", "floor", "full"):
            value = getattr(self, key)
            if key == "top" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise SchemeError(f"points.{key}", f"应为有限的数字，实际为“{value}”")
            if value < 0:
                raise SchemeError(f"points.{key}", f"不能为负数（{value:g}）")
            object.__setattr__(self, key, float(value))
        if self.method == "share" and self.full == 0:
            raise SchemeError("points.full", "百分制的满分应大于0")
        if not isinstance(self.name, str) or not self.name.strip():
            raise SchemeError("name", "评分方案需要一个名称")
        for key in ("effective_from", "effective_to"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise SchemeError(key, f"应为日期（如 2020-01-01），实际为“{value}”")
        if self.effective_from and self.effective_to and self.effective_from > self.effective_to:
            raise SchemeError(
                "effective_to", f"结束日期 {self.effective_to} 早于开始日期 {self.effective_from}"
            )

    @property
    def weighted(self) -> bool:
        return any(measure.weight != 1 for measure in self.measures)

    def applies_on(self, day: dt.date) -> bool:
        """Whether the scheme is in effect on ``day``."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    def points_for_rank(self, rank: int, ranked: int) -> float:
        """Unweighted "rank" points of a place among ``ranked`` counties."""
        top = float(ranked) if self.top is None else self.top
        return max(self.floor, top - self.step * (rank - 1))

    def with_weights(self, **weights: float) -> ScoringRule:
        """A copy with new weights for the named measures."""
        unknown = set(weights) - {measure.column for measure in self.measures}
        if unknown:
            raise SchemeError("measures", f"方案中没有指标：{'、'.join(sorted(unknown))}")
        measures = tuple(
            replace(measure, weight=weights.get(measure.column, measure.weight)) for measure in self.measures
        )
        return replace(self, measures=measures)

    def describe(self, counties: int = 10, lang: str = "zh") -> str:
        """The scheme in one sentence, like the attachment's 得分说明; ``lang="en"`` says the same in English.

        >>> ScoringRule().describe()
        '得分说明：每一项得分满分10分，按照该项排名顺序依次递减，第一名得10分，第十名得1分。'
        >>> ScoringRule(method="share").with_weights(inspections=0.3, cases=0.3, fines=0.4).describe()
        '得分说明：百分制计分，每一项满分10分，该项数值最高的县区得10分，其余按本县区数值÷最高值×10计分；各项得分乘以权重后相加（检查生产经营单位30%、立案数30%、监督检查罚款40%），保留两位小数。'
        >>> ScoringRule().describe(10, "en")[:60]
        'Points: each measure scores at most 10, one point less for e'
        """
        if lang == "en":
            return self._describe_en(counties)
        if self.method == "share":
            sentence = self._describe_share()
        else:
            sentence = self._describe_rank(counties)
        if self.weighted:
            total = sum(measure.weight for measure in self.measures)
            if math.isclose(total, 1.0):
                shares = "、".join(f"{m.label}{_number(m.weight * 100)}%" for m in self.measures)
                sentence += f"；各项得分乘以权重后相加（{shares}），保留两位小数"
            else:
                multiples = [f"{m.label}按{_number(m.weight)}倍计" for m in self.measures if m.weight != 1]
                sentence += "；" + "，".join(multiples)
        return sentence + "。"

    def _describe_en(self, counties: int) -> str:
        """The English 得分说明: the same facts as the Chinese, measures by their catalogue names."""

        def name(measure: Measure) -> str:
            return CATALOGUE[measure.column].label_en

        if self.method == "share":
            full = _number(self.full)
            sentence = (
                f"Points (share of the best): on each measure the highest county scores {full}, "
                f"the others {full} × value ÷ highest"
            )
            reversed_measures = [name(m) for m in self.measures if not m.higher_is_better]
            if reversed_measures:
                sentence += (
                    f"; for {', '.join(reversed_measures)} lower is better: the lowest scores {full}, "
                    f"the others {full} × lowest ÷ value"
                )
        else:
            top = float(counties) if self.top is None else self.top
            last = self.points_for_rank(counties, counties)
            step = "one point less" if self.step == 1 else f"{_number(self.step)} points less"
            sentence = (
                f"Points: each measure scores at most {_number(top)}, {step} for each place down the ranking: "
                f"first place {_number(top)}, place {counties} {_number(last)}"
            )
            if self.floor > 0 and top - self.step * (counties - 1) < self.floor:
                sentence += f", at least {_number(self.floor)}"
            reversed_measures = [name(m) for m in self.measures if not m.higher_is_better]
            if reversed_measures:
                sentence += "; " + ", ".join(f"lower {label} ranks higher" for label in reversed_measures)
        if self.weighted:
            total = sum(measure.weight for measure in self.measures)
            if math.isclose(total, 1.0):
                shares = ", ".join(f"{name(m)} {_number(m.weight * 100)}%" for m in self.measures)
                sentence += f"; each measure's points are weighted ({shares}) and added, kept to two decimals"
            else:
                multiples = [f"{name(m)} counts {_number(m.weight)} times" for m in self.measures if m.weight != 1]
                sentence += "; " + ", ".join(multiples)
        return sentence + "."

    def _describe_rank(self, counties: int) -> str:
        top = float(counties) if self.top is None else self.top
        last = self.points_for_rank(counties, counties)
        step = "依次递减" if self.step == 1 else f"每降一名减{_number(self.step)}分"
        sentence = (
            f"得分说明：每一项得分满分{_number(top)}分，按照该项排名顺序{step}，"
            f"第一名得{_number(top)}分，第{chinese_numeral(counties)}名得{_number(last)}分"
        )
        if self.floor > 0 and top - self.step * (counties - 1) < self.floor:
            sentence += f"，最低{_number(self.floor)}分"
        reversed_measures = [m for m in self.measures if not m.higher_is_better]
        if reversed_measures:
            sentence += "；" + "，".join(f"{m.label}数值越小排名越前" for m in reversed_measures)
        return sentence

    def _describe_share(self) -> str:
        full = _number(self.full)
        sentence = (
            f"得分说明：百分制计分，每一项满分{full}分，该项数值最高的县区得{full}分，其余按本县区数值÷最高值×{full}计分"
        )
        reversed_measures = [m for m in self.measures if not m.higher_is_better]
        if reversed_measures:
            labels = "、".join(m.label for m in reversed_measures)
            sentence += f"；{labels}为逆向指标，数值最低的县区得{full}分，其余按最低值÷本县区数值×{full}计分"
        return sentence


Scheme = ScoringRule


def _number(value: float) -> str:
    return f"{round(value, 6):g}"


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
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
