"""Flags on weak counties, each with the reason in a sentence and the figures behind it.

The flags are the problems the bulletin names: the bottom of the ranking, inspecting without penalising
(只检查不执法，以整改代处罚), a fall on last year far beyond the city's, no cases or fines at all, and
penalised inspections without a rectification record (录入数据不及时、不完整).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FLAG_COLUMNS = ["county_code", "county", "flag", "reason", "value", "city_value"]
FLAG_KINDS = ("bottom", "no_penalty", "fall", "zero", "entry_gap")
# The keys the command line and other programs read (``python -m records flags``): stable words for each kind.
FLAG_KEYS = {
    "bottom": "bottom_places",
    "no_penalty": "few_cases",
    "fall": "steep_fall",
    "zero": "no_cases_or_fines",
    "entry_gap": "rectification_gaps",
}
FLAG_TITLES = {
    "zh": {
        "bottom": "综合排名靠后",
        "no_penalty": "只检查不执法",
        "fall": "同比降幅过大",
        "zero": "零立案或零罚款",
        "entry_gap": "录入数据不完整",
    },
    "en": {
        "bottom": "Bottom of the ranking",
        "no_penalty": "Inspecting without penalising",
        "fall": "Steep fall on last year",
        "zero": "No cases or no fines",
        "entry_gap": "Missing rectification records",
    },
}
POOL_CITY = {"zh": "全市", "en": "the whole city"}
MEASURE_NAMES = {
    "zh": {"inspections": "检查生产经营单位", "cases": "立案数", "fines": "罚款"},
    "en": {"inspections": "inspections", "cases": "cases", "fines": "fines"},
}


@dataclass(frozen=True)
class FlagSettings:
    """Thresholds, with defaults a bureau's reader finds reasonable.

    - ``bottom_places``: how many of the last places are flagged (the bulletin names three).
    - ``rate_share``: flag a county whose cases per 100 inspections are below this share of the city's rate.
    - ``fall_margin``: flag a fall this many percentage points (as a fraction) beyond the city's own change.
    - ``fall_minimum_base``: ignore falls from last-year figures smaller than this (2 → 0 is not a trend).
    - ``bottom_minimum_pool``: the last places are only flagged when at least this many counties are ranked,
      and at least twice ``bottom_places`` (last of two is not "the bottom of the ranking").
    """

    bottom_places: int = 3
    rate_share: float = 0.5
    fall_margin: float = 0.15
    fall_minimum_base: float = 5
    flag_zero: bool = True
    flag_entry_gaps: bool = True
    bottom_minimum_pool: int = 6

    def bottom_pool_needed(self) -> int:
        """How many ranked counties the bottom-places flag needs to mean something."""
        return max(self.bottom_minimum_pool, 2 * self.bottom_places)


def flag_counties(
    scored: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    settings: FlagSettings | None = None,
    lang: str = "zh",
    pool: str | None = None,
    total_label: str | None = None,
) -> pd.DataFrame:
    """One row per flag: county, the flag's kind, the reason as a sentence with its figures, and the figure that
    decided it with the pool's (the place, cases per 100 inspections, the change on last year, the cases without
    a rectification record; ``city_value`` is NaN where the pool has no like figure).

    ``scored`` is the output of ``score_counties`` with ``county_code``; ``previous`` the same counties' figures
    for the same period last year; ``gaps`` the per-county count of cases without rectification records.
    ``pool`` names what the averages and 同比 comparisons cover (全市 by default; 所选3个县区 when ranking
    only among chosen counties). ``total_label`` names the total as the scheme's table does (三项执法总得分 for
    the attachment's three measures, 总得分 otherwise).
    """
    settings = settings or FlagSettings()
    pool = pool or POOL_CITY[lang]
    figures = _Figures(scored)
    parts = [_bottom(figures, settings, lang, total_label), _no_penalty(figures, settings, lang, pool)]
    if previous is not None and not previous.empty:
        parts.append(_falls(figures, previous, settings, lang, pool))
    if settings.flag_zero:
        parts.append(_zeros(figures, lang))
    if settings.flag_entry_gaps and gaps is not None and not gaps.empty:
        parts.append(_entry_gaps(figures, gaps, lang))
    flags = pd.concat([part for part in parts if not part.empty] or [pd.DataFrame(columns=FLAG_COLUMNS)])
    order = {kind: position for position, kind in enumerate(FLAG_KINDS)}
    places = pd.Series(figures.place, index=figures.codes)
    flags["_place"] = flags["county_code"].map(places).fillna(float("inf"))
    flags["_kind"] = flags["flag"].map(order)
    ordered = flags.sort_values(["_place", "_kind"], ascending=[False, True], kind="stable")
    return ordered.drop(columns=["_place", "_kind"]).reset_index(drop=True)[FLAG_COLUMNS]


def flags_by_county(flags: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Each flagged county's flag titles joined, keyed by county code, for marking table rows."""
    joined: dict[object, list[str]] = {}
    for code, flag in zip(flags["county_code"], flags["flag"], strict=True):
        titles = joined.setdefault(code, [])
        if FLAG_TITLES[lang][flag] not in titles:
            titles.append(FLAG_TITLES[lang][flag])
    joiner = "、" if lang == "zh" else ", "
    return pd.Series({code: joiner.join(titles) for code, titles in joined.items()}, dtype=object)


