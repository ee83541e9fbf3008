"""The audit trail: an append-only table of who did what, in a small DuckDB file of its own beside the store.

It sits apart from the enforcement data so that a sign-in or a download never waits for an import and never
makes a new data version. Every process appends under one file lock and closes at once, so any number of
dashboard processes and commands share it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

ACTIONS = {
    "sign_in": ("登录", "sign-in"),
    "sign_in_failed": ("登录失败", "failed sign-in"),
    "sign_in_locked": ("锁定期间尝试登录", "sign-in while locked"),
    "lockout": ("用户名锁定", "lock-out"),
    "sign_out": ("退出登录", "sign-out"),
    "identity_refused": ("统一认证账号未开通", "unknown identity refused"),
    "remote_refused": ("未设账户时拒绝非本机访问", "remote browser refused (no accounts)"),
    "import": ("导入数据", "import"),
    "withdraw": ("撤销批次", "withdrawal"),
    "replace": ("更正批次", "replacement"),
    "scheme_change": ("修改评分规则", "scoring scheme change"),
    "account_change": ("账户变更", "account change"),
    "record_download": ("下载明细数据", "record-level download"),
    "backup": ("备份", "backup"),
    "restore": ("恢复", "restore"),
    "init": ("创建数据库", "store created"),
}
OUTCOMES = {"ok": ("成功", "done"), "failed": ("失败", "failed"), "refused": ("拒绝", "refused")}
WAIT_SECONDS = 10.0

_SCHEMA = (
    "CREATE SEQUENCE IF NOT EXISTS audit_ids",
    """
    CREATE TABLE IF NOT EXISTS audit (
        id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        happened_at TIMESTAMP NOT NULL,
        user_name VARCHAR NOT NULL,
        role VARCHAR,
        action VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        file_name VARCHAR,
        batch INTEGER,
        county VARCHAR,
        row_count BIGINT,
        details VARCHAR,
        address VARCHAR
    )
    """,
)


class AuditUnavailable(RuntimeError):
    """The audit trail cannot be written or read; the message is one Chinese sentence."""


def audit_path(primary: Path) -> Path:
    """The audit file beside a store's primary file: ``data/enforcement.duckdb`` → ``data/enforcement.audit.duckdb``."""
    return primary.with_name(f"{primary.stem}.audit.duckdb")


class AuditLog:
    def __init__(self, path: Path, wait_seconds: float = WAIT_SECONDS) -> None:
        self.path = path
        self.wait_seconds = wait_seconds

    @classmethod
    def beside(cls, primary: Path) -> AuditLog:
        return cls(audit_path(primary))

    @contextmanager
    def _open(self, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file under its lock: readers and writers alike, since DuckDB lets no one read while a process writes."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with lock_path.open("a") as lock:
                _wait_for_lock(lock.fileno(), self.wait_seconds)
                if not write and not self.path.exists():
                    write = True  # a first read creates the empty table
                connection = duckdb.connect(str(self.path), read_only=not write)
                try:
                    if write:
                        for statement in _SCHEMA:
                            connection.execute(statement)
                    yield connection
                finally:
                    connection.close()
        except (OSError, duckdb.Error) as error:
            raise AuditUnavailable(f"审计日志无法{'写入' if write else '读取'}（{_reason(error)}），本次操作未进行") from error

    def record(
        self,
        user: str,
        action: str,
        outcome: str = "ok",
        *,
        role: str | None = None,
        file_name: str | None = None,
        batch: int | None = None,
        county: str | None = None,
        row_count: int | None = None,
        details: str | None = None,
        address: str | None = None,
    ) -> None:
        """Append one row; nothing here updates or deletes a row."""
        if action not in ACTIONS or outcome not in OUTCOMES:
            raise ValueError(f"unknown audit action or outcome: {action}, {outcome}")
        with self._open(write=True) as connection:
            connection.execute(
                "INSERT INTO audit (happened_at, user_name, role, action, outcome, file_name, batch, county, row_count, details,"
                " address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [dt.datetime.now(), user, role, action, outcome, file_name, batch, county, row_count, details, address],
            )

    def entries(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        user: str | None = None,
        actions: tuple[str, ...] = (),
        limit: int = 5000,
    ) -> pd.DataFrame:
        """The newest rows first, filtered by day, user and actions."""
        with self._open(write=False) as connection:
            return connection.execute(
                """
                SELECT id, happened_at, user_name, role, action, outcome, file_name, batch, county, row_count, details, address
                FROM audit
                WHERE ($since IS NULL OR happened_at >= CAST($since AS TIMESTAMP))
                  AND ($until IS NULL OR happened_at < CAST($until AS TIMESTAMP) + INTERVAL 1 DAY)
                  AND ($user IS NULL OR user_name = $user)
                  AND (len($actions) = 0 OR list_contains($actions, action))
                ORDER BY id DESC LIMIT $limit
                """,
                {"since": since, "until": until, "user": user, "actions": list(actions), "limit": limit},
            ).df()

    def failures_in_a_row(self, user: str, horizon_hours: int = 24) -> int:
        """Failed sign-ins for a name since its last success or lock-out, within the horizon."""
        with self._open(write=False) as connection:
            row = connection.execute(
                """
                SELECT count(*) FROM audit
                WHERE user_name = $user AND action = 'sign_in_failed'
                  AND happened_at > now()::TIMESTAMP - to_hours(CAST($hours AS BIGINT))
                  AND happened_at > coalesce((SELECT max(happened_at) FROM audit WHERE user_name = $user
                                     AND action IN ('sign_in', 'lockout')), TIMESTAMP '1970-01-01')
                """,
                {"user": user, "hours": horizon_hours},
            ).fetchone()
        return int(row[0]) if row else 0

    def locked_until(self, user: str, minutes: int) -> dt.datetime | None:
        """When a name's current lock-out ends, or None when it is not locked."""
        with self._open(write=False) as connection:
            row = connection.execute(
                "SELECT max(happened_at) FROM audit WHERE user_name = ? AND action = 'lockout'", [user]
            ).fetchone()
        if row is None or row[0] is None:
            return None
        until: dt.datetime = row[0] + dt.timedelta(minutes=minutes)
        return until if until > dt.datetime.now() else None


def _wait_for_lock(descriptor: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OSError("审计日志正被其他进程占用") from None
            time.sleep(0.02)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno == 28:
        return "磁盘已满"
    if isinstance(error, OSError) and error.errno in (13, 30):
        return "文件或文件夹只读"
    if isinstance(error, OSError) and error.strerror is None:
        return str(error)
    return "文件损坏或无法打开"


def action_label(action: str, lang: str = "zh") -> str:
    chinese, english = ACTIONS.get(action, (action, action))
    return english if lang == "en" else chinese


def outcome_label(outcome: str, lang: str = "zh") -> str:
    chinese, english = OUTCOMES.get(outcome, (outcome, outcome))
    return english if lang == "en" else chinese
