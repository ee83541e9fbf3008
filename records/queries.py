"""Every question the app asks the database, each a named function with parameters, returning a DataFrame.

Aggregation happens in DuckDB; only what is shown comes back to pandas. A function that returns individual
inspections or cases (or their ids) takes the reader's ``RecordScope``, required, and adds it as a query parameter:
a county user gets only their own county's rows, whatever county is asked for. Figures per county stay city-wide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from records.access import RecordScope
from scoring.catalogue import CATALOGUE, catalogue_measure
from scoring.history import preceding_periods

MEASURES = ("inspections", "inspector_turnouts", "documents", "cases", "fines")
SOURCE_LABELS = {"records": "执法记录", "summary": "报送汇总", "none": "无记录"}

# How each count of the measure catalogue (``scoring.catalogue``) is counted from the records: the CTE it comes from
# (visits: the period's inspections; filed: the period's cases by filing date) and its aggregate. Rates are never
# aggregated: they are computed from their two summed counts. Names are fixed here, never user text.
RECORD_COUNTS: dict[str, tuple[str, str]] = {
    "inspections": ("visits", "count(*)"),
    "inspector_turnouts": ("visits", "sum(inspector_turnouts)"),
    "documents": ("visits", "sum(documents)"),
    "hazards_found": ("visits", "sum(hazards_found)"),
    "rectification_ordered": ("visits", "count_if(rectification_ordered)"),
    "rectification_recorded": ("visits", "count_if(rectification_ordered AND rectification_recorded)"),
    "random_inspections": ("visits", "count_if(random_selected)"),
    "cases": ("filed", "count(*)"),
    "penalty_decisions": ("filed", "count_if(decided_on IS NOT NULL)"),
    "fines": ("filed", "sum(fine_yuan)"),
}
SUMMARY_COLUMN = {"fines": "fine_yuan"}  # a summary stores fines in yuan, exactly, as the records do
_PREFIX = {"visits": "v", "filed": "f"}
# A query of some counties only (``$counties``, a list of codes): on their records, and on the counties table.
_ONLY = "AND county_code IN (SELECT unnest($counties))"
_ONLY_CODES = "WHERE c.code IN (SELECT unnest($counties))"


def catalogue_keys(keys: Iterable[str] = ()) -> tuple[str, ...]:
    """The five measures every view has, then the catalogue keys asked for (a rate brings its two counts).

    >>> catalogue_keys(["rectification_rate", "cases"])[5:]
    ('rectification_recorded', 'rectification_ordered', 'rectification_rate')
    """
    wanted = list(MEASURES)
    for key in keys:
        entry = catalogue_measure(key)
        for needed in (entry.numerator, entry.denominator, key):
            if needed is not None and needed not in wanted:
                wanted.append(needed)
    return tuple(wanted)


def _county_measures_sql(keys: tuple[str, ...], only: bool = False) -> str:
    """The query of ``county_measures``; with ``only``, of the counties in ``$counties``."""
    counties = _ONLY if only else ""
    counts = [key for key in keys if not CATALOGUE[key].is_rate]
    aggregates: dict[str, list[str]] = {"visits": [], "filed": []}
    for key in counts:
        source, aggregate = RECORD_COUNTS[key]
        aggregates[source].append(f"{aggregate} AS {key}")

    def count(key: str) -> str:
        source = RECORD_COUNTS[key][0]
        column = SUMMARY_COLUMN.get(key, key)
        value = f"CASE source WHEN 'summary' THEN {column} ELSE coalesce({_PREFIX[source]}_{key}, 0) END"
        return f"CAST({value} AS DOUBLE) / 10000" if key == "fines" else value

    selected = [f"{count(key)} AS {key}" for key in counts]
    for key in keys:
        entry = CATALOGUE[key]
        if entry.is_rate:
            computed = (
                f"{entry.scale!r} * CAST({count(str(entry.numerator))} AS DOUBLE) "
                f"/ NULLIF({count(str(entry.denominator))}, 0)"
            )
            # A summary's own rate wins; else the rate of its counts, as the records' rate is of theirs.
            selected.append(f"coalesce(CASE source WHEN 'summary' THEN {key} END, {computed}) AS {key}")
    carried = ", ".join(
        f"{_PREFIX[RECORD_COUNTS[key][0]]}.{key} AS {_PREFIX[RECORD_COUNTS[key][0]]}_{key}" for key in counts
    )
    return f"""
