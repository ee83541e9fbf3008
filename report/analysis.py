"""What each page shows, computed from query results: the ranking pool, the shown rows, flags and checks.

Plain functions over DataFrames, so the tests call them without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from report.text import text
from scoring import ScoringRule, score_counties
from scoring.flags import FLAG_TITLES, FlagSettings, flag_counties, flags_by_county
from scoring.output import format_change, format_count, format_fines, format_points

MEASURE_KEYS = ("inspections", "inspector_turnouts", "documents", "cases", "fines")


@dataclass(frozen=True)
class CountyView:
    """The ranking of a period and what of it is shown."""

    scored: pd.DataFrame  # every county in the ranking pool, with flag titles
    shown: pd.DataFrame  # the chosen counties' rows of ``scored``
    flags: pd.DataFrame  # flags of the shown counties
    ranked_among_selection: bool
    pool_size: int
    has_data: bool


def county_view(
    measures: pd.DataFrame,
    previous: pd.DataFrame | None,
    gaps: pd.DataFrame | None,
    selected: list[int] | tuple[int, ...] = (),
    rank_within_selection: bool = False,
    rule: ScoringRule | None = None,
    flag_settings: FlagSettings | None = None,
    lang: str = "zh",
) -> CountyView:
    """Rank among all counties (or only the chosen ones, if asked), flag, then narrow to the chosen ones."""
    chosen = set(selected)
    within = rank_within_selection and bool(chosen)
    pool = measures[measures["county_code"].isin(chosen)] if within else measures
    pool = pool.reset_index(drop=True)
    scored = score_counties(pool, rule)
    previous_pool = None if previous is None else previous[previous["county_code"].isin(pool["county_code"])]
    flags = flag_counties(scored, previous_pool, gaps, flag_settings, lang)
    scored["flags"] = scored["county_code"].map(flags_by_county(flags, lang)).fillna("")
    shown = scored[scored["county_code"].isin(chosen)] if chosen else scored
    shown_flags = flags[flags["county_code"].isin(shown["county_code"])]
    has_data = bool((measures["source"] != "none").any()) if not measures.empty else False
    return CountyView(
        scored, shown.reset_index(drop=True), shown_flags.reset_index(drop=True), within, len(pool), has_data
    )


def best_and_weakest(scored: pd.DataFrame, count: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The top and bottom ``count`` of the overall ranking, as the bulletin names them."""
    ranked = scored[scored["overall_rank"].notna()]
    best = ranked.head(count)
    weakest = ranked.tail(min(count, max(len(ranked) - len(best), 0)))
    return best, weakest.iloc[::-1]


def published_differences(
    measures: pd.DataFrame, published: pd.DataFrame, lang: str = "zh", rule: ScoringRule | None = None
) -> pd.DataFrame:
    """Each county and figure where the records and a published table disagree: the values (fines to the 0.01 万元)
    and, both scored by the same rule among the published counties, each rank, points, total and 名次."""
    columns = ["county", "measure", "records", "published"]
    if published.empty:
        return pd.DataFrame(columns=columns)
    joined = measures.merge(published, on="county_code", suffixes=("", "_published"))
    rows = []
    for _, row in joined.iterrows():
        for measure in ("inspections", "cases", "fines"):
            ours, theirs = row[measure], row[f"{measure}_published"]
            if pd.isna(theirs):
                continue
            formatter = format_fines if measure == "fines" else format_count
            if formatter(ours) != formatter(theirs):
                rows.append(
                    {
                        "county": row["county"],
                        "measure": text(measure, lang),
                        "records": formatter(ours),
                        "published": formatter(theirs),
                    }
                )
    rows += _place_differences(measures, published, lang, rule)
    return pd.DataFrame(rows, columns=columns)


def _place_differences(
    measures: pd.DataFrame, published: pd.DataFrame, lang: str, rule: ScoringRule | None
) -> list[dict[str, str]]:
    pool = measures[measures["county_code"].isin(published["county_code"])].reset_index(drop=True)
    ours = score_counties(pool, rule).set_index("county_code")
    theirs = score_counties(published.reset_index(drop=True), rule).set_index("county_code")
    labels = ranking_columns(lang)
    figures = ["overall_rank", "total_points"] + [
        f"{measure}_{kind}" for measure in ("inspections", "cases", "fines") for kind in ("rank", "points")
    ]
    rows = []
    for code in ours.index.intersection(theirs.index):
        for figure in figures:
            mine, stated = ours.at[code, figure], theirs.at[code, figure]
            if pd.isna(mine) and pd.isna(stated):
                continue
            if pd.isna(mine) or pd.isna(stated) or abs(float(mine) - float(stated)) > 1e-9:
                rows.append(
                    {
                        "county": ours.at[code, "county"],
                        "measure": labels[figure],
                        "records": format_points(mine),
                        "published": format_points(stated),
                    }
                )
    return rows


def city_summary_sentence(totals: pd.DataFrame, period: str, lang: str = "zh") -> str:
    """The bulletin's opening figures: "共检查生产经营单位1117家次（同比减少40.3%）……"."""
    by_measure = totals.set_index("measure")

    def change(measure: str, decimals: int = 1) -> str:
        ratio = by_measure.at[measure, "change"]
        return text("no_last_year", lang) if pd.isna(ratio) else _change_words(ratio, decimals, lang)

    return text(
        "summary_sentence",
        lang,
        period=period,
        inspections=format_count(by_measure.at["inspections", "current"]),
        turnouts=format_count(by_measure.at["inspector_turnouts", "current"]),
        documents=format_count(by_measure.at["documents", "current"]),
        cases=format_count(by_measure.at["cases", "current"]),
        fines=format_fines(by_measure.at["fines", "current"]),
        c_inspections=change("inspections"),
        c_turnouts=change("inspector_turnouts"),
        c_documents=change("documents"),
        c_cases=change("cases"),
        c_fines=change("fines", 2),
    )


