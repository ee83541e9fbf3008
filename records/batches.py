"""Taking back a wrong batch: withdrawal and replacement, run inside a ``Store.transaction``.

Nothing is deleted: a withdrawn batch's rows move to the ``withdrawn_*`` tables, and its import-log row keeps who
withdrew it, when and why (and, for a replacement, which batch replaced it). Its ids and summary periods are then
free for a corrected file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from records.importer import ImportOutcome, import_file
from records.schema import WITHDRAWN_TABLES


class BatchError(ValueError):
    """A withdrawal that cannot be done; the message is one line in Chinese."""


@dataclass(frozen=True)
class Withdrawal:
    batch: int
    file_name: str
    rows: int


def withdraw_batch(connection: duckdb.DuckDBPyConnection, batch: int, reason: str) -> Withdrawal:
    """Withdraw one batch inside the caller's transaction; who is the transaction's actor."""
    reason = reason.strip()
    if not reason:
        raise BatchError("请写明撤销原因（--reason），未做任何更改。")
    found = connection.execute(
        "SELECT file_name, withdrawn_at, withdrawn_by FROM import_log WHERE id = ?", [batch]
    ).fetchall()
    if not found:
        raise BatchError(f"没有批次 {batch}，未做任何更改。批次号见导入记录（数据管理页）。")
    file_name, withdrawn_at, withdrawn_by = found[0]
    if withdrawn_at is not None:
        raise BatchError(f"批次 {batch} 已于 {withdrawn_at:%Y-%m-%d %H:%M} 由{withdrawn_by}撤销，未做任何更改。")
    moved = 0
    for table, withdrawn in WITHDRAWN_TABLES.items():  # fixed table names, never user text
        connection.execute(f"INSERT INTO {withdrawn} BY NAME SELECT * FROM {table} WHERE import_id = ?", [batch])
        moved += int(connection.execute(f"DELETE FROM {table} WHERE import_id = ?", [batch]).fetchall()[0][0])
    connection.execute(
        """
        UPDATE import_log SET withdrawn_at = now()::TIMESTAMP, withdrawn_by = getvariable('write_actor'),
                              withdraw_reason = ?
        WHERE id = ?
        """,
        [reason, batch],
    )
    return Withdrawal(batch, str(file_name), moved)


def replace_batch(
    connection: duckdb.DuckDBPyConnection,
    batch: int,
    source: str | Path | bytes,
    reason: str = "",
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    file_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportOutcome:
    """Withdraw ``batch`` and import ``source`` in the caller's transaction: the caller rolls back unless imported.

    The withdrawal comes first, so the corrected file's ids and periods no longer count as duplicates.
    """
    withdrawal = withdraw_batch(connection, batch, reason or f"由新文件更正替换（批次 {batch}）")
    outcome = import_file(
        connection, source, kind=kind, start=start, end=end, file_name=file_name, progress=progress, transaction=False
    )
    if outcome.status == "imported":
        connection.execute("UPDATE import_log SET replaced_by = ? WHERE id = ?", [outcome.import_id, batch])
        outcome.message += f"，并撤销了被替换的批次 {batch}（{withdrawal.file_name}，{withdrawal.rows} 行）"
    return outcome