WITH visits AS (
    SELECT county_code, {", ".join(aggregates["visits"])}
    FROM inspections WHERE inspected_on BETWEEN $start AND $end {counties} GROUP BY county_code
), filed AS (
    SELECT county_code, {", ".join(aggregates["filed"])}
    FROM cases WHERE filed_on BETWEEN $start AND $end {counties} GROUP BY county_code
), reported AS (
    SELECT * FROM county_summaries WHERE period_start = $start AND period_end = $end {counties}
), sourced AS (
    SELECT c.code, c.name, c.kind, c.sort_order, {carried}, r.*,
           CASE WHEN v.county_code IS NOT NULL OR f.county_code IS NOT NULL THEN 'records'
                WHEN r.county_code IS NOT NULL THEN 'summary' ELSE 'none' END AS source
    FROM counties c
    LEFT JOIN visits v ON v.county_code = c.code
    LEFT JOIN filed f ON f.county_code = c.code
    LEFT JOIN reported r ON r.county_code = c.code
    {_ONLY_CODES if only else ""}
)
SELECT code AS county_code, name AS county, kind, source, {", ".join(selected)}
FROM sourced
ORDER BY sort_order, code
"""


def county_measures(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    keys: Iterable[str] = (),
    counties: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Each county's measures for the period (fines in 万元), and where each row's figures come from; only those
    of ``counties`` (codes), if given.

    Always the five measures of the bulletin's text (``MEASURES``); ``keys`` asks for more of the measure
    catalogue, so a scheme's extra measures cost only the schemes that name them. Counts are summed per county,
    then each rate is ``scale × numerator ÷ denominator`` of the sums, missing (not 0) where the denominator is 0.

    Records are used wherever a county has any in the period; a reported summary for exactly this period
    fills in for a county without records (a measure the summary lacks is missing; a rate it lacks comes from its
    two counts when it has them); a county with neither shows zero counts with source ``none``.
    """
    wanted = catalogue_keys(keys)
    parameters: dict[str, object] = {"start": start, "end": end}
    if counties is not None:
        parameters["counties"] = sorted(counties)
    frame = connection.execute(_county_measures_sql(wanted, counties is not None), parameters).df()
    for key in wanted:
        if key != "fines" and not CATALOGUE[key].is_rate:
            frame[key] = frame[key].astype("Int64")
        elif CATALOGUE[key].is_rate:
            frame[key] = frame[key].astype("float64")
    return frame