def _change_words(ratio: float, decimals: int, lang: str) -> str:
    if lang == "zh":
        return format_change(ratio, decimals)
    return f"{ratio * 100:+.{decimals}f}% on last year"


def flag_figures(view: CountyView, previous: pd.DataFrame | None, gaps: pd.DataFrame | None) -> pd.DataFrame:
    """The figures behind the flags of each flagged county: this period, last year, rate and entry gaps."""
    flagged = view.shown[view.shown["flags"] != ""]
    figures = flagged[["county_code", "county", "overall_rank", "total_points", "inspections", "cases", "fines"]].copy()
    figures["rate"] = (100 * figures["cases"].astype("float64") / figures["inspections"].astype("float64")).round(1)
    if previous is not None and not previous.empty:
        last = previous.set_index("county_code")[["inspections", "cases", "fines"]].add_prefix("last_")
        figures = figures.join(last, on="county_code")
    if gaps is not None and not gaps.empty:
        figures = figures.join(gaps.set_index("county_code")["gaps"], on="county_code")
        figures["gaps"] = figures["gaps"].fillna(0).astype(int)
    return figures.reset_index(drop=True)


def ranking_columns(lang: str = "zh") -> dict[str, str]:
    """Scored column → the attachment's header in ``lang``."""
    columns = {
        "overall_rank": text("overall_rank", lang),
        "county": text("county", lang),
        "total_points": text("total_points", lang),
    }
    for measure in ("inspections", "cases", "fines"):
        short = text(f"{measure}_short", lang)
        columns[measure] = text(measure, lang)
        columns[f"{measure}_rank"] = f"{short}{text('rank', lang)}" if lang == "zh" else f"{short} rank"
        columns[f"{measure}_points"] = f"{short}{text('points', lang)}" if lang == "zh" else f"{short} points"
    columns["flags"] = text("flag_column", lang)
    columns["source"] = text("source_column", lang)
    return columns


def ranking_table(shown: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The shown rows as the attachment's table, numbers kept as numbers so columns sort numerically."""
    columns = ranking_columns(lang)
    table = shown[[c for c in columns if c in shown.columns]].copy()
    if "source" in table:
        table["source"] = table["source"].map(lambda s: text(f"source_{s}", lang))
    whole = ["overall_rank", "total_points", "inspections", "cases"] + [
        f"{m}_points" for m in ("inspections", "cases", "fines")
    ]
    for column in whole:
        values = table[column].astype("Float64")
        if ((values % 1).fillna(0) == 0).all():  # weighted rules may give half points; keep those as they are
            table[column] = values.astype("Int64")
    table["fines"] = table["fines"].astype("float64").round(2)
    return table.rename(columns=columns)


def import_log_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The import log as the data page shows it: kind in words, the summary period, who imported, the status
    (counting, or withdrawn/replaced with who, when and why) and the rows each import still counts."""
    period = [
        "" if pd.isna(first) else f"{pd.Timestamp(first):%Y-%m-%d} – {pd.Timestamp(last):%Y-%m-%d}"
        for first, last in zip(log["period_start"], log["period_end"], strict=True)
    ]
    table = pd.DataFrame(
        {
            text("log_id", lang): log["id"],
            text("log_file", lang): log["file_name"],
            text("log_kind", lang): log["kind"].map(lambda kind: text(f"kind_{kind}", lang)),
            text("log_rows", lang): log["row_count"],
            text("log_period", lang): period,
            text("log_time", lang): log["imported_at"],
            text("log_by", lang): log["imported_by"].fillna(""),
            text("log_status", lang): [_batch_status(row, lang) for row in log.itertuples()],
            text("log_added", lang): log["rows_held"],
        }
    )
    return table


def _batch_status(row: Any, lang: str) -> str:
    if pd.isna(row.withdrawn_at):
        return text("log_counting", lang)
    when = f"{pd.Timestamp(row.withdrawn_at):%Y-%m-%d %H:%M}"
    details = {"who": row.withdrawn_by or "", "when": when, "reason": row.withdraw_reason or ""}
    if pd.isna(row.replaced_by):
        return text("log_withdrawn", lang, **details)
    return text("log_replaced", lang, batch=int(row.replaced_by), **details)


def city_totals_table(totals: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The city totals as a table for export: measure, this period, last year, 同比 in words."""
    return pd.DataFrame(
        {
            text("measure_column", lang): [text(m, lang) for m in totals["measure"]],
            text("this_period", lang): totals["current"].round(2),
            text("last_period", lang): totals["previous"].round(2),
            text("change_column", lang): [
                text("no_last_year", lang) if pd.isna(c) else _change_words(c, 2 if m == "fines" else 1, lang)
                for m, c in zip(totals["measure"], totals["change"], strict=True)
            ],
        }
    )


def best_and_weakest_table(scored: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    best, weakest = best_and_weakest(scored)
    rows = [(text("best_three", lang), r) for _, r in best.iterrows()]
    rows += [(text("weakest_three", lang), r) for _, r in weakest.iterrows()]
    return pd.DataFrame(
        {
            text("group_column", lang): [group for group, _ in rows],
            text("overall_rank", lang): [int(r["overall_rank"]) for _, r in rows],
            text("county", lang): [r["county"] for _, r in rows],
            text("total_points", lang): [float(r["total_points"]) for _, r in rows],
            text("flag_column", lang): [r["flags"] for _, r in rows],
        }
    )


def flags_table(flags: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("county", lang): flags["county"],
            text("flag_kind_column", lang): flags["flag"].map(FLAG_TITLES[lang]),
            text("reason_column", lang): flags["reason"],
        }
    )
