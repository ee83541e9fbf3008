"""What each page shows, computed from query results: the ranking pool, the shown rows, flags and checks.

Plain functions over DataFrames, so the tests call them without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from records.fields import FIELDS
from records.queries import period_totals
from report.text import measure_heading, measure_part_heading, scope_label, text, total_heading
from scoring import CATALOGUE, ScoringRule, score_counties
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
    county_count: int = 0  # every county of the database, chosen or not
    rule: ScoringRule = ScoringRule()  # the scheme that scored ``scored``

    @property
    def partial(self) -> bool:
        """Whether the shown counties are fewer than all of them (all of them chosen is the whole city)."""
        return len(self.shown) < self.county_count

    def scope(self, lang: str = "zh") -> str:
        """What the shown figures cover: 全市, or 所选N个县区."""
        return scope_label(len(self.shown) if self.partial else 0, lang)

    def pool_scope(self, lang: str = "zh") -> str:
        """What the ranking, its averages, medians and 同比 comparisons cover."""
        return scope_label(self.pool_size if self.pool_size < self.county_count else 0, lang)

    def narrowed(self, selected: list[int] | tuple[int, ...]) -> CountyView:
        """The same ranking with only the chosen counties shown (and their flags); all of them when none is chosen.

        >>> view = county_view(pd.DataFrame({"county_code": [1, 2], "county": ["甲", "乙"], "source": "records",
        ...     "inspections": [5, 3], "cases": [1, 0], "fines": [0.5, 0.0]}), None, None)
        >>> view.narrowed([2]).shown["county"].tolist(), int(view.narrowed([2]).shown["overall_rank"].iloc[0])
        (['乙'], 2)
        """
        chosen = set(selected)
        shown = self.scored[self.scored["county_code"].isin(chosen)] if chosen else self.scored
        flags = self.flags[self.flags["county_code"].isin(shown["county_code"])]
        return replace(self, shown=shown.reset_index(drop=True), flags=flags.reset_index(drop=True))


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
    rule = rule or ScoringRule()
    scored = score_counties(pool, rule)
    previous_pool = None if previous is None else previous[previous["county_code"].isin(pool["county_code"])]
    pool_name = scope_label(len(pool) if len(pool) < len(measures) else 0, lang)
    flags = flag_counties(scored, previous_pool, gaps, flag_settings, lang, pool_name, total_heading(rule, lang))
    titles = flags_by_county(flags, lang).to_dict()
    scored["flags"] = [titles.get(code, "") for code in scored["county_code"]]
    has_data = bool((measures["source"] != "none").any()) if not measures.empty else False
    ranked = CountyView(scored, scored, flags.reset_index(drop=True), within, len(pool), has_data, len(measures), rule)
    return ranked.narrowed(selected)


@dataclass(frozen=True)
class StrongAndWeak:
    """The strongest and weakest of the ranking pool that are shown, never one county in both lists.

    ``places`` is how many places each list reaches from its end of the ranking: three as the bulletin names
    them, fewer when the pool is small (at most half of it each), none for a pool of one.
    """

    best: pd.DataFrame
    weakest: pd.DataFrame
    places: int
    pool_size: int
    partial: bool
    ranked_among_selection: bool

    def caption(self, which: str, lang: str = "zh") -> str:
        """One line saying what a list holds: 全市前3名, 所选2个县区中位列全市前3名的, 所选3个县区中的前1名."""
        if self.places == 0:
            return text("strong_weak_too_few", lang, n=self.pool_size)
        end = text("top_places" if which == "best" else "bottom_places_words", lang, k=self.places)
        rows = self.best if which == "best" else self.weakest
        if self.ranked_among_selection:
            key = "strong_weak_within"
        elif self.partial:
            key = "strong_weak_partial" if len(rows) else "strong_weak_partial_none"
        else:
            key = "strong_weak_city"
        return text(key, lang, end=end, n=self.pool_size)


def strong_and_weak(view: CountyView, count: int = 3) -> StrongAndWeak:
    """The shown counties among the first and the last ``count`` places of the pool.

    A county is strong when its place is within the first ``places`` and weak when within the last ``places``;
    ``places`` is at most half the ranked counties, so the two lists never meet.
    """
    place = view.scored["overall_rank"].to_numpy(dtype="float64", na_value=np.nan)
    ranked = ~np.isnan(place)
    n = int(ranked.sum())
    places = min(count, n // 2)
    shown = ranked & np.isin(view.scored["county_code"].to_numpy(), view.shown["county_code"].to_numpy())
    first = np.flatnonzero(shown & (place <= places))
    last = np.flatnonzero(shown & (place > n - places))
    best = view.scored.iloc[first[np.argsort(place[first], kind="stable")]]
    weakest = view.scored.iloc[last[np.argsort(-place[last], kind="stable")]]
    return StrongAndWeak(best, weakest, places, n, view.partial, view.ranked_among_selection)


def published_differences(
    scored: pd.DataFrame, published: pd.DataFrame, lang: str = "zh", rule: ScoringRule | None = None
) -> pd.DataFrame:
    """Each county and item where our ranking and a published table disagree: 名次, the values, then each total,
    rank and points.

    ``scored`` is the ranking among all counties. The published table's places and points are those its own
    figures give under the same rule, so a published figure that differs shows up as its value and, where it
    moves a county, as its places and points too. Fines are compared to the 0.01 万元.
    """
    columns = ["county", "measure", "records", "published"]
    if published.empty:
        return pd.DataFrame(columns=columns)
    rule = rule or ScoringRule()
    theirs = score_counties(published.reset_index(drop=True), rule)
    joined = scored.merge(theirs, on="county_code", suffixes=("", "_published"))
    labels = ranking_columns(lang)
    values = [measure.column for measure in rule.measures]
    figures = ["total_points"] + [f"{key}_{kind}" for key in values for kind in ("rank", "points")]
    rows = []
    for _, row in joined.iterrows():
        for item in ("overall_rank", *values, *figures):
            ours, stated = row[item], row[f"{item}_published"]
            if pd.isna(ours) and pd.isna(stated):
                continue
            formatter = format_fines if item == "fines" else format_points if item in figures else format_count
            if formatter(ours) != formatter(stated):
                label = text(item, lang) if item in ("overall_rank", *values) else labels.get(item, item)
                said = {"records": formatter(ours), "published": formatter(stated)}
                rows.append({"county": row["county"], "measure": label, **said})
    return pd.DataFrame(rows, columns=columns)


def scope_totals(measures: pd.DataFrame, previous: pd.DataFrame, view: CountyView) -> pd.DataFrame:
    """The five totals of the shown counties (the whole city when none are chosen) with their 同比 ratio."""
    return period_totals(measures, previous, view.shown["county_code"].to_numpy())


def city_summary_sentence(totals: pd.DataFrame, period: str, lang: str = "zh", chosen: int = 0) -> str:
    """The bulletin's opening figures: "各县区局共检查生产经营单位1117家次（同比减少40.3%）……".

    ``chosen`` is how many counties the totals cover when they are not all of them (所选2个县区局).
    """
    by_measure = totals.set_index("measure")

    def change(measure: str, decimals: int = 1) -> str:
        ratio = by_measure.at[measure, "change"]
        return text("no_last_year", lang) if pd.isna(ratio) else change_words(ratio, decimals, lang)

    return text(
        "summary_sentence",
        lang,
        period=period,
        who=text("who_chosen" if chosen else "who_all", lang, n=chosen),
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


def change_words(ratio: float, decimals: int = 1, lang: str = "zh") -> str:
    """A change on the same period last year in words: 同比减少40.3%, or "down 40.3% on last year".

    >>> change_words(-0.403), change_words(-0.403, lang="en"), change_words(0.05, lang="en")
    ('同比减少40.3%', 'down 40.3% on last year', 'up 5.0% on last year')
    """
    if lang == "zh":
        return format_change(ratio, decimals)
    percent = abs(float(ratio)) * 100
    if round(percent, decimals) == 0:
        return "unchanged on last year"
    return f"{'up' if ratio > 0 else 'down'} {percent:.{decimals}f}% on last year"


def flag_figures(view: CountyView, previous: pd.DataFrame | None, gaps: pd.DataFrame | None) -> pd.DataFrame:
    """The figures behind the flags of each flagged county, in the order of the flag cards (last place first)."""
    order = view.flags["county_code"].drop_duplicates()
    flagged = view.shown.set_index("county_code").loc[order].reset_index()
    figures = flagged[["county_code", "county", "overall_rank", "total_points", "inspections", "cases", "fines"]].copy()
    figures["rate"] = (100 * figures["cases"].astype("float64") / figures["inspections"].astype("float64")).round(1)
    if previous is not None and not previous.empty:
        last = previous.set_index("county_code")[["inspections", "cases", "fines"]].add_prefix("last_")
        figures = figures.join(last, on="county_code")
    if gaps is not None and not gaps.empty:
        figures = figures.join(gaps.set_index("county_code")["gaps"], on="county_code")
        figures["gaps"] = figures["gaps"].fillna(0).astype(int)
    return figures.reset_index(drop=True)


FLAG_FIGURE_LABELS = {
    "county": "county",
    "overall_rank": "overall_rank",
    "total_points": "total_points",
    "inspections": "inspections",
    "cases": "cases",
    "fines": "fines",
    "rate": "rate_column",
    "last_inspections": "last_year_inspections",
    "last_cases": "last_year_cases",
    "last_fines": "last_year_fines",
    "gaps": "gaps_column",
}


def flag_figures_table(figures: pd.DataFrame, lang: str = "zh", rule: ScoringRule | None = None) -> pd.DataFrame:
    """The flag figures with the page's headers (the total named as the scheme's table names it); whole numbers
    stay whole, fines keep two decimals."""
    table = figures.drop(columns=["county_code"], errors="ignore")
    for column in ("overall_rank", "total_points", "inspections", "cases", "last_inspections", "last_cases", "gaps"):
        if column in table:
            values = table[column].astype("Float64")
            if ((values % 1).fillna(0) == 0).all():
                table[column] = values.astype("Int64")
    headers = {key: text(label, lang) for key, label in FLAG_FIGURE_LABELS.items()}
    headers["total_points"] = total_heading(rule, lang)
    return table.rename(columns=headers)


def ranking_columns(lang: str = "zh", rule: ScoringRule | None = None) -> dict[str, str]:
    """Scored column → the attachment's header in ``lang``, for the measures of ``rule`` (the default scheme's
    three when not given)."""
    rule = rule or ScoringRule()
    columns = {
        "overall_rank": text("overall_rank", lang),
        "county": text("county", lang),
        "total_points": total_heading(rule, lang),
    }
    for measure in rule.measures:
        columns[measure.column] = measure_heading(measure, lang)
        columns[f"{measure.column}_rank"] = measure_part_heading(measure, "rank", lang)
        columns[f"{measure.column}_points"] = measure_part_heading(measure, "points", lang)
    columns["flags"] = text("flag_column", lang)
    columns["source"] = text("source_column", lang)
    return columns


FLAG_MARKS = {
    "zh": {"bottom": "靠后", "no_penalty": "不执法", "fall": "降幅大", "zero": "零处罚", "entry_gap": "缺整改"},
    "en": {"bottom": "Bottom", "no_penalty": "No penalty", "fall": "Fall", "zero": "Zero", "entry_gap": "Gaps"},
}


def flag_marks(view: CountyView, lang: str = "zh") -> pd.Series:
    """Each shown county's flags in a few words (靠后、不执法), in the shown order, for a narrow column."""
    joiner = "、" if lang == "zh" else ", "
    marks: dict[object, list[str]] = {}
    for code, flag in zip(view.flags["county_code"], view.flags["flag"], strict=True):
        words = marks.setdefault(code, [])
        if FLAG_MARKS[lang][flag] not in words:
            words.append(FLAG_MARKS[lang][flag])
    joined = {code: joiner.join(words) for code, words in marks.items()}
    return pd.Series([joined.get(code, "") for code in view.shown["county_code"]], index=view.shown.index)