def cases_per_hundred(inspections: float, cases: float) -> float:
    return float("nan") if not inspections else 100.0 * cases / inspections


class _Figures:
    """The scored table's columns as plain arrays: thousands of counties are checked without a Python loop."""

    def __init__(self, scored: pd.DataFrame) -> None:
        self.codes = scored["county_code"].to_numpy()
        self.names = scored["county"].to_numpy()
        self.place = scored["overall_rank"].astype("float64").to_numpy()
        self.total = scored["total_points"].astype("float64").to_numpy()
        self.values = {m: scored[m].astype("float64").to_numpy() for m in ("inspections", "cases", "fines")}


def _frame(
    figures: _Figures,
    mask: np.ndarray,
    flag: str,
    reasons: list[str],
    value: np.ndarray | float = float("nan"),
    city: np.ndarray | float = float("nan"),
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county_code": figures.codes[mask],
            "county": figures.names[mask],
            "flag": flag,
            "reason": reasons,
            "value": np.broadcast_to(np.asarray(value, dtype="float64"), (int(mask.sum()),)),
            "city_value": np.broadcast_to(np.asarray(city, dtype="float64"), (int(mask.sum()),)),
        },
        columns=FLAG_COLUMNS,
    )


def _bottom(figures: _Figures, settings: FlagSettings, lang: str, total_label: str | None = None) -> pd.DataFrame:
    ranked = ~np.isnan(figures.place)
    n = int(ranked.sum())
    if n == 0 or settings.bottom_places <= 0 or n < settings.bottom_pool_needed():
        return pd.DataFrame(columns=FLAG_COLUMNS)
    worst = np.unique(figures.place[ranked])[-settings.bottom_places :]
    mask = ranked & np.isin(figures.place, worst)
    if n > settings.bottom_places:
        mask &= figures.place > n - settings.bottom_places  # a shared place reaching up out of the bottom group
    k = settings.bottom_places
    total = total_label or "三项执法总得分"
    reasons = [
        f"综合排名第{place:.0f}名（共{n}个县区），{total}{points:g}分，位列后{k}名"
        if lang == "zh"
        else f"Overall place {place:.0f} of {n}, {points:g} points in total: among the last {k}"
        for place, points in zip(figures.place[mask], figures.total[mask], strict=True)
    ]
    return _frame(figures, mask, "bottom", reasons, figures.place[mask])


def _no_penalty(figures: _Figures, settings: FlagSettings, lang: str, pool: str) -> pd.DataFrame:
    inspections, cases = figures.values["inspections"], figures.values["cases"]
    known = ~np.isnan(inspections) & ~np.isnan(cases)
    city_rate = cases_per_hundred(inspections[known].sum(), cases[known].sum())
    if not city_rate or city_rate != city_rate:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 100.0 * cases / inspections
    mask = known & (inspections > 0) & (rate < settings.rate_share * city_rate)
    share = _share_words(settings.rate_share)
    reasons = [
        f"检查{visits:.0f}家次仅立案{filed:.0f}起，每百家次立案{r:.1f}起，"
        f"不足{pool}平均（{city_rate:.1f}起）的{share}，存在以整改代处罚的倾向"
        if lang == "zh"
        else f"{visits:.0f} inspections but only {filed:.0f} cases: {r:.1f} per 100 inspections, "
        f"under {settings.rate_share:.0%} of the average of {pool} ({city_rate:.1f})"
        for visits, filed, r in zip(inspections[mask], cases[mask], rate[mask], strict=True)
    ]
    return _frame(figures, mask, "no_penalty", reasons, rate[mask], city_rate)