def published_summary(connection: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The summary filed for exactly this period (such as a published attachment), with its file name: every
    catalogue measure it carries (fines in 万元; a rate it lacks from its two counts), missing where it has none."""
    measures = []
    for key, entry in CATALOGUE.items():
        if key == "fines":
            measures.append("CAST(s.fine_yuan AS DOUBLE) / 10000 AS fines")
        elif entry.is_rate:
            computed = f"{entry.scale!r} * CAST(s.{entry.numerator} AS DOUBLE) / NULLIF(s.{entry.denominator}, 0)"
            measures.append(f"coalesce(s.{key}, {computed}) AS {key}")
        else:
            measures.append(f"s.{key}")
    return connection.execute(
        f"""
        SELECT c.code AS county_code, c.name AS county, {", ".join(measures)}, l.file_name
        FROM county_summaries s JOIN counties c ON c.code = s.county_code
        JOIN import_log l ON l.id = s.import_id
        WHERE s.period_start = ? AND s.period_end = ?
        ORDER BY c.sort_order, c.code
        """,
        [start, end],
    ).df()


def monthly_series(connection: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Inspections, cases and fines (万元) per county and month, from records."""
    return connection.execute(
        """
        WITH visits AS (
            SELECT county_code, date_trunc('month', inspected_on) AS month, count(*) AS inspections
            FROM inspections WHERE inspected_on BETWEEN $start AND $end GROUP BY ALL
        ), filed AS (
            SELECT county_code, date_trunc('month', filed_on) AS month, count(*) AS cases,
                   CAST(sum(fine_yuan) AS DOUBLE) / 10000 AS fines
            FROM cases WHERE filed_on BETWEEN $start AND $end GROUP BY ALL
        )
        SELECT c.code AS county_code, c.name AS county, CAST(coalesce(v.month, f.month) AS DATE) AS month,
               coalesce(v.inspections, 0) AS inspections, coalesce(f.cases, 0) AS cases,
               coalesce(f.fines, 0) AS fines
        FROM visits v FULL JOIN filed f ON f.county_code = v.county_code AND f.month = v.month
        JOIN counties c ON c.code = coalesce(v.county_code, f.county_code)
        ORDER BY month, c.sort_order
        """,
        {"start": start, "end": end},
    ).df()


def rectification_gaps(
    connection: duckdb.DuckDBPyConnection, scope: RecordScope, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per county, penalised cases that came from an inspection but have no rectification record.

    ``gaps`` counts every county's (a figure per county); ``case_ids`` names the first five, and only for the
    counties whose records ``scope`` allows (an empty list for the others): enough to look them up, small at
    national scale.
    """
    return connection.execute(
        """
        SELECT c.code AS county_code, c.name AS county, count(*) AS gaps,
               CASE WHEN $own IS NULL OR c.code = $own THEN list(k.id ORDER BY k.id)[1:5]
                    ELSE []::VARCHAR[] END AS case_ids
        FROM cases k JOIN counties c ON c.code = k.county_code
        WHERE k.filed_on BETWEEN $start AND $end AND k.inspection_id IS NOT NULL
              AND k.fine_yuan > 0 AND NOT k.rectification_recorded
        GROUP BY c.code, c.name, c.sort_order
        ORDER BY c.sort_order
        """,
        {"start": start, "end": end, "own": scope.county_code},
    ).df()


def inspection_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
) -> pd.DataFrame:
    """The inspections behind a county's figure, newest first; none of a county outside ``scope``."""
    return connection.execute(
        """
        SELECT id, inspected_on, unit_name, industry, inspector_turnouts, documents, hazards_found,
               rectification_ordered, rectification_recorded, random_selected, import_id
        FROM inspections
        WHERE county_code = $county AND ($own IS NULL OR county_code = $own) AND inspected_on BETWEEN $start AND $end
        ORDER BY inspected_on DESC, id LIMIT $limit
        """,
        {"county": county_code, "own": scope.county_code, "start": start, "end": end, "limit": limit},
    ).df()


def case_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
) -> pd.DataFrame:
    """The cases behind a county's figures, newest first, fines in yuan; none of a county outside ``scope``."""
    return connection.execute(
        """
        SELECT id, filed_on, decided_on, unit_name, violation, CAST(fine_yuan AS DOUBLE) AS fine_yuan,
               inspection_id, rectification_recorded, import_id
        FROM cases
        WHERE county_code = $county AND ($own IS NULL OR county_code = $own) AND filed_on BETWEEN $start AND $end
        ORDER BY filed_on DESC, id LIMIT $limit
        """,
        {"county": county_code, "own": scope.county_code, "start": start, "end": end, "limit": limit},
    ).df()


# The records behind a county's enforcement-quality signal (issue 13), shaped like the two above: the reader's
# scope, one county, the period, a limit. The windows are the signal's settings (``scoring.quality.QualitySettings``).
_INSPECTION_COLUMNS = """id, inspected_on, unit_name, industry, inspector_turnouts, documents, hazards_found,
               rectification_ordered, rectification_recorded, random_selected, import_id"""


def revisit_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
    revisit_days: int = 30,
) -> pd.DataFrame:
    """The period's inspections of every unit the county revisited within ``revisit_days``, the most revisited
    units first, each visit with the days since the unit's previous one (also before the period)."""
    return connection.execute(
        f"""
        WITH visits AS (
            SELECT *, inspected_on - lag(inspected_on) OVER (PARTITION BY unit_name ORDER BY inspected_on, id)
                   AS days_since_previous
            FROM inspections
            WHERE county_code = $county AND ($own IS NULL OR county_code = $own)
                  AND inspected_on BETWEEN $look_back AND $end
        ), in_period AS (
            SELECT *, count(*) FILTER (WHERE days_since_previous <= $days) OVER (PARTITION BY unit_name) AS revisits
            FROM visits WHERE inspected_on >= $start
        )
        SELECT {_INSPECTION_COLUMNS}, days_since_previous
        FROM in_period WHERE revisits > 0
        ORDER BY revisits DESC, unit_name, inspected_on, id LIMIT $limit
        """,
        {
            "county": county_code,
            "own": scope.county_code,
            "look_back": start - dt.timedelta(days=revisit_days),
            "start": start,
            "end": end,
            "days": revisit_days,
            "limit": limit,
        },
    ).df()


