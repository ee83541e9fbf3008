"""The measure catalogue: every figure a scheme may rank, what it counts, how it is written and where it comes from.

Only definitions live here; the records layer computes each measure in SQL from these declarations (a rate is
``scale × numerator ÷ denominator`` over two count measures of the same catalogue, summed per county first), and a
county summary file may carry any measure under one of its header variants.

>>> CATALOGUE["fines"].label, CATALOGUE["fines"].unit, CATALOGUE["fines"].decimals
('监督检查罚款', '万元', 2)
>>> rate = CATALOGUE["cases_per_100_inspections"]
>>> rate.numerator, rate.denominator, rate.scale, rate.formula()
('cases', 'inspections', 100.0, '立案数 ÷ 检查生产经营单位 × 100')
>>> format_measure("fines", 76.7), format_measure("inspections", 1117.0), format_measure("rectification_rate", None)
('76.70', '1117', '')
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueMeasure:
    """One measure a scheme may name.

    ``headers`` are the extra ways a summary file may head its column (the key, the label and
    ``label（unit）`` are always accepted). A rate has a ``numerator`` and ``denominator`` (catalogue keys of
    count measures) and a ``scale`` (100 for "per 100" and for percentages).
    """

    key: str
    label: str
    label_en: str
    unit: str
    unit_en: str
    decimals: int
    counts: str  # what is counted, in Chinese, for the README and the records layer
    headers: tuple[str, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None

    def heading(self) -> str:
        """The label with its unit, as a table heads its column: 监督检查罚款（万元）."""
        return f"{self.label}（{self.unit}）"

    def all_headers(self) -> tuple[str, ...]:
        return (self.key, self.heading(), self.label, *self.headers)

    def formula(self) -> str:
        """A rate's formula in words; '' for a count."""
        if self.numerator is None or self.denominator is None:
            return ""
        scale = "" if self.scale == 1 else f" × {self.scale:g}"
        return f"{CATALOGUE[self.numerator].label} ÷ {CATALOGUE[self.denominator].label}{scale}"


_MEASURES = (
    CatalogueMeasure(
        "inspections",
        "检查生产经营单位",
        "Inspections",
        "家次",
        "visits",
        0,
        "期内的检查记录条数（一次检查一个单位为一家次）",
        ("检查家次", "检查数", "检查企业数", "检查企业(家次)", "检查企业", "检查单位(家次)", "检查生产经营单位数"),
    ),
    CatalogueMeasure(
        "inspector_turnouts",
        "出动执法人员",
        "Inspector turnouts",
        "人次",
        "turnouts",
        0,
        "期内检查记录的出动执法人员人次之和",
        ("出动行政执法人员(人次)", "出动行政执法人员", "执法人员人次", "出动执法人次"),
    ),
    CatalogueMeasure(
        "documents",
        "使用执法文书",
        "Enforcement documents",
        "份",
        "documents",
        0,
        "期内检查记录的执法文书份数之和",
        ("执法文书(份)", "执法文书", "使用执法文书数"),
    ),
    CatalogueMeasure(
        "hazards_found",
        "发现隐患",
        "Hazards found",
        "项",
        "hazards",
        0,
        "期内检查记录发现的隐患项数之和",
        ("发现隐患(条)", "隐患数", "隐患(条)", "隐患(项)", "发现隐患数", "排查隐患(条)", "排查隐患(项)"),
    ),
    CatalogueMeasure(
        "rectification_ordered",
        "责令整改",
        "Rectification ordered",
        "家次",
        "visits",
        0,
        "期内责令整改的检查记录条数",
        ("责令整改(家次)", "责令整改数", "下达整改指令"),
    ),
    CatalogueMeasure(
        "rectification_recorded",
        "有整改记录",
        "Rectification recorded",
        "家次",
        "visits",
        0,
        "期内责令整改且有整改记录的检查记录条数",
        ("整改记录(家次)", "整改记录", "整改完成(家次)", "已整改"),
    ),
    CatalogueMeasure(
        "random_inspections",
        "双随机检查",
        "Random inspections",
        "家次",
        "visits",
        0,
        "期内双随机抽查的检查记录条数",
        ("双随机抽查(家次)", "双随机抽查", "双随机检查数"),
    ),
    CatalogueMeasure(
        "cases",
        "立案数",
        "Cases filed",
        "起",
        "cases",
        0,
        "立案日期在期内的案件数",
        ("立案(起)", "立案", "立案数(起)", "立案查处(起)"),
    ),
    CatalogueMeasure(
        "penalty_decisions",
        "处罚决定",
        "Penalty decisions",
        "次",
        "decisions",
        0,
        "立案日期在期内、有处罚决定日期的案件数",
        ("处罚次数", "处罚次数(次)", "行政处罚(次)", "行政处罚次数", "处罚决定数"),
    ),
    CatalogueMeasure(
        "fines",
        "监督检查罚款",
        "Fines",
        "万元",
        "10k yuan",
        2,
        "立案日期在期内的案件罚款金额之和，以万元计",
        ("罚款(万元)", "罚款", "罚款金额(万元)", "处罚金额(万元)", "经济处罚(万元)", "罚没款(万元)"),
    ),
    CatalogueMeasure(
        "cases_per_100_inspections",
        "每百家次立案数",
        "Cases per 100 inspections",
        "起/百家次",
        "per 100 visits",
        1,
        "立案数除以检查家次再乘100",
        ("每百家次立案", "每百家次检查立案数", "百家次立案数"),
        numerator="cases",
        denominator="inspections",
        scale=100.0,
    ),
    CatalogueMeasure(
        "hazards_per_inspection",
        "家次均发现隐患",
        "Hazards per inspection",
        "项/家次",
        "per visit",
        2,
        "发现隐患项数除以检查家次",
        ("每家次发现隐患", "平均每家次发现隐患", "家均隐患数"),
        numerator="hazards_found",
        denominator="inspections",
    ),
    CatalogueMeasure(
        "rectification_rate",
        "整改率",
        "Rectification rate",
        "%",
        "%",
        1,
        "有整改记录的家次除以责令整改的家次再乘100",
        ("隐患整改率", "整改完成率", "整改率(%)"),
        numerator="rectification_recorded",
        denominator="rectification_ordered",
        scale=100.0,
    ),
    CatalogueMeasure(
        "random_share",
        "双随机检查占比",
        "Share of random inspections",
        "%",
        "%",
        1,
        "双随机抽查的家次除以检查家次再乘100",
        ("双随机占比", "双随机抽查占比", "双随机检查比例"),
        numerator="random_inspections",
        denominator="inspections",
        scale=100.0,
    ),
)

CATALOGUE: dict[str, CatalogueMeasure] = {measure.key: measure for measure in _MEASURES}


def catalogue_measure(key: str) -> CatalogueMeasure:
    """The catalogue entry of ``key``; a KeyError names the keys there are."""
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"未知指标“{key}”，可用的指标有：{'、'.join(CATALOGUE)}") from None


def format_measure(key: str, value: object) -> str:
    """A value written with its measure's decimals; '' for a missing value."""
    if value is None:
        return ""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if math.isnan(number):
        return ""
    return f"{number:.{CATALOGUE[key].decimals}f}"


def rate_value(key: str, numerator: float, denominator: float) -> float:
    """A rate from its two counts; NaN when the denominator is 0 (no inspections: no rate, not a rate of 0)."""
    measure = CATALOGUE[key]
    return math.nan if not denominator else measure.scale * numerator / denominator
