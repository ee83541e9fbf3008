"""Scoring schemes stored with the data: versioned, append-only, chosen by the period they score.

A scheme is saved as the TOML text it was given (``scoring.scheme`` reads it); saving a scheme under a name that
exists stores the next version of it, and nothing is ever overwritten. Which scheme scores a period: the latest
version of each stored scheme, then the one in effect on the period's last day (``scoring.scheme_in_effect``);
a store that has none for the day (or predates the schemes table) scores with the shipped default, and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from scoring import SchemeError, ScoringRule, scheme_from_toml, scheme_in_effect
from scoring.scheme import DEFAULT_SCHEME_FILE, read_scheme_file

BUILT_IN = "内置默认方案"


class SchemeNotFound(LookupError):
    """No stored scheme of that name (or version); the message is one line in Chinese."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class StoredScheme:
    """One version of a scheme: its text as given, the scheme it reads as, who saved it and when.

    ``version`` is None for a scheme that is not stored: the shipped default (used where the store holds no scheme
    for a period) or a file given on the command line; ``origin`` then says which.
    """

    name: str
    version: int | None
    text: str
    rule: ScoringRule
    saved_by: str = ""
    saved_at: dt.datetime | None = None
    origin: str = BUILT_IN

    def label(self, lang: str = "zh") -> str:
        """The scheme and its version as every page, export and the bulletin name it: 某方案（第2版）.

        >>> built_in_scheme().label("en")
        '驻马店市安全生产执法考核（通报附件规则） (built-in default)'
        """
        if self.version is not None:
            return f"{self.name}（第{self.version}版）" if lang == "zh" else f"{self.name} (version {self.version})"
        if lang == "zh":
            return f"{self.name}（{self.origin}）"
        return f"{self.name} ({'built-in default' if self.origin == BUILT_IN else self.origin})"


def built_in_scheme() -> StoredScheme:
    text = DEFAULT_SCHEME_FILE.read_text(encoding="utf-8")
    rule = scheme_from_toml(text)
    return StoredScheme(rule.name, None, text, rule, BUILT_IN)


def file_scheme(path: Path) -> StoredScheme:
    """A scheme read from a TOML file, not stored; ``SchemeError`` (one line) when it cannot be used."""
    rule = read_scheme_file(path)
    return StoredScheme(rule.name, None, path.read_text(encoding="utf-8-sig"), rule, origin=f"文件“{path.name}”")


def _has_schemes_table(connection: duckdb.DuckDBPyConnection) -> bool:
    rows = connection.execute(
        "SELECT 1 FROM duckdb_tables() WHERE table_name = 'schemes' AND schema_name = 'main' "
        "AND database_name = current_database()"
    ).fetchall()
    return bool(rows)


def scheme_versions(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every stored version, oldest first: name, version, saved_by, saved_at, effective_from, effective_to."""
    columns = ["name", "version", "saved_by", "saved_at", "effective_from", "effective_to"]
    if not _has_schemes_table(connection):
        return pd.DataFrame(columns=columns)
    return connection.execute(
        f"SELECT {', '.join(columns)} FROM schemes ORDER BY saved_at, name, version"  # fixed names
    ).df()


def _read(row: tuple[object, ...]) -> StoredScheme:
    name, version, text, saved_by, saved_at = row
    return StoredScheme(str(name), int(version), str(text), scheme_from_toml(str(text)), str(saved_by), saved_at)  # type: ignore[arg-type]


_COLUMNS = "name, version, toml, saved_by, saved_at"


def latest_schemes(connection: duckdb.DuckDBPyConnection) -> list[StoredScheme]:
    """The latest version of each stored scheme, in the order they were saved (the last saved last)."""
    if not _has_schemes_table(connection):
        return []
    rows = connection.execute(
        f"""
        SELECT {_COLUMNS} FROM schemes
        QUALIFY version = max(version) OVER (PARTITION BY name)
        ORDER BY saved_at, name
        """
    ).fetchall()
    return [_read(row) for row in rows]


def scheme_for_period(connection: duckdb.DuckDBPyConnection, end: dt.date) -> StoredScheme:
    """The scheme that scores a period ending on ``end``: of the latest versions, the one in effect that day."""
    latest = latest_schemes(connection)
    chosen = scheme_in_effect([stored.rule for stored in latest], end)
    for stored in reversed(latest):
        if stored.rule is chosen:
            return stored
    return built_in_scheme()


def find_scheme(connection: duckdb.DuckDBPyConnection, name: str, version: int | None = None) -> StoredScheme:
    """A stored scheme by name, its latest version unless ``version`` is given; SchemeNotFound otherwise."""
    found = []
    if _has_schemes_table(connection):
        found = connection.execute(
            f"SELECT {_COLUMNS} FROM schemes WHERE name = ? AND (? IS NULL OR version = ?) "
            "ORDER BY version DESC LIMIT 1",
            [name, version, version],
        ).fetchall()
    if not found:
        names = "、".join(f"“{stored.name}”" for stored in latest_schemes(connection)) or "（无）"
        which = f"第{version}版" if version is not None else ""
        raise SchemeNotFound(f"没有名为“{name}”的评分方案{which}。已保存的方案：{names}")
    return _read(found[0])


@dataclass(frozen=True)
class SavedScheme:
    """What a save did: the version it stored, or the version it equals (then nothing was stored)."""

    scheme: StoredScheme
    stored: bool

    def message(self) -> str:
        if self.stored:
            return f"已保存评分方案“{self.scheme.name}”第{self.scheme.version}版。"
        return f"评分方案“{self.scheme.name}”与已保存的第{self.scheme.version}版相同，未保存新版本。"


def save_scheme(connection: duckdb.DuckDBPyConnection, text: str, saved_by: str | None = None) -> SavedScheme:
    """Store ``text`` as the next version of the scheme it names, inside the caller's write transaction.

    The text is checked first (``SchemeError``, one line naming the key, and nothing is stored) and kept exactly
    as given. Who saved it is ``saved_by``, else the actor of the store's transaction. A text equal to the latest
    version of its name stores nothing.
    """
    rule = scheme_from_toml(text)
    latest = connection.execute(
        "SELECT version, toml FROM schemes WHERE name = ? ORDER BY version DESC LIMIT 1", [rule.name]
    ).fetchall()
    if latest and latest[0][1] == text:
        return SavedScheme(find_scheme(connection, rule.name, int(latest[0][0])), stored=False)
    version = int(latest[0][0]) + 1 if latest else 1
    connection.execute(
        """
        INSERT INTO schemes
        VALUES (?, ?, ?, coalesce(?, getvariable('write_actor'), '（未记录）'), now()::TIMESTAMP, ?, ?)
        """,
        [rule.name, version, text, saved_by, rule.effective_from, rule.effective_to],
    )
    return SavedScheme(find_scheme(connection, rule.name, version), stored=True)


__all__ = [
    "BUILT_IN",
    "SavedScheme",
    "SchemeError",
    "SchemeNotFound",
    "StoredScheme",
    "built_in_scheme",
    "file_scheme",
    "find_scheme",
    "latest_schemes",
    "save_scheme",
    "scheme_for_period",
    "scheme_versions",
]