def period_end_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
    rush_days: int = 10,
    month_end_days: int = 5,
    month_ends: bool = True,
) -> pd.DataFrame:
    """The county's inspections in the period's last ``rush_days`` days or (with ``month_ends``) in the last
    ``month_end_days`` days of their month, newest first, saying which."""
    return connection.execute(
        f"""
        SELECT {_INSPECTION_COLUMNS}, in_period_end, in_month_end FROM (
            SELECT *, inspected_on >= $rush_from AS in_period_end,
                   $month_ends AND dayofmonth(inspected_on) > dayofmonth(last_day(inspected_on)) - $month_end_days
                       AS in_month_end
            FROM inspections
            WHERE county_code = $county AND ($own IS NULL OR county_code = $own)
                  AND inspected_on BETWEEN $start AND $end
        ) WHERE in_period_end OR in_month_end
        ORDER BY inspected_on DESC, id LIMIT $limit
        """,
        {
            "county": county_code,
            "own": scope.county_code,
            "start": start,
            "end": end,
            "rush_from": end - dt.timedelta(days=rush_days - 1),
            "month_end_days": month_end_days,
            "month_ends": month_ends,
            "limit": limit,
        },
    ).df()


# Inspections that a signal counts against the county, by signal: fixed conditions, never user text.
_INSPECTIONS_WHERE = {"no_hazard": "hazards_found = 0", "non_random": "NOT random_selected"}


def _inspections_where(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int,
    condition: str,
) -> pd.DataFrame:
    return connection.execute(
        f"""
        SELECT {_INSPECTION_COLUMNS} FROM inspections
        WHERE county_code = ? AND (?::INTEGER IS NULL OR county_code = ?) AND inspected_on BETWEEN ? AND ?
              AND {_INSPECTIONS_WHERE[condition]}
        ORDER BY inspected_on DESC, id LIMIT ?
        """,
        [county_code, scope.county_code, scope.county_code, start, end, limit],
    ).df()


def no_hazard_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
) -> pd.DataFrame:
    """The county's inspections that found no hazard, newest first."""
    return _inspections_where(connection, scope, county_code, start, end, limit, "no_hazard")


def non_random_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
) -> pd.DataFrame:
    """The county's inspections not chosen by 双随机, newest first."""
    return _inspections_where(connection, scope, county_code, start, end, limit, "non_random")


def overdue_case_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
    overdue_days: int = 90,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The county's cases filed in the period without a penalty decision within ``overdue_days`` (judged on the
    period's end, or today if earlier), longest waiting first, with the days to the decision or to that day."""
    as_of = quality_as_of(end, today)
    return connection.execute(
        """
        SELECT id, filed_on, decided_on, unit_name, violation, CAST(fine_yuan AS DOUBLE) AS fine_yuan,
               inspection_id, rectification_recorded, import_id,
               CASE WHEN decided_on <= $as_of THEN decided_on ELSE $as_of END - filed_on AS days_waiting
        FROM cases
        WHERE county_code = $county AND ($own IS NULL OR county_code = $own)
              AND filed_on BETWEEN $start AND $end AND filed_on < $judged_before
              AND (decided_on IS NULL OR decided_on - filed_on > $days)
        ORDER BY days_waiting DESC, id LIMIT $limit
        """,
        {
            "county": county_code,
            "own": scope.county_code,
            "start": start,
            "end": end,
            "as_of": as_of,
            "judged_before": as_of - dt.timedelta(days=overdue_days),
            "days": overdue_days,
            "limit": limit,
        },
    ).df()


