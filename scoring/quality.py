"""Enforcement quality: the signals that good counts hide, each judged against the pool and told in a sentence.

A county can climb the inspections ranking by visiting the same few units again and again, by crowding its
inspections into the last days before the bulletin, or by inspections that never find a hazard; it can file cases
and never decide them. ``records.queries.quality_counts`` counts what each signal needs per county; here each
county's share is compared with the pool's (the whole city, or the counties ranked), and a county is flagged only
when it is further from the pool than a declared margin and has enough records to judge. Below the minimum count
a county is told 样本不足 and never flagged.

>>> counts = pd.DataFrame({"county_code": [1, 2, 3], "county": ["甲县", "乙县", "丙县"],
...                        "inspections": [100, 200, 10], "revisits": [60, 20, 1], "units": [20, 150, 10]})
>>> judged = judge_signal("repeat_visits", counts, QualitySettings())
>>> judged[["county", "status"]].values.tolist()
[['甲县', 'flagged'], ['乙县', 'within'], ['丙县', 'too_few']]
>>> judged["sentence"].iloc[0]
'检查100家次中有60家次是对30天内已检查过的同一单位的重复检查，占60.0%（全市平均26.1%），平均每个单位检查5.0次（全市平均1.7次）'
>>> judged["sentence"].iloc[2]
'检查仅10家次，不足50家次，样本不足，不作判断'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.flags import FLAG_KEYS
from scoring.output import _pad, _width

SIGNALS = (
    "repeat_visits",
    "period_end_rush",
    "no_hazard_inspections",
    "overdue_decisions",
    "fine_concentration",
    "low_random_share",
)
SIGNAL_TITLES = {
    "zh": {
        "repeat_visits": "重复检查",
        "period_end_rush": "期末突击",
        "no_hazard_inspections": "检查未发现隐患",
        "overdue_decisions": "办案超期",
        "fine_concentration": "罚款集中",
        "low_random_share": "双随机占比低",
    },
    "en": {
        "repeat_visits": "Repeat visits",
        "period_end_rush": "Period-end rush",
        "no_hazard_inspections": "Inspections finding no hazard",
        "overdue_decisions": "Overdue decisions",
        "fine_concentration": "Fines from a few cases",
        "low_random_share": "Few random inspections",
    },
}
STATUSES = ("flagged", "within", "too_few")
SIGNAL_COLUMNS = [
    "county_code",
    "county",
    "signal",
    "status",
    "value",
    "city_value",
    "base",
    "minimum",
    "extra",
    "city_extra",
    "sentence",
]
POOL_CITY = {"zh": "全市", "en": "the whole city"}
TOLERANCE = 1e-9  # a share exactly at the margin is flagged, whatever the float rounding of the division


@dataclass(frozen=True)
class QualitySettings:
    """The signals' thresholds, declared once: windows in days, margins as fractions (0.2 = 20 percentage points
    from the pool's share), and the least records a county needs before it is judged at all.

    - ``revisit_days``: an inspection revisits a unit the county inspected at most this many days before.
    - ``rush_days`` and ``month_end_days``: the period's last days, and each month's last days (periods spanning
      more than one month). Their share is flagged when it is ``rush_margin`` above the pool's and at least
      ``rush_ratio`` times it: in a short period these days are a large part of it, and a few points mean nothing.
    - ``overdue_days``: a case without a penalty decision this many days after filing is overdue (the
      Administrative Penalty Law's 90 days); only cases whose time has run out are judged.
    - ``top_cases``: how many of the largest fines ``fine_concentration`` adds up.
    - ``minimum_inspections`` (four signals), ``minimum_judged_cases`` (overdue) and ``minimum_fined_cases``
      (concentration): below these a county is 样本不足.
    """

    revisit_days: int = 30
    revisit_margin: float = 0.20
    rush_days: int = 10
    month_end_days: int = 5
    rush_margin: float = 0.10
    rush_ratio: float = 1.5
    no_hazard_margin: float = 0.20
    overdue_days: int = 90
    overdue_margin: float = 0.20
    top_cases: int = 3
    concentration_margin: float = 0.30
    random_margin: float = 0.20
    minimum_inspections: int = 50
    minimum_judged_cases: int = 5
    minimum_fined_cases: int = 10

    def query_parameters(self) -> dict[str, int]:
        """The windows the counting query takes (``records.queries.quality_counts``)."""
        return {
            "revisit_days": self.revisit_days,
            "rush_days": self.rush_days,
            "month_end_days": self.month_end_days,
            "overdue_days": self.overdue_days,
            "top_cases": self.top_cases,
        }


def spans_months(start: dt.date, end: dt.date) -> bool:
    """Whether a period reaches over more than one calendar month, so month ends are a pattern of their own.

    >>> spans_months(dt.date(2020, 1, 1), dt.date(2020, 6, 30)), spans_months(dt.date(2020, 3, 1), dt.date(2020, 3, 31))
    (True, False)
    """
    return (start.year, start.month) != (end.year, end.month)


def judge_quality(
    counts: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    settings: QualitySettings | None = None,
    lang: str = "zh",
    pool: str | None = None,
) -> pd.DataFrame:
    """Every signal for every county of ``counts`` (the ranking pool), judged against the pool: one row each.

    ``counts`` is ``records.queries.quality_counts`` for the pool's counties and the period. ``status`` is
    ``flagged``, ``within`` (judged, not far enough from the pool) or ``too_few`` (样本不足); ``value`` and
    ``city_value`` are the county's and the pool's shares; ``base`` is what the share is of, against ``minimum``.
    """
    judging = _Judging(counts, settings or QualitySettings(), lang, pool or POOL_CITY[lang], spans_months(start, end))
    return _assemble([_JUDGES[signal](judging) for signal in SIGNALS])


def quality_flags(signals: pd.DataFrame) -> pd.DataFrame:
    """Only the flagged rows, strongest first within each signal."""
    return signals[signals["status"] == "flagged"].reset_index(drop=True)


def quality_titles_by_county(signals: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Each county's flagged signals' titles joined (重复检查、办案超期), keyed by county code."""
    flagged = quality_flags(signals)
    joiner = "、" if lang == "zh" else ", "
    titles = flagged["signal"].map(SIGNAL_TITLES[lang])
    return titles.groupby(flagged["county_code"], sort=False).agg(joiner.join)


def judge_signal(
    signal: str,
    counts: pd.DataFrame,
    settings: QualitySettings,
    lang: str = "zh",
    pool: str | None = None,
    month_ends: bool = True,
) -> pd.DataFrame:
    """One signal for every county of ``counts``; see ``judge_quality``."""
    return _assemble([_JUDGES[signal](_Judging(counts, settings, lang, pool or POOL_CITY[lang], month_ends))])


@dataclass(frozen=True)
class _Judging:
    counts: pd.DataFrame
    settings: QualitySettings
    lang: str
    pool: str
    month_ends: bool

    def column(self, name: str) -> np.ndarray:
        return self.counts[name].astype("float64").to_numpy()

    @property
    def zh(self) -> bool:
        return self.lang == "zh"


def _share(numerator: np.ndarray, base: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, numerator / np.where(base > 0, base, 1), np.nan)


def _pooled(numerator: np.ndarray, base: np.ndarray) -> float:
    total = float(base.sum())
    return float(numerator.sum()) / total if total else float("nan")


def _statuses(excess: np.ndarray, base: np.ndarray, minimum: int, margin: float) -> np.ndarray:
    judged = base >= minimum
    flagged = judged & (np.nan_to_num(excess, nan=-np.inf) >= margin - TOLERANCE)
    return np.where(flagged, "flagged", np.where(judged, "within", "too_few"))


def _frame(
    judging: _Judging,
    signal: str,
    status: np.ndarray,
    value: np.ndarray,
    city: float | np.ndarray,
    base: np.ndarray,
    minimum: int,
    sentences: list[str],
    extra: np.ndarray | None = None,
    city_extra: float | np.ndarray = float("nan"),
    lower_is_worse: bool = False,
) -> dict[str, np.ndarray]:
    """The signal's columns, and the keys that put its rows in order: flagged first, then judged, then 样本不足,
    the furthest from the pool first in each."""
    n = len(judging.counts)

    def spread(values: float | np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(values, dtype="float64"), (n,))

    return {
        "county_code": judging.counts["county_code"].to_numpy(),
        "county": judging.counts["county"].to_numpy(dtype=object),
        "signal": np.full(n, signal, dtype=object),
        "status": status.astype(object),
        "value": spread(value),
        "city_value": spread(city),
        "base": base.astype("int64"),
        "minimum": np.full(n, minimum, dtype="int64"),
        "extra": spread(float("nan") if extra is None else extra),
        "city_extra": spread(city_extra),
        "sentence": np.array(sentences, dtype=object),
        "_signal": np.full(n, SIGNALS.index(signal)),
        "_order": np.select([status == "flagged", status == "within"], [0, 1], 2),
        "_worse": np.nan_to_num(value, nan=0.0) * (1 if lower_is_worse else -1),
    }


def _assemble(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One table of the signals' columns, ordered by signal, then as each signal orders its rows."""
    joined = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.lexsort((joined["_worse"], joined["_order"], joined["_signal"]))
    return pd.DataFrame({name: joined[name][order] for name in SIGNAL_COLUMNS}, columns=SIGNAL_COLUMNS)


def _too_few(judging: _Judging, base: float, minimum: int, zh_unit: str, en_unit: str, zh_what: str) -> str:
    return _too_few_words(judging.zh, base, minimum, zh_unit, en_unit, zh_what)


@functools.lru_cache(maxsize=4096)
def _too_few_words(zh: bool, base: float, minimum: int, zh_unit: str, en_unit: str, zh_what: str) -> str:
    """Thousands of small counties share a handful of these sentences: each is written once."""
    if zh:
        if not base:
            return f"本期没有{zh_what}记录，样本不足，不作判断"
        return f"{zh_what}仅{base:.0f}{zh_unit}，不足{minimum}{zh_unit}，样本不足，不作判断"
    return f"only {base:.0f} {en_unit}, fewer than {minimum}: too few to judge"


def _rows(*columns: np.ndarray) -> zip[tuple[Any, ...]]:
    """The columns row by row as plain Python values: far quicker to format than numpy scalars."""
    return zip(*(column.tolist() for column in columns), strict=True)


def _percent(share: float) -> str:
    return "—" if share != share else f"{share:.1%}"


def _repeat_visits(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    inspections, revisits, units = j.column("inspections"), j.column("revisits"), j.column("units")
    value, city = _share(revisits, inspections), _pooled(revisits, inspections)
    per_unit, city_per_unit = _share(inspections, units), _pooled(inspections, units)
    status = _statuses(value - city, inspections, s.minimum_inspections, s.revisit_margin)
    sentences = []
    for n, k, v, u, state in _rows(inspections, revisits, value, per_unit, status):
        if state == "too_few":
            sentences.append(_too_few(j, n, s.minimum_inspections, "家次", "inspections", "检查"))
        elif j.zh:
            sentences.append(
                f"检查{n:.0f}家次中有{k:.0f}家次是对{s.revisit_days}天内已检查过的同一单位的重复检查，"
                f"占{_percent(v)}（{j.pool}平均{_percent(city)}），平均每个单位检查{u:.1f}次"
                f"（{j.pool}平均{city_per_unit:.1f}次）"
            )
        else:
            sentences.append(
                f"{k:.0f} of {n:.0f} inspections revisited a unit inspected within {s.revisit_days} days: "
                f"{_percent(v)} ({j.pool}: {_percent(city)}); {u:.1f} inspections per unit "
                f"({j.pool}: {city_per_unit:.1f})"
            )
    minimum = s.minimum_inspections
    return _frame(j, "repeat_visits", status, value, city, inspections, minimum, sentences, per_unit, city_per_unit)


def _period_end_rush(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    inspections = j.column("inspections")
    last_days, month_end = j.column("period_end"), j.column("month_end")
    end_share, city_end = _share(last_days, inspections), _pooled(last_days, inspections)
    month_share, city_month = _share(month_end, inspections), _pooled(month_end, inspections)
    if not j.month_ends:
        month_share, city_month = np.full(len(j.counts), np.nan), float("nan")
    # Either share flags; the value is the one that flags (else the one further above the pool's), and the
    # sentence gives both.
    month_excess = _rush_excess(month_share, city_month, s.rush_ratio)
    end_excess = _rush_excess(end_share, city_end, s.rush_ratio)
    month_flags, end_flags = month_excess >= s.rush_margin - TOLERANCE, end_excess >= s.rush_margin - TOLERANCE
    further = np.nan_to_num(month_share - city_month, nan=-np.inf) > np.nan_to_num(end_share - city_end, nan=-np.inf)
    by_month = (month_flags & ~end_flags) | ((month_flags == end_flags) & further)
    value = np.where(by_month, month_share, end_share)
    city = np.where(by_month, city_month, city_end)
    status = _statuses(np.maximum(end_excess, month_excess), inspections, s.minimum_inspections, s.rush_margin)
    sentences = []
    for n, last, e, month, m, state in _rows(inspections, last_days, end_share, month_end, month_share, status):
        if state == "too_few":
            sentences.append(_too_few(j, n, s.minimum_inspections, "家次", "inspections", "检查"))
            continue
        if j.zh:
            sentence = (
                f"时段最后{s.rush_days}天检查{last:.0f}家次，占本期{n:.0f}家次的{_percent(e)}"
                f"（{j.pool}平均{_percent(city_end)}）"
            )
            if j.month_ends:
                sentence += (
                    f"；各月最后{s.month_end_days}天检查{month:.0f}家次，占{_percent(m)}"
                    f"（{j.pool}平均{_percent(city_month)}）"
                )
        else:
            sentence = (
                f"{last:.0f} of {n:.0f} inspections in the period's last {s.rush_days} days: "
                f"{_percent(e)} ({j.pool}: {_percent(city_end)})"
            )
            if j.month_ends:
                sentence += (
                    f"; {month:.0f} in the last {s.month_end_days} days of a month: "
                    f"{_percent(m)} ({j.pool}: {_percent(city_month)})"
                )
        sentences.append(sentence)
    other = np.where(by_month, end_share, month_share)
    other_city = np.where(by_month, city_end, city_month)
    minimum = s.minimum_inspections
    return _frame(j, "period_end_rush", status, value, city, inspections, minimum, sentences, other, other_city)


def _rush_excess(share: np.ndarray, city: float, ratio: float) -> np.ndarray:
    """How far a share stands above the pool's, counted only where it is also ``ratio`` times the pool's."""
    excess = np.nan_to_num(share - city, nan=-np.inf)
    return np.where(np.nan_to_num(share, nan=0.0) >= ratio * city - TOLERANCE, excess, -np.inf)


def _no_hazard(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    inspections, empty = j.column("inspections"), j.column("no_hazard")
    value, city = _share(empty, inspections), _pooled(empty, inspections)
    status = _statuses(value - city, inspections, s.minimum_inspections, s.no_hazard_margin)
    sentences = [
        _too_few(j, n, s.minimum_inspections, "家次", "inspections", "检查")
        if state == "too_few"
        else f"检查{n:.0f}家次中有{k:.0f}家次未发现任何隐患，占{_percent(v)}（{j.pool}平均{_percent(city)}）"
        if j.zh
        else f"{k:.0f} of {n:.0f} inspections found no hazard: {_percent(v)} ({j.pool}: {_percent(city)})"
        for n, k, v, state in _rows(inspections, empty, value, status)
    ]
    return _frame(j, "no_hazard_inspections", status, value, city, inspections, s.minimum_inspections, sentences)


def _overdue(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    judged, overdue = j.column("judged_cases"), j.column("overdue")
    median_days = j.column("median_decision_days")
    value, city = _share(overdue, judged), _pooled(overdue, judged)
    status = _statuses(value - city, judged, s.minimum_judged_cases, s.overdue_margin)
    sentences = []
    for n, k, v, days, state in _rows(judged, overdue, value, median_days, status):
        if state == "too_few":
            what = (f"立案满{s.overdue_days}天的案件", f"cases past {s.overdue_days} days")
            sentences.append(_too_few(j, n, s.minimum_judged_cases, "起", what[1], what[0]))
        elif j.zh:
            median = f"；立案至作出处罚决定用时中位数{days:.0f}天" if days == days else ""
            sentences.append(
                f"立案已满{s.overdue_days}天的{n:.0f}起案件中，{k:.0f}起超过{s.overdue_days}天未作出处罚决定，"
                f"占{_percent(v)}（{j.pool}平均{_percent(city)}）{median}"
            )
        else:
            median = f"; median {days:.0f} days from filing to decision" if days == days else ""
            sentences.append(
                f"{k:.0f} of {n:.0f} cases filed over {s.overdue_days} days ago had no penalty decision within "
                f"{s.overdue_days} days: {_percent(v)} ({j.pool}: {_percent(city)}){median}"
            )
    return _frame(j, "overdue_decisions", status, value, city, judged, s.minimum_judged_cases, sentences, median_days)


def _fine_concentration(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    fined, total, top = j.column("fined_cases"), j.column("fine_yuan"), j.column("top_fine_yuan")
    value = _share(top, total)
    judged = fined >= s.minimum_fined_cases
    # A county's three largest fines are always all of a small county's fines: the pool's own top three say
    # nothing about a county, so the comparison is with the middle county of those judged.
    city = float(np.median(value[judged])) if judged.any() else float("nan")
    status = _statuses(value - city, fined, s.minimum_fined_cases, s.concentration_margin)
    sentences = []
    for n, largest, whole, v, state in _rows(fined, top, total, value, status):
        if state == "too_few":
            sentences.append(_too_few(j, n, s.minimum_fined_cases, "起", "fined cases", "罚款案件"))
        elif j.zh:
            sentences.append(
                f"罚款最多的{s.top_cases}起案件共{largest / 10000:.2f}万元，占本县区罚款{whole / 10000:.2f}万元"
                f"（{n:.0f}起）的{_percent(v)}（{j.pool}中位数{_percent(city)}）"
            )
        else:
            sentences.append(
                f"the {s.top_cases} largest fines, {largest / 10000:.2f} (10k yuan), are {_percent(v)} of "
                f"the county's {whole / 10000:.2f} from {n:.0f} cases (median of {j.pool}: {_percent(city)})"
            )
    return _frame(j, "fine_concentration", status, value, city, fined, s.minimum_fined_cases, sentences)


def _low_random(j: _Judging) -> dict[str, np.ndarray]:
    s = j.settings
    inspections, chosen = j.column("inspections"), j.column("random")
    value, city = _share(chosen, inspections), _pooled(chosen, inspections)
    status = _statuses(city - value, inspections, s.minimum_inspections, s.random_margin)  # lower is worse
    sentences = [
        _too_few(j, n, s.minimum_inspections, "家次", "inspections", "检查")
        if state == "too_few"
        else f"检查{n:.0f}家次中双随机抽查{k:.0f}家次，占{_percent(v)}（{j.pool}平均{_percent(city)}）"
        if j.zh
        else f"{k:.0f} of {n:.0f} inspections chosen by random selection: {_percent(v)} ({j.pool}: {_percent(city)})"
        for n, k, v, state in _rows(inspections, chosen, value, status)
    ]
    minimum = s.minimum_inspections
    return _frame(j, "low_random_share", status, value, city, inspections, minimum, sentences, lower_is_worse=True)


_JUDGES: dict[str, Callable[[_Judging], dict[str, np.ndarray]]] = {
    "repeat_visits": _repeat_visits,
    "period_end_rush": _period_end_rush,
    "no_hazard_inspections": _no_hazard,
    "overdue_decisions": _overdue,
    "fine_concentration": _fine_concentration,
    "low_random_share": _low_random,
}


REPORT_COLUMNS = ["county", "flag", "value", "city_value", "detail"]


def flag_report(flags: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Every flag of a period in one table for programs: the existing flags under their stable keys
    (``scoring.flags.FLAG_KEYS``), then the flagged quality signals; the county's figure, the pool's, the sentence.

    Shares are fractions (0.838), cases per 100 inspections and places as they are written on the flags page.
    """
    existing = pd.DataFrame(
        {
            "county": flags["county"],
            "flag": flags["flag"].map(FLAG_KEYS),
            "value": flags["value"],
            "city_value": flags["city_value"],
            "detail": flags["reason"],
        },
        columns=REPORT_COLUMNS,
    )
    flagged = quality_flags(signals)
    quality = pd.DataFrame(
        {
            "county": flagged["county"],
            "flag": flagged["signal"],
            "value": flagged["value"],
            "city_value": flagged["city_value"],
            "detail": flagged["sentence"],
        },
        columns=REPORT_COLUMNS,
    )
    return pd.concat([part for part in (existing, quality) if not part.empty] or [existing], ignore_index=True)


def flag_report_csv(report: pd.DataFrame) -> str:
    """The report as CSV: figures as plain numbers to four significant digits, an empty cell where none applies."""
    return report.to_csv(index=False, lineterminator="\n", float_format="%.4g")


def flag_report_text(report: pd.DataFrame) -> str:
    """The report as an aligned table for a terminal, shares as percentages."""
    headers = ["县区", "预警", "本县区", "对比", "说明"]
    rows = [
        [str(county), str(flag), _shown(str(flag), float(value)), _shown(str(flag), float(city)), str(detail)]
        for county, flag, value, city, detail in report[REPORT_COLUMNS].itertuples(index=False)
    ]
    widths = [max([_width(headers[i]), *(_width(row[i]) for row in rows)]) for i in range(4)]
    lines = ["  ".join([*(_pad(line[i], widths[i]) for i in range(4)), line[4]]) for line in [headers, *rows]]
    return "\n".join(lines) + "\n"


def _shown(flag: str, value: float) -> str:
    if value != value:
        return ""
    if flag in SIGNALS or flag == "steep_fall":
        return f"{value:.1%}"
    return f"{value:.1f}" if flag == "few_cases" else f"{value:.0f}"