def ranking_table(shown: pd.DataFrame, lang: str = "zh", rule: ScoringRule | None = None) -> pd.DataFrame:
    """The shown rows as the attachment's table, numbers kept as numbers so columns sort numerically; each
    measure's values to its catalogue decimals, whole numbers whole."""
    rule = rule or ScoringRule()
    columns = ranking_columns(lang, rule)
    table = shown[[c for c in columns if c in shown.columns]].copy()
    if "source" in table:
        table["source"] = table["source"].map(lambda s: text(f"source_{s}", lang))
    whole = ["overall_rank", "total_points"] + [f"{m.column}_points" for m in rule.measures]
    whole += [m.column for m in rule.measures if CATALOGUE[m.column].decimals == 0]
    for column in whole:
        values = table[column].astype("Float64")
        if ((values % 1).fillna(0) == 0).all():  # weighted rules may give half points; keep those as they are
            table[column] = values.astype("Int64")
    for measure in rule.measures:
        decimals = CATALOGUE[measure.column].decimals
        if decimals:
            table[measure.column] = table[measure.column].astype("float64").round(decimals)
    return table.rename(columns=columns)


def import_log_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The import log as the data page shows it: kind in words, the period of a summary, who imported, the status
    (counting, or withdrawn/replaced with who, when and why) and the rows each import still counts."""
    period = [
        f"{pd.Timestamp(first):%Y-%m-%d} – {pd.Timestamp(last):%Y-%m-%d}"
        if kind == "summary" and not pd.isna(first)
        else ""
        for kind, first, last in zip(log["kind"], log["period_start"], log["period_end"], strict=True)
    ]
    names = [
        text("demo_file", lang) if kind == "demo" else name
        for kind, name in zip(log["kind"], log["file_name"], strict=True)
    ]
    return pd.DataFrame(
        {
            text("log_id", lang): log["id"],
            text("log_file", lang): names,
            text("log_kind", lang): log["kind"].map(lambda kind: text(f"kind_{kind}", lang)),
            text("log_rows", lang): log["row_count"],
            text("log_period", lang): period,
            text("log_time", lang): [f"{pd.Timestamp(t):%Y-%m-%d %H:%M}" for t in log["imported_at"]],
            text("log_by", lang): log["imported_by"].fillna(""),
            text("log_status", lang): [_batch_status(row, lang) for row in log.itertuples()],
            text("log_added", lang): log["rows_held"],
        }
    )


def _batch_status(row: Any, lang: str) -> str:
    if pd.isna(row.withdrawn_at):
        return text("log_counting", lang)
    when = f"{pd.Timestamp(row.withdrawn_at):%Y-%m-%d %H:%M}"
    details = {"who": row.withdrawn_by or "", "when": when, "reason": row.withdraw_reason or ""}
    if pd.isna(row.replaced_by):
        return text("log_withdrawn", lang, **details)
    return text("log_replaced", lang, batch=int(row.replaced_by), **details)


def totals_table(totals: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The totals as a table for export: measure, this period, last year, 同比 in words (fines in 万元)."""
    return pd.DataFrame(
        {
            text("measure_column", lang): [text(m, lang) for m in totals["measure"]],
            text("this_period", lang): totals["current"].round(2),
            text("last_period", lang): totals["previous"].round(2),
            text("change_column", lang): [
                text("no_last_year", lang) if pd.isna(c) else change_words(c, 2 if m == "fines" else 1, lang)
                for m, c in zip(totals["measure"], totals["change"], strict=True)
            ],
        }
    )