def fined_case_records(
    connection: duckdb.DuckDBPyConnection,
    scope: RecordScope,
    county_code: int,
    start: dt.date,
    end: dt.date,
    limit: int = 1000,
) -> pd.DataFrame:
    """The county's fined cases, the largest fine first, each with its share of the county's fines."""
    return connection.execute(
        """
        SELECT id, filed_on, decided_on, unit_name, violation, CAST(fine_yuan AS DOUBLE) AS fine_yuan,
               inspection_id, rectification_recorded, import_id,
               CAST(fine_yuan AS DOUBLE) / sum(CAST(fine_yuan AS DOUBLE)) OVER () AS share_of_fines
        FROM cases
        WHERE county_code = ? AND (?::INTEGER IS NULL OR county_code = ?) AND filed_on BETWEEN ? AND ? AND fine_yuan > 0
        ORDER BY fine_yuan DESC, id LIMIT ?
        """,
        [county_code, scope.county_code, scope.county_code, start, end, limit],
    ).df()


def counties(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        "SELECT code AS county_code, name AS county, kind, city, province FROM counties ORDER BY sort_order, code"
    ).df()


def import_log(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every import, newest first: who and when, whether it was withdrawn (by whom, why, replaced by which batch),
    and how many of its rows each table holds, counting or withdrawn."""
    return connection.execute(
        """
        WITH held AS (
            SELECT import_id, count(*) AS n FROM (
                SELECT import_id FROM inspections UNION ALL SELECT import_id FROM cases
                UNION ALL SELECT import_id FROM county_summaries
            ) GROUP BY import_id
        ), withdrawn AS (
            SELECT import_id, count(*) AS n FROM (
                SELECT import_id FROM withdrawn_inspections UNION ALL SELECT import_id FROM withdrawn_cases
                UNION ALL SELECT import_id FROM withdrawn_county_summaries
            ) GROUP BY import_id
        )
        SELECT l.id, l.file_name, l.kind, l.row_count, l.period_start, l.period_end, l.imported_at, l.checksum,
               l.imported_by, l.withdrawn_at, l.withdrawn_by, l.withdraw_reason, l.replaced_by,
               coalesce(h.n, 0) AS rows_held, coalesce(w.n, 0) AS rows_withdrawn
        FROM import_log l LEFT JOIN held h ON h.import_id = l.id LEFT JOIN withdrawn w ON w.import_id = l.id
        ORDER BY l.id DESC
        """
    ).df()


def record_span(connection: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    """The first and last dates of any record or summary, or None for an empty database."""
    row = connection.execute(
        """
        SELECT min(first), max(last) FROM (
            SELECT min(inspected_on) AS first, max(inspected_on) AS last FROM inspections
            UNION ALL SELECT min(filed_on), max(filed_on) FROM cases
            UNION ALL SELECT min(period_start), max(period_end) FROM county_summaries
        )
        """
    ).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


def dataset_label(connection: duckdb.DuckDBPyConnection) -> str | None:
    """'示例数据' for the built-in demo database, None for real data."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'dataset'").fetchone()
    return None if row is None else str(row[0])


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The 同比 period: the same dates one year earlier (29 February becomes the 28th).

    >>> same_period_last_year(dt.date(2020, 1, 1), dt.date(2020, 2, 29))
    (datetime.date(2019, 1, 1), datetime.date(2019, 2, 28))
    """
    return _year_earlier(start), _year_earlier(end)


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def city_totals(connection: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The city's five totals for the period and the same period last year, with the 同比 ratio."""
    current = county_measures(connection, start, end)
    return period_totals(current, county_measures(connection, *same_period_last_year(start, end)))


def period_totals(current: pd.DataFrame, previous: pd.DataFrame, counties: Iterable[int] | None = None) -> pd.DataFrame:
    """Totals of two tables of county measures (this period, same period last year) with the 同比 ratio.

    Shared by the city totals, the dashboard's cache and the bulletin, which sums only the chosen counties.
    A year with no figures at all gives no ratio (NaN), never a division by zero. With ``counties`` (codes), only
    those counties' rows are summed.
    """
    this_year, last_year = _totals(current, counties), _totals(previous, counties)
    with np.errstate(divide="ignore", invalid="ignore"):  # no figures last year: no ratio, never a division by 0
        change = np.where((last_year != 0) & ~np.isnan(last_year), (this_year - last_year) / last_year, np.nan)
    return pd.DataFrame({"measure": MEASURES, "current": this_year, "previous": last_year, "change": change})


