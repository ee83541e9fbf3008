"""Enforcement quality as the pages and the bulletin show it: the signals of the shown counties judged against the
ranking pool, the page's table, the ranking's 质量 marks, the map's colouring and the records behind a signal.

Plain functions over DataFrames, like ``report.analysis``, so the tests call them without Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from report.analysis import record_table
from report.text import scope_label, text
from scoring.quality import SIGNAL_TITLES, QualitySettings, judge_quality, quality_flags, quality_titles_by_county

# The few words of each signal for the ranking's narrow 质量 column.
QUALITY_MARKS = {
    "zh": {
        "repeat_visits": "重复",
        "period_end_rush": "突击",
        "no_hazard_inspections": "无隐患",
        "overdue_decisions": "超期",
        "fine_concentration": "集中",
        "low_random_share": "随机少",
    },
    "en": {
        "repeat_visits": "Repeat",
        "period_end_rush": "Rush",
        "no_hazard_inspections": "No hazard",
        "overdue_decisions": "Overdue",
        "fine_concentration": "Top fines",
        "low_random_share": "Random",
    },
}
# What each signal's share is of, which decides its 样本不足 line.
BASE_KINDS = {
    "repeat_visits": "inspections",
    "period_end_rush": "inspections",
    "no_hazard_inspections": "inspections",
    "overdue_decisions": "judged_cases",
    "fine_concentration": "fined_cases",
    "low_random_share": "inspections",
}
# Which records lie behind each signal: inspections or cases.
RECORD_KINDS = {
    "repeat_visits": "inspections",
    "period_end_rush": "inspections",
    "no_hazard_inspections": "inspections",
    "overdue_decisions": "cases",
    "fine_concentration": "cases",
    "low_random_share": "inspections",
}


@dataclass(frozen=True)
class QualityView:
    """Every signal of the shown counties, each judged against the ranking pool (``pool`` names it)."""

    signals: pd.DataFrame
    pool: str
    settings: QualitySettings

    @cached_property
    def flagged(self) -> pd.DataFrame:
        """The signals that flag a county (read several times a page run, so judged once)."""
        return quality_flags(self.signals)

    @property
    def too_few(self) -> pd.DataFrame:
        return self.signals[self.signals["status"] == "too_few"].reset_index(drop=True)

    def narrowed(self, selected: list[int] | tuple[int, ...]) -> QualityView:
        """The same judgements with only the chosen counties' signals; all of them when none is chosen."""
        if not selected:
            return self
        chosen = self.signals[self.signals["county_code"].isin(set(selected))]
        return QualityView(chosen.reset_index(drop=True), self.pool, self.settings)

    def flag_counts(self) -> pd.Series:
        """How many quality signals flag each shown county (0 for none), keyed by county code."""
        codes = self.signals["county_code"].drop_duplicates()
        counted = self.flagged.groupby("county_code").size()
        return counted.reindex(codes, fill_value=0).astype("int64")


def quality_view(
    counts: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    selected: list[int] | tuple[int, ...] = (),
    rank_within_selection: bool = False,
    settings: QualitySettings | None = None,
    lang: str = "zh",
) -> QualityView:
    """Judge the pool the ranking uses (all counties, or only the chosen ones if asked), then keep the shown ones."""
    settings = settings or QualitySettings()
    chosen = set(selected)
    within = rank_within_selection and bool(chosen)
    pool = counts[counts["county_code"].isin(chosen)] if within else counts
    pool_name = scope_label(len(pool) if len(pool) < len(counts) else 0, lang)
    signals = judge_quality(pool.reset_index(drop=True), start, end, settings, lang, pool_name)
    return QualityView(signals.reset_index(drop=True), pool_name, settings).narrowed(selected)


def quality_marks(view: QualityView, codes: pd.Series, lang: str = "zh") -> pd.Series:
    """Each county's flagged signals in a few words (重复、超期), in the order of ``codes``, for a narrow column."""
    flagged = view.flagged
    joiner = "、" if lang == "zh" else ", "
    words = flagged["signal"].map(QUALITY_MARKS[lang]).groupby(flagged["county_code"], sort=False).agg(joiner.join)
    return pd.Series([words.get(code, "") for code in codes], index=codes.index, dtype=object)


def with_quality(shown: pd.DataFrame, view: QualityView, lang: str = "zh") -> pd.DataFrame:
    """The shown rows with ``quality`` (how many signals flag the county) and ``quality_flags`` (their titles),
    for the map."""
    counts = view.flag_counts()
    titles = quality_titles_by_county(view.signals, lang)
    return shown.assign(
        quality=[int(counts.get(code, 0)) for code in shown["county_code"]],
        quality_flags=[str(titles.get(code, "")) for code in shown["county_code"]],
    )


