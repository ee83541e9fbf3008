"""Period presets as the bulletin uses them (上半年, 全年, a quarter, one month, 1–N月) and their labels.

Presets are language-neutral codes (``h1``, ``q2``, ``m03``, ``to05``, ``year``, ``custom``): the address bar
stores them, so a link opens the same view in either language.

>>> period_dates(2020, "h1")
(datetime.date(2020, 1, 1), datetime.date(2020, 6, 30))
>>> period_label(*period_dates(2020, "h1"))
'2020年1–6月'
"""

from __future__ import annotations

import calendar
import datetime as dt

# The bulletin's usual periods first, then single months, then months cumulated from January (1月 alone is m01).
PRESETS: tuple[str, ...] = (
    "h1",
    "h2",
    "year",
    "q1",
    "q2",
    "q3",
    "q4",
    *(f"m{n:02d}" for n in range(1, 13)),
    *(f"to{n:02d}" for n in range(2, 13)),
    "custom",
)


def default_period(latest: dt.date | None, first_half_latest: dt.date | None, today: dt.date) -> tuple[int, str]:
    """The view a reader first sees: the bulletin's own period, 上半年, of the latest year with data up to today,
    or that year's 下半年 when only it has data; never a future year. This year's 上半年 when there is no data.

    ``latest`` is the last date with data up to today; ``first_half_latest`` the last such date up to 30 June of
    that year.

    >>> default_period(dt.date(2020, 12, 31), dt.date(2020, 6, 30), dt.date(2026, 11, 25))
    (2020, 'h1')
    >>> default_period(dt.date(2021, 9, 30), dt.date(2020, 12, 31), dt.date(2026, 11, 25))
    (2021, 'h2')
    >>> default_period(None, None, dt.date(2026, 3, 1))
    (2026, 'h1')
    """
    if latest is None or latest > today:
        return today.year, "h1"
    has_first_half = first_half_latest is not None and first_half_latest.year == latest.year
    return latest.year, "h1" if has_first_half else "h2"


def period_dates(year: int, preset: str) -> tuple[dt.date, dt.date]:
    """First and last day of a preset period in ``year`` (``custom`` has no dates of its own)."""
    if preset.startswith("to"):
        first, last = 1, int(preset[2:])
    elif preset.startswith("m"):
        first = last = int(preset[1:])
    elif preset.startswith("q"):
        quarter = int(preset[1:])
        first, last = 3 * quarter - 2, 3 * quarter
    elif preset in ("h1", "h2"):
        first, last = (1, 6) if preset == "h1" else (7, 12)
    elif preset == "year":
        first, last = 1, 12
    else:
        raise ValueError(f"未知时段：{preset}")
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def preset_label(preset: str, lang: str = "zh") -> str:
    """How the period picker names a preset."""
    english = lang == "en"
    if preset.startswith("to"):
        n = int(preset[2:])
        if n == 1:
            return "Jan" if english else "1月"
        return f"Jan–{calendar.month_abbr[n]} (cumulative)" if english else f"1–{n}月（累计）"
    if preset.startswith("m"):
        n = int(preset[1:])
        return f"{calendar.month_name[n]} only" if english else f"{n}月（单月）"
    names = {
        "q1": ("第一季度", "Q1"),
        "q2": ("第二季度", "Q2"),
        "q3": ("第三季度", "Q3"),
        "q4": ("第四季度", "Q4"),
        "h1": ("上半年（1–6月）", "First half (Jan–Jun)"),
        "h2": ("下半年（7–12月）", "Second half (Jul–Dec)"),
        "year": ("全年", "Whole year"),
        "custom": ("自定义日期", "Custom dates"),
    }
    return names[preset][1 if english else 0]


def period_label(start: dt.date, end: dt.date, lang: str = "zh") -> str:
    """A period as the bulletin writes it: 2020年1–6月, 2020年3月, or exact dates.

    >>> period_label(dt.date(2020, 3, 1), dt.date(2020, 3, 31)), period_label(dt.date(2020, 1, 5), dt.date(2020, 2, 1))
    ('2020年3月', '2020年1月5日至2020年2月1日')
    """
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if lang == "en":
        if whole_months and start.year == end.year:
            if start.month == end.month:
                return f"{calendar.month_abbr[start.month]} {start.year}"
            return f"{calendar.month_abbr[start.month]}–{calendar.month_abbr[end.month]} {start.year}"
        return f"{start:%d %b %Y} – {end:%d %b %Y}"
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}–{end.month}月"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