def _totals(frame: pd.DataFrame, counties: Iterable[int] | None) -> np.ndarray:
    """Each measure's sum over the counties; NaN where no county has a figure (a blank is not a 0), and for all
    of them when no county has records or a summary. Plain arrays: on a small table each pandas step costs more
    than the sums."""
    rows = slice(None) if counties is None else np.isin(frame["county_code"].to_numpy(), np.asarray(list(counties)))
    if (frame["source"].to_numpy()[rows] == "none").all():
        return np.full(len(MEASURES), np.nan)
    values = np.column_stack([frame[m].to_numpy(dtype="float64", na_value=np.nan)[rows] for m in MEASURES])
    some = ~np.isnan(values).all(axis=0)
    return np.where(some, np.nansum(values, axis=0), np.nan)


def latest_record_date(connection: duckdb.DuckDBPyConnection, up_to: dt.date) -> dt.date | None:
    """The last date of any record or summary on or before ``up_to``: where the default view starts, so a
    record dated in the future never moves every reader's first screen to an empty future period."""
    row = connection.execute(
        """
        SELECT max(last) FROM (
            SELECT max(inspected_on) AS last FROM inspections WHERE inspected_on <= $day
            UNION ALL SELECT max(filed_on) FROM cases WHERE filed_on <= $day
            UNION ALL SELECT max(period_end) FROM county_summaries WHERE period_end <= $day
        )
        """,
        {"day": up_to},
    ).fetchone()
    return None if row is None or row[0] is None else row[0]


# Enforcement quality (issue 13): the raw per-county counts behind the six signals; ``scoring.quality`` compares
# them with the pool, applies the margins and minimum counts, and words them.
QUALITY_COUNT_COLUMNS = (
    "inspections",
    "units",
    "revisits",
    "period_end",
    "month_end",
    "no_hazard",
    "random",
    "cases",
    "judged_cases",
    "overdue",
    "decided",
    "fined_cases",
    "fine_yuan",
    "top_fine_yuan",
)

_QUALITY_COUNTS = """
WITH visits AS (  -- from revisit_days before the start, so a visit early in the period sees the one before it
    SELECT county_code, unit_name, inspected_on, hazards_found, random_selected,
           inspected_on - lag(inspected_on) OVER (PARTITION BY county_code, unit_name ORDER BY inspected_on, id)
               AS days_since
    FROM inspections WHERE inspected_on BETWEEN $look_back AND $end {only}
), visited AS (
    SELECT county_code, count(*) AS inspections, count(DISTINCT unit_name) AS units,
           count(*) FILTER (WHERE days_since <= $revisit_days) AS revisits,
           count(*) FILTER (WHERE inspected_on >= $rush_from) AS period_end,
           count(*) FILTER (WHERE dayofmonth(inspected_on) > dayofmonth(last_day(inspected_on)) - $month_end_days)
               AS month_end,
           count(*) FILTER (WHERE hazards_found = 0) AS no_hazard,
           count(*) FILTER (WHERE random_selected) AS random
    FROM visits WHERE inspected_on >= $start GROUP BY county_code
), filed AS (
    SELECT county_code, filed_on, decided_on, fine_yuan,
           row_number() OVER (PARTITION BY county_code ORDER BY fine_yuan DESC, id) AS fine_order
    FROM cases WHERE filed_on BETWEEN $start AND $end {only}
), decided AS (
    SELECT county_code, count(*) AS cases,
           count(*) FILTER (WHERE filed_on < $judged_before) AS judged_cases,
           count(*) FILTER (
               WHERE filed_on < $judged_before AND (decided_on IS NULL OR decided_on - filed_on > $overdue_days)
           ) AS overdue,
           count(*) FILTER (WHERE decided_on <= $as_of) AS decided,
           median(decided_on - filed_on) FILTER (WHERE decided_on <= $as_of) AS median_decision_days,
           count(*) FILTER (WHERE fine_yuan > 0) AS fined_cases,
           CAST(sum(fine_yuan) AS DOUBLE) AS fine_yuan,
           CAST(sum(fine_yuan) FILTER (WHERE fine_order <= $top_cases AND fine_yuan > 0) AS DOUBLE) AS top_fine_yuan
    FROM filed GROUP BY county_code
)
SELECT c.code AS county_code, c.name AS county,
       coalesce(v.inspections, 0) AS inspections, coalesce(v.units, 0) AS units,
       coalesce(v.revisits, 0) AS revisits, coalesce(v.period_end, 0) AS period_end,
       coalesce(v.month_end, 0) AS month_end, coalesce(v.no_hazard, 0) AS no_hazard,
       coalesce(v.random, 0) AS random, coalesce(d.cases, 0) AS cases,
       coalesce(d.judged_cases, 0) AS judged_cases, coalesce(d.overdue, 0) AS overdue,
       coalesce(d.decided, 0) AS decided, d.median_decision_days,
       coalesce(d.fined_cases, 0) AS fined_cases, coalesce(d.fine_yuan, 0) AS fine_yuan,
       coalesce(d.top_fine_yuan, 0) AS top_fine_yuan
FROM counties c
LEFT JOIN visited v ON v.county_code = c.code
LEFT JOIN decided d ON d.county_code = c.code
{only_counties}
ORDER BY c.sort_order, c.code
"""


