"""Flags on weak counties, each with the reason in a sentence and the figures behind it.

The flags are the problems the bulletin names: the bottom of the ranking, inspecting without penalising
(只检查不执法，以整改代处罚), a fall on last year far beyond the city's, no cases or fines at all, and
penalised inspections without a rectification record (录入数据不及时、不完整).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FLAG_COLUMNS = ["county_code", "county", "flag", "reason"]
FLAG_KINDS = ("bottom", "no_penalty", "fall", "zero", "entry_gap")
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
        "fall": "Fall far beyond the city's",
        "zero": "No cases or no fines",
        "entry_gap": "Missing rectification records",
    },
}
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
    """

    bottom_places: int = 3
    rate_share: float = 0.5
    fall_margin: float = 0.15
    fall_minimum_base: float = 5
    flag_zero: bool = True
    flag_entry_gaps: bool = True


def flag_counties(
    scored: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    settings: FlagSettings | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """One row per flag: county, the flag's kind and the reason as a sentence with its figures.

    ``scored`` is the output of ``score_counties`` with ``county_code``; ``previous`` the same counties' figures
    for the same period last year; ``gaps`` the per-county count of cases without rectification records.
    """
    settings = settings or FlagSettings()
    rows: list[dict[str, object]] = []
    rows += _bottom(scored, settings, lang)
    rows += _no_penalty(scored, settings, lang)
    if previous is not None and not previous.empty:
        rows += _falls(scored, previous, settings, lang)
    if settings.flag_zero:
        rows += _zeros(scored, lang)
    if settings.flag_entry_gaps and gaps is not None and not gaps.empty:
        rows += _entry_gaps(scored, gaps, lang)
    flags = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    order = {kind: position for position, kind in enumerate(FLAG_KINDS)}
    places = scored.set_index("county_code")["overall_rank"].astype("float64")
    flags["_place"] = flags["county_code"].map(places).fillna(float("inf"))
    flags["_kind"] = flags["flag"].map(order)
    ordered = flags.sort_values(["_place", "_kind"], ascending=[False, True], kind="stable")
    return ordered.drop(columns=["_place", "_kind"]).reset_index(drop=True)


def flags_by_county(flags: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Each flagged county's flag titles joined, keyed by county code, for marking table rows."""
    titles = flags.assign(title=flags["flag"].map(FLAG_TITLES[lang]))
    return titles.groupby("county_code")["title"].agg(lambda t: "、".join(dict.fromkeys(t)))


def cases_per_hundred(inspections: float, cases: float) -> float:
    return float("nan") if not inspections else 100.0 * cases / inspections


def _row(county: pd.Series, flag: str, reason: str) -> dict[str, object]:
    return {"county_code": county["county_code"], "county": county["county"], "flag": flag, "reason": reason}


def _bottom(scored: pd.DataFrame, settings: FlagSettings, lang: str) -> list[dict[str, object]]:
    ranked = scored[scored["overall_rank"].notna()]
    if ranked.empty or settings.bottom_places <= 0:
        return []
    worst = sorted(ranked["overall_rank"].astype(int).unique())[-settings.bottom_places :]
    n = len(ranked)
    rows = []
    for _, county in ranked[ranked["overall_rank"].isin(worst)].iterrows():
        place, points = int(county["overall_rank"]), f"{float(county['total_points']):g}"
        if place <= n - settings.bottom_places and n > settings.bottom_places:
            continue  # a shared place that reaches up out of the bottom group
        reason = (
            f"综合排名第{place}名（共{n}个县区），三项执法总得分{points}分，位列后{settings.bottom_places}名"
            if lang == "zh"
            else f"Overall place {place} of {n}, {points} points in total: among the last {settings.bottom_places}"
        )
        rows.append(_row(county, "bottom", reason))
    return rows


def _no_penalty(scored: pd.DataFrame, settings: FlagSettings, lang: str) -> list[dict[str, object]]:
    inspections, cases = scored["inspections"].astype("float64"), scored["cases"].astype("float64")
    known = inspections.notna() & cases.notna()
    city_rate = cases_per_hundred(inspections[known].sum(), cases[known].sum())
    if not city_rate or city_rate != city_rate:
        return []
    rows = []
    for index, county in scored[known & (inspections > 0)].iterrows():
        rate = cases_per_hundred(inspections[index], cases[index])
        if rate < settings.rate_share * city_rate:
            visits, filed = int(inspections[index]), int(cases[index])
            reason = (
                f"检查{visits}家次仅立案{filed}起，每百家次立案{rate:.1f}起，"
                f"不足全市平均（{city_rate:.1f}起）的{_share_words(settings.rate_share)}，存在以整改代处罚的倾向"
                if lang == "zh"
                else f"{visits} inspections but only {filed} cases: {rate:.1f} per 100 inspections, "
                f"under {settings.rate_share:.0%} of the city's {city_rate:.1f}"
            )
            rows.append(_row(county, "no_penalty", reason))
    return rows


def _share_words(share: float) -> str:
    return "一半" if share == 0.5 else f"{share:.0%}"


def _change(current: float, previous: float) -> float:
    return (current - previous) / previous if previous else float("nan")


def _falls(scored: pd.DataFrame, previous: pd.DataFrame, settings: FlagSettings, lang: str) -> list[dict[str, object]]:
    last_year = previous.set_index("county_code")
    if (last_year.get("source", pd.Series(dtype=str)) == "none").all():
        return []
    rows = []
    city = {
        m: _change(scored[m].astype("float64").sum(), last_year[m].astype("float64").sum())
        for m in ("inspections", "cases", "fines")
    }
    for _, county in scored.iterrows():
        code = county["county_code"]
        if code not in last_year.index:
            continue
        parts = []
        for measure, city_change in city.items():
            before, now = float(last_year.at[code, measure]), county[measure]
            if pd.isna(now) or before != before or before < settings.fall_minimum_base or city_change != city_change:
                continue
            change = _change(float(now), before)
            if change < 0 and change < city_change - settings.fall_margin:
                name = MEASURE_NAMES[lang][measure]
                parts.append(
                    f"{name}同比减少{-change:.1%}（全市{_city_words(city_change, lang)}）"
                    if lang == "zh"
                    else f"{name} fell {-change:.1%} on last year (city: {city_change:+.1%})"
                )
        if parts:
            rows.append(_row(county, "fall", "，".join(parts) if lang == "zh" else "; ".join(parts)))
    return rows


def _city_words(change: float, lang: str) -> str:
    return f"同比减少{-change:.1%}" if change < 0 else f"同比增加{change:.1%}"


def _zeros(scored: pd.DataFrame, lang: str) -> list[dict[str, object]]:
    rows = []
    for _, county in scored.iterrows():
        missing = []
        if county["inspections"] == 0:
            missing.append("本期未执法检查" if lang == "zh" else "no inspections this period")
        if county["cases"] == 0:
            missing.append("立案0起" if lang == "zh" else "no cases filed")
        if county["fines"] == 0:
            missing.append("罚款0万元" if lang == "zh" else "no fines")
        if missing:
            rows.append(_row(county, "zero", ("，" if lang == "zh" else ", ").join(missing)))
    return rows


def _entry_gaps(scored: pd.DataFrame, gaps: pd.DataFrame, lang: str) -> list[dict[str, object]]:
    counties = scored.set_index("county_code")
    rows = []
    for _, gap in gaps.iterrows():
        if gap["county_code"] not in counties.index or gap["gaps"] <= 0:
            continue
        ids = list(gap["case_ids"])
        shown = "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")
        reason = (
            f"{int(gap['gaps'])}起案件有现场检查、有立案处罚，但无整改记录（{shown}）"
            if lang == "zh"
            else f"{int(gap['gaps'])} penalised cases lack a rectification record ({', '.join(ids[:5])})"
        )
        county = pd.Series({"county_code": gap["county_code"], "county": counties.at[gap["county_code"], "county"]})
        rows.append(_row(county, "entry_gap", reason))
    return rows
