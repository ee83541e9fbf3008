"""Places over time for a view: the period on screen and the periods of its kind before it, each scored by the
scheme in effect for it, as the bump chart, the table and the 连续排名后三 flag read them.

>>> import pandas as pd
>>> from records.schemes import built_in_scheme
>>> figures = pd.DataFrame({"county_code": [1, 2], "county": ["甲", "乙"], "source": ["records", "none"],
...                         "inspections": [5, 0], "cases": [1, 0], "fines": [1.0, 0.0]})
>>> view = places_over_time_view([("2020年1–6月", built_in_scheme(), figures)])
>>> view.history[["county", "place", "status"]].values.tolist()
[['甲', 1, 'ranked']]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from records.schemes import StoredScheme
from scoring import score_counties
from scoring.history import HISTORY_COLUMNS, persistent_bottom, places_over_time


@dataclass(frozen=True)
class PlacesOverTime:
    """The periods shown (oldest first) with the scheme that scored each, their places, and the periods left out
    because nobody had data in them."""

    history: pd.DataFrame  # scoring.history.places_over_time's rows
    periods: tuple[str, ...] = ()
    schemes: tuple[StoredScheme, ...] = ()  # the scheme that scored each period
    skipped: tuple[str, ...] = field(default=())

    def scheme_label(self, lang: str = "zh") -> str:
        """The scheme that scored the periods, or each period's when they differ."""
        labels = [scheme.label(lang) for scheme in self.schemes]
        if len(set(labels)) <= 1:
            return labels[0] if labels else ""
        joiner, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
        return joiner.join(f"{period}{colon}{label}" for period, label in zip(self.periods, labels, strict=True))

    @property
    def empty(self) -> bool:
        return self.history.empty

    def persistent(self, bottom_places: int = 3) -> pd.DataFrame:
        """Counties in the bottom places for two or more consecutive periods up to the latest one."""
        if bottom_places <= 0 or self.history.empty:
            return pd.DataFrame(columns=["county", "periods", "places", "count", "reason"])
        return persistent_bottom(self.history, bottom_places)


def places_over_time_view(periods: Sequence[tuple[str, StoredScheme, pd.DataFrame]]) -> PlacesOverTime:
    """Score each period's pool of counties by its own scheme and line the places up.

    ``periods`` are (label, scheme, county measures of the ranking pool), oldest first. Counties without any
    record or summary in a period (source ``none``) are left out before that period is scored: counted as zeros
    they would take places (first, on a measure where lower is better) that they never earned; they show as 无数据.
    A period in which nobody has data is left out, and named in ``skipped``.
    """
    scored: list[tuple[str, pd.DataFrame]] = []
    used: list[StoredScheme] = []
    skipped: list[str] = []
    for label, scheme, measures in periods:
        with_data = measures[measures["source"] != "none"].reset_index(drop=True)
        if with_data.empty:
            skipped.append(label)
            continue
        scored.append((label, score_counties(with_data, scheme.rule)))
        used.append(scheme)
    history = places_over_time(scored) if scored else pd.DataFrame(columns=HISTORY_COLUMNS)
    return PlacesOverTime(history, tuple(label for label, _ in scored), tuple(used), tuple(skipped))
