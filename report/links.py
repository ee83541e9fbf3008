"""The view in the address bar: language-neutral values in, the same view out, in either language.

A link stores ``lang`` (zh/en), ``year``, ``period`` (a preset code such as ``h1``, ``q2``, ``m03``, ``to05``,
``year`` or ``custom``), ``start``/``end`` (ISO dates, for ``custom``), ``counties`` (names; 6-digit codes are
read too) and ``rank_within`` (1/0). A value that cannot be read is named in one line and the default used.

>>> view, notes = read_address({"period": ["Q9"], "year": ["2020"]}, [2020, 2019], {"驿城区": 411702}, (2020, "h1"))
>>> view.preset, [note.key for note in notes]
('h1', ['link_bad_period'])
>>> address_params(read_address({"period": ["第二季度"]}, [2020], {}, (2020, "h1"))[0])
{'lang': 'zh', 'year': '2020', 'period': 'q2'}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from report.periods import PRESETS, period_dates, preset_label
from report.text import LANGUAGES, text

TRUE_WORDS = ("1", "true", "yes", "on", "是")
FALSE_WORDS = ("0", "false", "no", "off", "否", "")


@dataclass(frozen=True)
class AddressNote:
    """One value of a link that could not be read: its message key and the value."""

    key: str
    value: str

    def message(self, lang: str) -> str:
        return text(self.key, lang, value=self.value)


@dataclass(frozen=True)
class ViewAddress:
    """Everything the address bar holds, as neutral values."""

    lang: str
    year: int
    preset: str
    counties: tuple[str, ...] = ()
    rank_within: bool = False
    dates: tuple[dt.date, dt.date] | None = None  # custom dates only
    notes: tuple[AddressNote, ...] = field(default=(), compare=False)

    def period(self) -> tuple[dt.date, dt.date]:
        if self.preset == "custom" and self.dates is not None:
            return self.dates
        return period_dates(self.year, "h1" if self.preset == "custom" else self.preset)


def _preset_names() -> dict[str, str]:
    """Every way a link may name a preset: its code, and its label in either language (old links stored labels)."""
    names = {"to01": "m01"}
    for preset in PRESETS:
        names[preset] = preset
        for lang in LANGUAGES:
            names[preset_label(preset, lang).casefold()] = preset
    names.update(
        {"上半年": "h1", "下半年": "h2", "第一季度": "q1", "第二季度": "q2", "第三季度": "q3", "第四季度": "q4"}
    )
    return names


PRESET_NAMES = _preset_names()


def _one(params: Mapping[str, Sequence[str] | str], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    return value[-1].strip() if value else ""


def _all(params: Mapping[str, Sequence[str] | str], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in values for part in item.split(",") if part.strip()]


def read_address(
    params: Mapping[str, Sequence[str] | str],
    years: Sequence[int],
    counties: Mapping[str, int],
    default: tuple[int, str],
) -> tuple[ViewAddress, list[AddressNote]]:
    """The view a link asks for, and a note for each value that could not be read (its default is used)."""
    notes: list[AddressNote] = []
    lang = (_one(params, "lang") or "zh").casefold()
    if lang not in LANGUAGES:
        notes.append(AddressNote("link_bad_lang", _one(params, "lang") or ""))
        lang = "zh"

    year = default[0]
    asked_year = _one(params, "year")
    if asked_year:
        if asked_year.isdigit() and int(asked_year) in years:
            year = int(asked_year)
        else:
            notes.append(AddressNote("link_bad_year", asked_year))

    preset = default[1]
    asked_period = _one(params, "period")
    if asked_period:
        known = PRESET_NAMES.get(asked_period.casefold())
        if known is None:
            notes.append(AddressNote("link_bad_period", asked_period))
        else:
            preset = known

    dates = None
    if preset == "custom":
        dates = _read_dates(params, notes)
        if dates is None:
            preset = default[1]

    chosen: list[str] = []
    codes = {str(code): name for name, code in counties.items()}
    for asked in _all(params, "counties"):
        name = asked if asked in counties else codes.get(asked)
        if name is None:
            notes.append(AddressNote("link_bad_county", asked))
        elif name not in chosen:
            chosen.append(name)

    within = False
    asked_within = _one(params, "rank_within")
    if asked_within is not None:
        if asked_within.casefold() in TRUE_WORDS:
            within = bool(chosen)
        elif asked_within.casefold() not in FALSE_WORDS:
            notes.append(AddressNote("link_bad_within", asked_within))
    view = ViewAddress(lang, year, preset, tuple(chosen), within, dates, tuple(notes))
    return view, notes


def _read_dates(params: Mapping[str, Sequence[str] | str], notes: list[AddressNote]) -> tuple[dt.date, dt.date] | None:
    start, end = _one(params, "start") or "", _one(params, "end") or ""
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        notes.append(AddressNote("link_bad_dates", f"{start}–{end}"))
        return None
    if first > last:
        notes.append(AddressNote("link_bad_dates", f"{start}–{end}"))
        return None
    return first, last


def address_params(view: ViewAddress) -> dict[str, str | list[str]]:
    """The address bar's values for a view: every filter, so a link keeps its view when the defaults move on."""
    params: dict[str, str | list[str]] = {"lang": view.lang, "year": str(view.year), "period": view.preset}
    if view.preset == "custom" and view.dates is not None:
        params["start"], params["end"] = view.dates[0].isoformat(), view.dates[1].isoformat()
    if view.counties:
        params["counties"] = list(view.counties)
        params["rank_within"] = "1" if view.rank_within else "0"
    return params
