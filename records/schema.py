"""The tables of the enforcement database.

Record tables carry no primary-key index: at ten million rows an index costs memory and import time, while
imports check duplicate ids with one anti-join, and DuckDB's per-block min/max on dates serves range filters.
County codes are integers (administrative codes have no leading zero) so grouping stays cheap.
"""

from __future__ import annotations

import duckdb

SCHEMA_VERSION = "1"

STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS counties (
        code INTEGER PRIMARY KEY,
        name VARCHAR NOT NULL UNIQUE,
        kind VARCHAR NOT NULL,
        city VARCHAR NOT NULL,
        province VARCHAR NOT NULL,
        sort_order INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS import_log (
        id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        checksum VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        row_count BIGINT NOT NULL,
        period_start DATE,
        period_end DATE,
        imported_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS inspections (
        id VARCHAR NOT NULL,
        county_code INTEGER NOT NULL,
        inspected_on DATE NOT NULL,
        unit_name VARCHAR NOT NULL,
        industry VARCHAR,
        inspector_turnouts INTEGER NOT NULL,
        documents INTEGER NOT NULL,
        hazards_found INTEGER NOT NULL,
        rectification_ordered BOOLEAN NOT NULL,
        rectification_recorded BOOLEAN NOT NULL,
        random_selected BOOLEAN NOT NULL,
        import_id INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS cases (
        id VARCHAR NOT NULL,
        county_code INTEGER NOT NULL,
        filed_on DATE NOT NULL,
        decided_on DATE,
        inspection_id VARCHAR,
        unit_name VARCHAR NOT NULL,
        violation VARCHAR,
        fine_yuan DECIMAL(18, 2) NOT NULL,
        rectification_recorded BOOLEAN NOT NULL,
        import_id INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS county_summaries (
        county_code INTEGER NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        inspections BIGINT,
        inspector_turnouts BIGINT,
        documents BIGINT,
        cases BIGINT,
        fine_yuan DECIMAL(18, 2),
        import_id INTEGER NOT NULL,
        PRIMARY KEY (county_code, period_start, period_end)
    )
    """,
)


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in STATEMENTS:
        connection.execute(statement)
    connection.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING", [SCHEMA_VERSION])
