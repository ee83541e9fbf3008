"""Every question the app asks the database, each a named function with parameters, returning a DataFrame.

Aggregation happens in DuckDB; only what is shown comes back to pandas. A function that returns individual
inspections or cases (or their ids) takes the reader's ``RecordScope``, required, and adds it as a query parameter:
a county user gets only their own county's rows, whatever county is asked for. Figures per county stay city-wide.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from records.access import RecordScope

MEASURES = ("inspections", "inspector_turnouts", "documents", "cases", "fines")
SOURCE_LABELS = {"records": "执法记录", "summary": "报送汇总", "none": "无记录"}

_COUNTY_MEASURES = """
WITH visits AS (
    SELECT county_code, count(*) AS inspections,
           sum(inspector_turnouts) AS inspector_turnouts, sum(documents) AS documents
    FROM inspections WHERE inspected_on BETWEEN $start AND $end GROUP BY county_code
), filed AS (
    SELECT county_code, count(*) AS cases, sum(fine_yuan) AS fine_yuan
    FROM cases WHERE filed_on BETWEEN $start AND $end GROUP BY county_code
), reported AS (
    SELECT * FROM county_summaries WHERE period_start = $start AND period_end = $end
), sourced AS (
    SELECT c.code, c.name, c.kind, c.sort_order, v.inspections AS v_inspections,
           v.inspector_turnouts AS v_turnouts, v.documents AS v_documents, f.cases AS f_cases,
           f.fine_yuan AS f_fine_yuan, r.*,
           CASE WHEN v.county_code IS NOT NULL OR f.county_code IS NOT NULL THEN 'records'
                WHEN r.county_code IS NOT NULL THEN 'summary' ELSE 'none' END AS source
    FROM counties c
    LEFT JOIN visits v ON v.county_code = c.code
    LEFT JOIN filed f ON f.county_code = c.code
    LEFT JOIN reported r ON r.county_code = c.code
)
SELECT code AS county_code, name AS county, kind, source,
       CASE source WHEN 'summary' THEN inspections ELSE coalesce(v_inspections, 0) END AS inspections,
       CASE source WHEN 'summary' THEN inspector_turnouts ELSE coalesce(v_turnouts, 0) END AS inspector_turnouts,
       CASE source WHEN 'summary' THEN documents ELSE coalesce(v_documents, 0) END AS documents,
       CASE source WHEN 'summary' THEN cases ELSE coalesce(f_cases, 0) END AS cases,
       CAST(CASE source WHEN 'summary' THEN fine_yuan ELSE coalesce(f_fine_yuan, 0) END AS DOUBLE) / 10000 AS fines
FROM sourced
ORDER BY sort_order, code
"""


def county_measures(connection: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Each county's five measures for the period (fines in 万元), and where each row's figures come from.

    Records are used wherever a county has any in the period; a reported summary for exactly this period
    fills in for a county without records; a county with neither shows zeros with source ``none``.
    """
    frame = connection.execute(_COUNTY_MEASURES, {"start": start, "end": end}).df()
    for column in ("inspections", "inspector_turnouts", "documents", "cases"):
        frame[column] = frame[column].astype("Int64")
    return frame


def published_summary(connection: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The summary filed for exactly this period (such as a published attachment), with its file name."""
    return connection.execute(
        """
        SELECT c.code AS county_code, c.name AS county, s.inspections, s.inspector_turnouts, s.documents, s.cases,
               CAST(s.fine_yuan AS DOUBLE) / 10000 AS fines, l.file_name
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


def period_totals(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Totals of two tables of county measures (this period, same period last year) with the 同比 ratio.

    Shared by the city totals, the dashboard's cache and the bulletin, which sums only the chosen counties.
    A year with no figures at all gives no ratio (NaN), never a division by zero.
    """
    rows = []
    for measure in MEASURES:
        this_year = _total(current, measure)
        last_year = _total(previous, measure)
        ratio = (this_year - last_year) / last_year if last_year and last_year == last_year else float("nan")
        rows.append({"measure": measure, "current": this_year, "previous": last_year, "change": ratio})
    return pd.DataFrame(rows)


def _total(frame: pd.DataFrame, measure: str) -> float:
    if (frame["source"] == "none").all():
        return float("nan")
    values = pd.to_numeric(frame[measure], errors="coerce")
    return float("nan") if values.isna().all() else float(values.sum())


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
