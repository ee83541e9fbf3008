"""Schemes as readers see them: the line naming the scheme and version, the 评分规则 page's tables, a proposed
scheme from the page's form, the side-by-side ranking with each change of place, and the sentences about how
decisive (robustness) and how lasting (places over time) a county's place is, in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from records.schemes import StoredScheme
from report.text import measure_heading, text, total_heading
from scoring import CATALOGUE, Measure, SchemeError, ScoringRule
from scoring.robustness import robustness_sentence


@dataclass(frozen=True)
class SchemeNote:
    """What names the scheme beside its figures (pages, CSV, workbooks): the scheme and version, its 得分说明."""

    label: str
    footnote: str
    lang: str = "zh"

    def lines(self) -> list[str]:
        return [text("scheme_line", self.lang, scheme=self.label), self.footnote]

    @property
    def sheet_name(self) -> str:
        return text("scheme_sheet", self.lang)


def scheme_note(scheme: StoredScheme, counties: int, lang: str = "zh") -> SchemeNote:
    """The scheme's label and its 得分说明 for ``counties`` ranked, in ``lang``."""
    return SchemeNote(scheme.label(lang), scheme.rule.describe(max(counties, 1), lang), lang)


def measures_table(rule: ScoringRule, lang: str = "zh") -> pd.DataFrame:
    """The scheme's measures as the 评分规则 page lists them: heading, key, weight, direction, how counted."""
    return pd.DataFrame(
        {
            text("scheme_measure", lang): [measure_heading(m, lang) for m in rule.measures],
            text("scheme_key", lang): [m.column for m in rule.measures],
            text("scheme_weight", lang): [m.weight for m in rule.measures],
            text("scheme_direction", lang): [
                text("higher_better" if m.higher_is_better else "lower_better", lang) for m in rule.measures
            ],
            text("scheme_counted", lang): [
                CATALOGUE[m.column].counts if lang == "zh" else CATALOGUE[m.column].formula() or "—"
                for m in rule.measures
            ],
        }
    )