def with_county_rows(whole: pd.DataFrame, some: pd.DataFrame) -> pd.DataFrame:
    """``whole`` (a row per county) with the rows of ``some`` in place of its own for the same counties: a table
    that a write into a few counties changed, without reading every county again.

    >>> whole = pd.DataFrame({"county_code": [1, 2, 3], "n": [10, 20, 30]})
    >>> with_county_rows(whole, pd.DataFrame({"county_code": [3, 1], "n": [33, 11]}))["n"].tolist()
    [11, 20, 33]
    """
    rows = pd.concat([whole[~whole["county_code"].isin(some["county_code"])], some[whole.columns]])
    return rows.set_index("county_code").loc[whole["county_code"]].reset_index()[whole.columns]


def quality_as_of(end: dt.date, today: dt.date | None = None) -> dt.date:
    """The day overdue cases are judged on: the period's end, or today for a period still running.

    >>> quality_as_of(dt.date(2020, 6, 30), dt.date(2026, 1, 1))
    datetime.date(2020, 6, 30)
    >>> quality_as_of(dt.date(2026, 6, 30), dt.date(2026, 3, 1))
    datetime.date(2026, 3, 1)
    """
    return min(end, today or dt.date.today())


def quality_counts(
    connection: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
    revisit_days: int = 30,
    rush_days: int = 10,
    month_end_days: int = 5,
    overdue_days: int = 90,
    top_cases: int = 3,
    counties: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Per county (of ``counties``, if given), the counts behind the enforcement-quality signals for the period,
    from records only.

    Inspections in the period: how many, distinct units, revisits (the same county inspected the same unit at most
    ``revisit_days`` earlier, looking back before the start too), those in the period's last ``rush_days`` days and
    in the last ``month_end_days`` days of their month, those with no hazard found, those chosen by 双随机.
    Cases filed in the period: how many; judged (their ``overdue_days`` had run out by the period's end or today,
    whichever is earlier); overdue among those (no decision within ``overdue_days``); decided by then and the median
    days from filing to decision; fined, their fines and the ``top_cases`` largest fines, in yuan.
    """
    as_of = quality_as_of(end, today)
    parameters = {
        "start": start,
        "end": end,
        "look_back": start - dt.timedelta(days=revisit_days),
        "revisit_days": revisit_days,
        "rush_from": end - dt.timedelta(days=rush_days - 1),
        "month_end_days": month_end_days,
        "judged_before": as_of - dt.timedelta(days=overdue_days),
        "overdue_days": overdue_days,
        "as_of": as_of,
        "top_cases": top_cases,
    }
    if counties is None:
        query = _QUALITY_COUNTS.format(only="", only_counties="")
    else:
        query = _QUALITY_COUNTS.format(only=_ONLY, only_counties=_ONLY_CODES)
        parameters["counties"] = sorted(counties)
    frame = connection.execute(query, parameters).df()
    for column in QUALITY_COUNT_COLUMNS:
        if column not in ("fine_yuan", "top_fine_yuan"):
            frame[column] = frame[column].astype("int64")
    frame["median_decision_days"] = frame["median_decision_days"].astype("float64")
    return frame


# What a write changed: which results a new version may take over from the one before ------------------------------

LONGEST_LOOK_BACK = dt.timedelta(days=366)  # revisits look back at most 365 days (scoring.quality's thresholds)


def earliest_read(start: dt.date, end: dt.date) -> dt.date:
    """The first day any figure of the period ``start``–``end`` reads: the periods of its kind before it (places
    over time), the same period last year (同比) and the revisits' look-back. Every query of a period reads only
    records dated from here to ``end``, summaries of those periods, and the counties, schemes and meta tables.

    >>> earliest_read(dt.date(2020, 1, 1), dt.date(2020, 6, 30))  # four half-years back
    datetime.date(2018, 7, 1)
    >>> earliest_read(dt.date(2020, 3, 5), dt.date(2020, 3, 20))  # no kind of period: last year's dates
    datetime.date(2019, 3, 5)
    """
    firsts = [same_period_last_year(start, end)[0], start - LONGEST_LOOK_BACK]
    return min(firsts + [first for first, _ in preceding_periods(start, end)])


@dataclass(frozen=True)
class Change:
    """What the writes between two published versions touched: nothing, records of ``counties`` dated
    ``first``–``last``, or ``everything`` (counties, schemes, meta, or batches rewritten, as a restore does)."""

    first: dt.date | None = None
    last: dt.date | None = None
    everything: bool = False
    counties: frozenset[int] = frozenset()

    def touches(self, start: dt.date, end: dt.date) -> bool:
        """Whether a result of the period ``start``–``end`` may read anything this change touched."""
        if self.everything:
            return True
        if self.first is None or self.last is None:
            return False
        return self.first <= end and self.last >= earliest_read(start, end)


EVERYTHING = Change(everything=True)
_WHOLE_TABLES = {  # changed only as a whole by writes that are not batches
    "counties": "hash(code, name, kind, city, province, sort_order)",
    "schemes": "hash(name, version, toml)",
    "meta": "hash(key, value)",
}


def change_between(older: duckdb.DuckDBPyConnection, newer: duckdb.DuckDBPyConnection) -> Change:
    """What was written between two snapshots of one store, from the data itself: batches imported or withdrawn
    and the dates of their rows (live or withdrawn, as the newer snapshot has them). Anything else that differs
    (counties, schemes, meta, a batch of the older snapshot missing or rewritten in the newer) is everything.
    Accounts and the write log are not read by any figure, so their changes touch nothing."""
    # One query a snapshot: the first queries on a newly opened snapshot are what a first page run waits for.
    query = "SELECT " + ", ".join(
        f"(SELECT [count(*), coalesce(sum({row_hash}), 0)] FROM {table})" for table, row_hash in _WHOLE_TABLES.items()
    )
    if older.execute(query).fetchone() != newer.execute(query).fetchone():
        return EVERYTHING
    query = "SELECT id, checksum, row_count, withdrawn_at IS NULL FROM import_log"
    before = {row[0]: row[1:] for row in older.execute(query).fetchall()}
    after = {row[0]: row[1:] for row in newer.execute(query).fetchall()}
    if any(batch not in after or after[batch][:2] != kept[:2] for batch, kept in before.items()):
        return EVERYTHING
    moved = [batch for batch, now in after.items() if before.get(batch) != now]
    if not moved:
        return Change()
    spans = " UNION ALL ".join(
        f"SELECT min({first}), max({last}), list(DISTINCT county_code) FROM {table}"
        " WHERE import_id IN (SELECT unnest($batches))"
        for name, first, last in (
            ("inspections", "inspected_on", "inspected_on"),
            ("cases", "filed_on", "filed_on"),
            ("county_summaries", "period_start", "period_end"),
        )
        for table in (name, f"withdrawn_{name}")
    )
    first, last, counties = newer.execute(
        f"SELECT min(f), max(l), flatten(list(c)) FROM ({spans}) AS spans(f, l, c)", {"batches": moved}
    ).fetchone()
    return Change(first, last, counties=frozenset(counties or ()))
