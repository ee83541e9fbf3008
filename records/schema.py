"""The tables of the enforcement database, and the migration from the previous release.

Record tables carry no primary-key index: at ten million rows an index costs memory and import time, while
imports check duplicate ids with one anti-join, and DuckDB's per-block min/max on dates serves range filters.
County codes are integers (administrative codes have no leading zero) so grouping stays cheap.

A withdrawn batch's rows move to the ``withdrawn_*`` tables in the same transaction that marks the batch in
``import_log``: they stay stored, stop counting everywhere at once, free their ids and summary periods for a
corrected file, and cost the queries nothing (measured: a flag or an anti-join on withdrawn batch ids added 1–3 ms
to a 14 ms half-year ranking at ten million records, past the 1.3× budget).
"""

from __future__ import annotations

import duckdb

from scoring.catalogue import CATALOGUE

SCHEMA_VERSION = "3"  # 2: batches withdrawn and logged by whom; 3: schemes, accounts, summaries of any measure

RECORD_TABLES = ("inspections", "cases", "county_summaries")
WITHDRAWN_TABLES = {table: f"withdrawn_{table}" for table in RECORD_TABLES}

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
    "CREATE SEQUENCE IF NOT EXISTS import_log_ids START WITH 1",
    """
    CREATE TABLE IF NOT EXISTS import_log (
        id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        checksum VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        row_count BIGINT NOT NULL,
        period_start DATE,
        period_end DATE,
        imported_at TIMESTAMP NOT NULL,
        imported_by VARCHAR,
        withdrawn_at TIMESTAMP,
        withdrawn_by VARCHAR,
        withdraw_reason VARCHAR,
        replaced_by INTEGER
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
    # Scoring schemes, versioned and append-only: a saved change is a new version; nothing is overwritten.
    # ``toml`` is the text exactly as it was given (comments and all); the dates are read from it, for choosing.
    """
    CREATE TABLE IF NOT EXISTS schemes (
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        toml VARCHAR NOT NULL,
        saved_by VARCHAR NOT NULL,
        saved_at TIMESTAMP NOT NULL,
        effective_from DATE,
        effective_to DATE,
        PRIMARY KEY (name, version)
    )
    """,
    # Every committed write: the store's version number, who, what and when.
    """
    CREATE TABLE IF NOT EXISTS write_log (
        version INTEGER PRIMARY KEY,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        written_at TIMESTAMP NOT NULL
    )
    """,
    # Who may sign in (records.accounts): an argon2id hash, never a password; a county user's one county.
    """
    CREATE TABLE IF NOT EXISTS accounts (
        name VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        county_code INTEGER,
        password_hash VARCHAR,
        oidc_identity VARCHAR,
        disabled BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        changed_by VARCHAR NOT NULL
    )
    """,
)

# Columns import_log gained in schema version 2.
IMPORT_LOG_ADDITIONS = (
    ("imported_by", "VARCHAR"),
    ("withdrawn_at", "TIMESTAMP"),
    ("withdrawn_by", "VARCHAR"),
    ("withdraw_reason", "VARCHAR"),
    ("replaced_by", "INTEGER"),
)


# A county summary may carry any measure of the catalogue: the five of the attachment's era are columns of the
# CREATE TABLE above, the others are added columns (counts whole, rates as given), here and in the withdrawn twin.
SUMMARY_ADDITIONS = tuple(
    (key, "DOUBLE" if measure.is_rate else "BIGINT")
    for key, measure in CATALOGUE.items()
    if key not in ("inspections", "inspector_turnouts", "documents", "cases", "fines")
)


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the current schema (idempotent); a store of schema 1 is upgraded first.

    A store without any scoring scheme gets the shipped default (``data/schemes/default.toml``).
    """
    if _has_table(connection, "import_log") and not _has_column(connection, "import_log", "imported_by"):
        _upgrade_from_1(connection)
    for statement in STATEMENTS:
        connection.execute(statement)
    _create_withdrawn_tables(connection)
    for table in ("county_summaries", WITHDRAWN_TABLES["county_summaries"]):
        for column, kind in SUMMARY_ADDITIONS:
            if not _has_column(connection, table, column):
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")  # catalogue names only
    _load_default_scheme(connection)
    connection.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_VERSION],
    )


def is_older_schema(version: str | None) -> bool:
    """Whether a store written by an earlier release needs ``create_schema`` before this one reads it."""
    return version is None or (version.isdigit() and int(version) < int(SCHEMA_VERSION))


def _load_default_scheme(connection: duckdb.DuckDBPyConnection) -> None:
    if connection.execute("SELECT count(*) FROM schemes").fetchall()[0][0]:
        return
    from scoring.scheme import DEFAULT_SCHEME_FILE, scheme_from_toml

    text = DEFAULT_SCHEME_FILE.read_text(encoding="utf-8")
    scheme = scheme_from_toml(text)
    connection.execute(
        "INSERT INTO schemes VALUES (?, 1, ?, ?, now()::TIMESTAMP, ?, ?)",
        [scheme.name, text, DEFAULT_SCHEME_ACTOR, scheme.effective_from, scheme.effective_to],
    )


DEFAULT_SCHEME_ACTOR = "系统（随数据库载入的默认方案）"


def schema_version(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The schema a database file was written with; None for a file without the meta table. Asked of the table
    itself: listing the catalog costs 10–20 ms at 10 million records, on the first page run of every version.
    Outside a transaction only, since the error of a missing table would end one."""
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:
        return None
    return str(row[0][0]) if row else None


def _upgrade_from_1(connection: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 (the previous release): import_log ids were max + 1 and batches could not be withdrawn."""
    for column, kind in IMPORT_LOG_ADDITIONS:
        connection.execute(f"ALTER TABLE import_log ADD COLUMN {column} {kind}")  # fixed names, never user text
    connection.execute("UPDATE import_log SET imported_by = '（升级前导入，未记录）'")
    next_id = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM import_log").fetchall()[0][0]
    connection.execute(f"CREATE SEQUENCE IF NOT EXISTS import_log_ids START WITH {int(next_id)}")
    connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])


def _create_withdrawn_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Same columns as the record tables, without keys: a period may be withdrawn more than once."""
    for table, withdrawn in WITHDRAWN_TABLES.items():
        if not _has_table(connection, withdrawn):
            connection.execute(f"CREATE TABLE {withdrawn} AS SELECT * FROM {table} LIMIT 0")


_HERE = "schema_name = 'main' AND database_name = current_database()"


def _has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    rows = connection.execute(f"SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND {_HERE}", [table]).fetchall()
    return bool(rows)


def _has_column(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    rows = connection.execute(
        f"SELECT 1 FROM duckdb_columns() WHERE table_name = ? AND column_name = ? AND {_HERE}", [table, column]
    ).fetchall()
    return bool(rows)