def versions_table(versions: pd.DataFrame, in_force: StoredScheme, lang: str = "zh") -> pd.DataFrame:
    """Every stored version, newest first, with its dates, who saved it and when; the one in force marked."""

    def day(value: object) -> str:
        return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"  # type: ignore[arg-type]

    rows = versions.iloc[::-1]
    return pd.DataFrame(
        {
            text("scheme_name", lang): rows["name"].to_numpy(),
            text("scheme_version", lang): rows["version"].astype(int).to_numpy(),
            text("effective_from", lang): [day(v) or text("no_limit", lang) for v in rows["effective_from"]],
            text("effective_to", lang): [day(v) or text("no_limit", lang) for v in rows["effective_to"]],
            text("saved_by", lang): rows["saved_by"].to_numpy(),
            text("saved_at", lang): [f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" for v in rows["saved_at"]],
            text("in_force", lang): [
                "✓" if (name, int(version)) == (in_force.name, in_force.version) else ""
                for name, version in zip(rows["name"], rows["version"], strict=True)
            ],
        }
    )


@dataclass(frozen=True)
class MeasureChoice:
    """One measure as the form edits it."""

    key: str
    weight: float = 1.0
    higher_is_better: bool = True
    label: str = ""


def scheme_from_form(
    name: str,
    method: str,
    measures: Sequence[MeasureChoice],
    top: float | None = None,
    step: float = 1.0,
    floor: float = 1.0,
    full: float = 10.0,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
) -> ScoringRule:
    """The scheme the 评分规则 form describes; the same checks as a TOML file (``SchemeError`` names the key).

    A label left empty or equal to the catalogue's is the catalogue's.

    >>> scheme_from_form("甲", "share", [MeasureChoice("fines", 2)], full=100).describe(10)[:22]
    '得分说明：百分制计分，每一项满分100分，该'
    """
    chosen = []
    for position, choice in enumerate(measures):
        try:
            measure = Measure(choice.key, weight=choice.weight, higher_is_better=choice.higher_is_better)
            if choice.label.strip():
                measure = Measure(
                    choice.key, choice.label.strip(), weight=measure.weight, higher_is_better=measure.higher_is_better
                )
        except SchemeError as error:  # named for the measure's place in the list, as in a TOML file
            raise error.within(f"measures[{position}]") from None
        chosen.append(measure)
    return ScoringRule(
        name=name.strip(),
        method=method,
        measures=tuple(chosen),
        top=top,
        step=step,
        floor=floor,
        full=full,
        effective_from=effective_from,
        effective_to=effective_to,
    )


def change_mark(before: object, after: object) -> str:
    """A county's change of place as the page marks it: ↑2 (two places up), ↓1, — (same), 新 / 无 (no place).

    >>> change_mark(5, 3), change_mark(3, 4), change_mark(2, 2), change_mark(None, 1), change_mark(4, None)
    ('↑2', '↓1', '—', '新', '无')
    """
    if before is None or pd.isna(before):  # type: ignore[arg-type]
        return "—" if after is None or pd.isna(after) else "新"  # type: ignore[arg-type]
    if after is None or pd.isna(after):  # type: ignore[arg-type]
        return "无"
    moved = int(before) - int(after)  # type: ignore[call-overload]
    return "—" if moved == 0 else f"↑{moved}" if moved > 0 else f"↓{-moved}"


def side_by_side(
    current: pd.DataFrame,
    proposed: pd.DataFrame,
    current_rule: ScoringRule,
    proposed_rule: ScoringRule,
    lang: str = "zh",
) -> pd.DataFrame:
    """The ranking under the scheme in force and under the proposed one, county by county in the proposed order,
    with each county's change of place (↑2, ↓1)."""
    old = current.set_index("county_code")
    new = proposed.set_index("county_code")
    codes = new.index
    before = old["overall_rank"].reindex(codes)
    after = new["overall_rank"]
    current_total = f"{total_heading(current_rule, lang)}（{text('current_scheme', lang)}）"
    proposed_total = f"{total_heading(proposed_rule, lang)}（{text('proposed_scheme', lang)}）"
    if lang == "en":
        current_total = f"{total_heading(current_rule, lang)} ({text('current_scheme', lang).lower()})"
        proposed_total = f"{total_heading(proposed_rule, lang)} ({text('proposed_scheme', lang).lower()})"
    return pd.DataFrame(
        {
            text("county", lang): new["county"].to_numpy(),
            text("place_current", lang): before.astype("Int64").to_numpy(),
            current_total: old["total_points"].reindex(codes).astype("Float64").to_numpy(),
            text("place_proposed", lang): after.astype("Int64").to_numpy(),
            proposed_total: new["total_points"].astype("Float64").to_numpy(),
            text("place_change", lang): [change_mark(b, a) for b, a in zip(before, after, strict=True)],
        }
    )


# How decisive is a place: the robustness sentences --------------------------------------------------------------


def robustness_text(row: pd.Series, lang: str = "zh") -> str:
    """One county's robustness in a sentence; the Chinese is ``scoring.robustness.robustness_sentence``'s own."""
    if lang == "zh":
        return robustness_sentence(row)
    if pd.isna(row["place"]):
        return text("robust_missing", lang, county=row["county"])
    low, high = int(row["low_place"]), int(row["high_place"])
    where = text("robust_same", lang, place=low) if low == high else text("robust_range", lang, low=low, high=high)
    verdict = text("robust_stable" if bool(row["stable"]) else "robust_sensitive", lang)
    return text(
        "robust_sentence",
        lang,
        county=row["county"],
        place=int(row["place"]),
        variants=int(row["variants"]),
        where=where,
        verdict=verdict,
    )


def bottom_robustness(places: pd.DataFrame, bottom: int = 3) -> pd.DataFrame:
    """The robustness rows of the last ``bottom`` places among the ranked counties, last place first."""
    ranked = places[places["place"].notna()]
    n = len(ranked)
    if n == 0 or bottom <= 0:
        return ranked.iloc[0:0]
    chosen = ranked[ranked["place"].astype("int64") > n - bottom]
    return chosen.sort_values("place", ascending=False, kind="stable")


# How lasting is a place: places over time -----------------------------------------------------------------------


def history_table(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Counties down, periods across: each cell the county's place (第3名), or 无数据 / 未排名, never a last place."""
    if history.empty:
        return pd.DataFrame(columns=[text("county", lang)])
    cells = []
    for row in history.itertuples():
        if row.status == "ranked":
            cells.append(text("history_place", lang, place=int(row.place), n=int(row.ranked)))
        else:
            cells.append(text("history_no_data" if row.status == "no_data" else "history_not_ranked", lang))
    frame = history.assign(cell=cells)
    periods = list(dict.fromkeys(frame.sort_values("period_index")["period"]))
    table = frame.pivot(index="county", columns="period", values="cell")[periods]
    order = list(dict.fromkeys(history["county"]))
    table = table.reindex(order).reset_index()
    return table.rename(columns={"county": text("county", lang)})


def persistence_text(row: pd.Series, lang: str = "zh", bottom: int = 3) -> str:
    """A county flagged for the bottom places in consecutive periods, in a sentence naming periods and places.

    The Chinese is ``scoring.history.persistent_bottom``'s reason after the county's name.
    """
    if lang == "zh":
        return f"{row['county']}{row['reason']}"
    listed = ", ".join(
        text("persist_item", lang, period=period, place=place)
        for period, place in zip(row["periods"], row["places"], strict=True)
    )
    return text("persist_sentence", lang, county=row["county"], count=int(row["count"]), k=bottom, listed=listed)