def quality_table(signals: pd.DataFrame, pool: str, lang: str = "zh") -> pd.DataFrame:
    """Signals as the flags page lists them: signal, county, the county's share, the pool's, what the share is of,
    and the sentence with its figures. Shares are percentages with one decimal."""
    return pd.DataFrame(
        {
            text("quality_signal", lang): signals["signal"].map(SIGNAL_TITLES[lang]),
            text("county", lang): signals["county"],
            text("quality_value", lang): (100 * signals["value"].astype("float64")).round(1),
            text("quality_city_value", lang, pool=pool): (100 * signals["city_value"].astype("float64")).round(1),
            text("quality_base", lang): signals["base"].astype("int64"),
            text("quality_sentence", lang): signals["sentence"],
        }
    )


def too_few_lines(view: QualityView, lang: str = "zh", listed: int = 10) -> list[str]:
    """样本不足 said, never hidden: one line per kind of record and set of counties, naming the signals it stops.

    The four signals of inspections share a minimum, so a county with too few inspections is one line, not four;
    past ``listed`` counties a line names the first and says how many (the table of every signal has them all).
    """
    joiner = "、" if lang == "zh" else ", "
    signals = view.signals[view.signals["status"] == "too_few"]
    too_few = list(
        zip(signals["signal"].tolist(), signals["county"].tolist(), signals["minimum"].tolist(), strict=True)
    )
    lines = []
    for kind in dict.fromkeys(BASE_KINDS.values()):
        rows = [row for row in too_few if BASE_KINDS[row[0]] == kind]
        counties_of: dict[str, list[str]] = {}  # each signal's counties, signals and counties in the rows' order
        for signal, county, _ in rows:
            counties_of.setdefault(signal, []).append(county)
        signals_of: dict[tuple[str, ...], list[str]] = {}
        for signal, counties in counties_of.items():
            signals_of.setdefault(tuple(counties), []).append(SIGNAL_TITLES[lang][signal])
        for counties, titles in signals_of.items():
            minimum = int(rows[0][2])
            lines.append(
                text(
                    f"quality_too_few_{kind}",
                    lang,
                    title=joiner.join(titles),
                    n=minimum,
                    days=view.settings.overdue_days,
                    names=_some(counties, listed, lang),
                )
            )
    return lines


def _some(names: tuple[str, ...], listed: int, lang: str) -> str:
    joiner = "、" if lang == "zh" else ", "
    if len(names) <= listed:
        return joiner.join(names)
    shown = joiner.join(names[:listed])
    return f"{shown}等{len(names)}个县区" if lang == "zh" else f"{shown} and {len(names) - listed} more"


def signal_choices(view: QualityView, lang: str = "zh") -> dict[str, tuple[str, int]]:
    """The flagged signals a reader can open the records of: label (泌阳县 · 重复检查) → (signal, county code)."""
    flagged = view.flagged
    return {
        f"{county} · {SIGNAL_TITLES[lang][signal]}": (str(signal), int(code))
        for signal, code, county in zip(flagged["signal"], flagged["county_code"], flagged["county"], strict=True)
    }


EXTRA_RECORD_COLUMNS = ("days_since_previous", "in_period_end", "in_month_end", "days_waiting", "share_of_fines")


def quality_record_table(records: pd.DataFrame, signal: str, lang: str = "zh") -> pd.DataFrame:
    """The records behind a signal as a reader sees them: the usual record columns in words, and in front the one
    that shows the pattern (days since the unit's last visit, in the last days, days waiting, share of fines)."""
    kind = RECORD_KINDS[signal]
    extras = records[[column for column in EXTRA_RECORD_COLUMNS if column in records.columns]].copy()
    for column in ("in_period_end", "in_month_end"):
        if column in extras:
            extras[column] = extras[column].map({True: text("yes", lang), False: text("no", lang)})
    if "share_of_fines" in extras:
        extras["share_of_fines"] = (100 * extras["share_of_fines"].astype("float64")).round(1)
    for column in ("days_since_previous", "days_waiting"):
        if column in extras:
            extras[column] = extras[column].astype("Int64")
    extras = extras.rename(columns={column: text(f"record_{column}", lang) for column in extras.columns})
    base = record_table(records, kind, lang)
    return pd.concat([base.iloc[:, :3], extras, base.iloc[:, 3:]], axis=1)