def _share_words(share: float) -> str:
    return "一半" if share == 0.5 else f"{share:.0%}"


def _change(current: float, previous: float) -> float:
    return (current - previous) / previous if previous else float("nan")


def _falls(figures: _Figures, previous: pd.DataFrame, settings: FlagSettings, lang: str, pool: str) -> pd.DataFrame:
    if "source" in previous and (previous["source"] == "none").all():
        return pd.DataFrame(columns=FLAG_COLUMNS)
    last_year = previous.set_index("county_code")
    falls: dict[str, np.ndarray] = {}
    city: dict[str, float] = {}
    for measure, now in figures.values.items():
        before = last_year[measure].astype("float64").reindex(figures.codes).to_numpy()
        city[measure] = _change(float(np.nansum(now)), float(np.nansum(before)))
        if city[measure] != city[measure]:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (now - before) / before
        judged = ~np.isnan(now) & (before >= settings.fall_minimum_base)
        flagged = judged & (change < 0) & (change < city[measure] - settings.fall_margin)
        falls[measure] = np.where(flagged, change, np.nan)
    if not falls:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    mask = np.zeros(len(figures.codes), dtype=bool)
    for change in falls.values():
        mask |= ~np.isnan(change)
    # The figure of each row: the measure that fell furthest beyond the pool's own change.
    beyond = np.vstack([np.nan_to_num(change - city[m], nan=np.inf) for m, change in falls.items()])
    worst = [list(falls)[index] for index in beyond.argmin(axis=0)[mask]]
    values = np.array([falls[m][row] for m, row in zip(worst, np.flatnonzero(mask), strict=True)], dtype="float64")
    reasons = []
    for row in np.flatnonzero(mask):
        parts = []
        for measure, change in falls.items():
            if not np.isnan(change[row]):
                name = MEASURE_NAMES[lang][measure]
                parts.append(
                    f"{name}同比减少{-change[row]:.1%}（{pool}{_city_words(city[measure])}）"
                    if lang == "zh"
                    else f"{name} fell {-change[row]:.1%} on last year ({pool}: {city[measure]:+.1%})"
                )
        reasons.append("，".join(parts) if lang == "zh" else "; ".join(parts))
    return _frame(figures, mask, "fall", reasons, values, np.array([city[m] for m in worst], dtype="float64"))


def _city_words(change: float) -> str:
    return f"同比减少{-change:.1%}" if change < 0 else f"同比增加{change:.1%}"


def _zeros(figures: _Figures, lang: str) -> pd.DataFrame:
    words = {
        "inspections": ("本期未执法检查", "no inspections this period"),
        "cases": ("立案0起", "no cases filed"),
        "fines": ("罚款0万元", "no fines"),
    }
    zero = {m: figures.values[m] == 0 for m in words}
    mask = zero["inspections"] | zero["cases"] | zero["fines"]
    joiner = "，" if lang == "zh" else ", "
    reasons = [
        joiner.join(words[m][0 if lang == "zh" else 1] for m in words if zero[m][row]) for row in np.flatnonzero(mask)
    ]
    return _frame(figures, mask, "zero", reasons)


def _entry_gaps(figures: _Figures, gaps: pd.DataFrame, lang: str) -> pd.DataFrame:
    case_ids = dict(zip(gaps["county_code"], gaps["case_ids"], strict=True))
    counts = gaps.set_index("county_code")["gaps"].reindex(figures.codes).fillna(0).to_numpy()
    mask = counts > 0
    reasons = []
    for code, count in zip(figures.codes[mask], counts[mask], strict=True):
        ids = list(case_ids[code])  # empty where the reader may not see that county's records
        shown = "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")
        if lang == "zh":
            reasons.append(f"{int(count)}起案件有现场检查、有立案处罚，但无整改记录" + (f"（{shown}）" if ids else ""))
        else:
            listed = f" ({', '.join(ids[:5])})" if ids else ""
            reasons.append(f"{int(count)} penalised cases lack a rectification record{listed}")
    return _frame(figures, mask, "entry_gap", reasons, counts[mask])