def strong_and_weak_table(lists: StrongAndWeak, rule: ScoringRule, lang: str = "zh") -> pd.DataFrame:
    """The strongest and weakest lists (``strong_and_weak``) as one table for export, each row saying which list
    it is in; ``rule`` names the total as the scheme's table does."""
    columns = ["overall_rank", "county", "total_points", "flags"]
    rows = [(text("best_three", lang), r) for r in lists.best[columns].to_dict("records")]
    rows += [(text("weakest_three", lang), r) for r in lists.weakest[columns].to_dict("records")]
    points = pd.Series([r["total_points"] for _, r in rows], dtype="float64")
    return pd.DataFrame(
        {
            text("group_column", lang): [group for group, _ in rows],
            text("overall_rank", lang): pd.array([int(r["overall_rank"]) for _, r in rows], dtype="Int64"),
            text("county", lang): [r["county"] for _, r in rows],
            total_heading(rule, lang): points.astype("Int64") if ((points % 1) == 0).all() else points,
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


RECORD_COLUMNS = {
    "inspections": (
        "id",
        "inspected_on",
        "unit_name",
        "industry",
        "inspector_turnouts",
        "documents",
        "hazards_found",
        "rectification_ordered",
        "rectification_recorded",
        "random_selected",
        "import_id",
    ),
    "cases": (
        "id",
        "filed_on",
        "decided_on",
        "unit_name",
        "violation",
        "fine_yuan",
        "inspection_id",
        "rectification_recorded",
        "import_id",
    ),
}


def record_table(records: pd.DataFrame, kind: str, lang: str = "zh") -> pd.DataFrame:
    """Records behind a figure as a reader sees them: headers in words, dates without a time, 是/否 for flags."""
    table = records[[column for column in RECORD_COLUMNS[kind] if column in records.columns]].copy()
    for column in table.columns:
        if column.endswith("_on"):
            table[column] = ["" if pd.isna(day) else f"{pd.Timestamp(day):%Y-%m-%d}" for day in table[column]]
        elif pd.api.types.is_bool_dtype(table[column]):
            table[column] = table[column].map({True: text("yes", lang), False: text("no", lang)})
    if "fine_yuan" in table:
        table["fine_yuan"] = table["fine_yuan"].astype("float64").round(2)
    return table.rename(columns={column: text(f"record_{kind}_{column}", lang) for column in table.columns})


def monthly_table(monthly: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The monthly series for export: county, month (2020-03), inspections, cases, fines in 万元."""
    return pd.DataFrame(
        {
            text("county", lang): monthly["county"],
            text("month", lang): [f"{pd.Timestamp(month):%Y-%m}" for month in monthly["month"]],
            text("inspections", lang): monthly["inspections"].astype("Int64"),
            text("cases", lang): monthly["cases"].astype("Int64"),
            text("fines", lang): monthly["fines"].astype("float64").round(2),
        }
    )


def rule_footnote(rule: ScoringRule, counties: int, lang: str = "zh") -> str:
    """The 得分说明 of a rule in the reader's language (the Chinese is the attachment's own sentence)."""
    return rule.describe(counties, lang)


def format_table(kind: str, lang: str = "zh") -> pd.DataFrame:
    """The columns a file of ``kind`` has, for the data page: header, whether it is required, an example.

    Chinese headers and examples are shown in Chinese only; the English page lists the English headers.
    """
    fields = FIELDS[kind]
    table = {
        text("format_column", lang): [f"{f.label}（{f.name}）" if lang == "zh" else f.name for f in fields],
        text("format_need", lang): [text("format_required" if f.required else "format_optional", lang) for f in fields],
    }
    if lang == "zh":
        table[text("format_example", lang)] = [f.example for f in fields]
    return pd.DataFrame(table)
