"""The audit trail: an append-only table of who did what, in a small DuckDB file of its own beside the store.

It sits apart from the enforcement data so that a sign-in or a download never waits for an import and never
makes a new data version. Every process appends under one file lock and closes at once, so any number of
dashboard processes and commands share it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from records.access import Identity
from records.db import DAMAGED, DISK_FULL, READ_ONLY, DatabaseError, fault_message

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
    "write": ("写入数据", "write"),
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


class AuditUnavailable(DatabaseError):
    """The audit trail cannot be written or read; the message is one Chinese sentence, without a path."""


@dataclass
class AuditEntry:
    """What one audited operation was about; a write's body fills in what it learns (the batch, the rows)."""

    action: str
    file_name: str | None = None
    batch: int | None = None
    county: str | None = None
    row_count: int | None = None
    details: str | None = None
    address: str | None = None  # the browser's, when it came through the dashboard


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
        """The file under its lock: readers and writers alike, since DuckDB lets no one read while a process writes.

        A trail not yet written reads as empty (nothing is created to read it); the first write creates the file
        whole, beside it and renamed into place, so a full disk never leaves half a file behind.
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            with _locked(lock_path, write, self.wait_seconds):
                if not self.path.exists():
                    if not write:
                        with duckdb.connect() as empty:
                            _create_schema(empty)
                            yield empty
                        return
                    self._create()
                connection = duckdb.connect(str(self.path), read_only=not write)
                try:
                    yield connection
                finally:
                    connection.close()
        except (OSError, duckdb.Error) as error:
            doing = "写入" if write else "读取"
            raise AuditUnavailable(f"审计日志无法{doing}，本次操作未进行：{_reason(error)}。") from error

    def _create(self) -> None:
        """Under the lock: an empty trail written beside its place, then renamed into it."""
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        try:
            with duckdb.connect(str(partial)) as connection:
                _create_schema(connection)
                connection.execute("CHECKPOINT")
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, self.path)
        finally:
            partial.unlink(missing_ok=True)
            Path(f"{partial}.wal").unlink(missing_ok=True)

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
                "INSERT INTO audit (happened_at, user_name, role, action, outcome, file_name, batch, county, row_count,"
                " details, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [dt.datetime.now(), user, role, action, outcome, file_name, batch, county, row_count, details, address],
            )

    def record_entry(self, identity: Identity, entry: AuditEntry, outcome: str, address: str | None = None) -> None:
        """One row for ``identity`` doing ``entry``."""
        self.record(
            identity.user,
            entry.action,
            outcome,
            role=identity.role,
            file_name=entry.file_name,
            batch=entry.batch,
            county=entry.county,
            row_count=entry.row_count,
            details=entry.details,
            address=entry.address or address,
        )

    def check_writable(self) -> None:
        """Raise AuditUnavailable now when a row could not be written, so a write is refused before it starts."""
        with self._open(write=True):
            pass

    def copy_into(self, target: Path) -> tuple[str, int]:
        """A consistent copy of the file (taken under its lock, checkpointed) at ``target``; its sha256 and size."""
        with self._open(write=True) as connection:
            connection.execute("CHECKPOINT")
            try:
                shutil.copyfile(self.path, target)
                with target.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                    os.fsync(handle.fileno())
            except OSError as error:
                raise AuditUnavailable(f"审计日志无法备份，未做任何更改：{_reason(error)}。") from error
        return digest, target.stat().st_size

    def adopt_if_absent(self, source: Path) -> bool:
        """Put a backed-up audit file in place when this store has none (a new machine); never over an existing one.

        The trail is append-only: a restore does not take back what was recorded since the backup.
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with lock_path.open("a") as lock:
                _wait_for_lock(lock.fileno(), self.wait_seconds)
                if self.path.exists():
                    return False
                partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
                shutil.copyfile(source, partial)
                os.replace(partial, self.path)
                return True
        except OSError as error:
            raise AuditUnavailable(f"审计日志无法恢复，未做任何更改：{_reason(error)}。") from error

    def row_count(self) -> int:
        with self._open(write=False) as connection:
            row = connection.execute("SELECT count(*) FROM audit").fetchone()
        return int(row[0]) if row else 0

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
                SELECT id, happened_at, user_name, role, action, outcome, file_name, batch, county, row_count, details,
                       address
                FROM audit
                WHERE ($since IS NULL OR happened_at >= CAST($since AS TIMESTAMP))
                  AND ($until IS NULL OR happened_at < CAST($until AS TIMESTAMP) + INTERVAL 1 DAY)
                  AND ($user IS NULL OR user_name = $user)
                  AND (len($actions) = 0 OR list_contains($actions, action))
                ORDER BY id DESC LIMIT $limit
                """,
                {"since": since, "until": until, "user": user, "actions": list(actions), "limit": limit},
            ).df()

    def users(self) -> list[str]:
        """Every user name in the trail, for a filter."""
        with self._open(write=False) as connection:
            rows = connection.execute("SELECT DISTINCT user_name FROM audit ORDER BY 1").fetchall()
        return [str(row[0]) for row in rows]

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


def _create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    for statement in _SCHEMA:
        connection.execute(statement)


@contextmanager
def _locked(lock_path: Path, write: bool, seconds: float) -> Iterator[None]:
    """Hold the trail's lock. A reader in a read-only folder reads without one: nobody can write there either."""
    if write:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = lock_path.open("a")
    except OSError:
        if write:
            raise
        try:
            lock = lock_path.open("r")
        except FileNotFoundError:
            yield
            return
    with lock:
        _wait_for_lock(lock.fileno(), seconds)
        yield


def _wait_for_lock(descriptor: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OSError("审计日志正被其他进程长时间占用，请稍后再试") from None
            time.sleep(0.02)


def _reason(error: BaseException) -> str:
    """What went wrong, in a few words and what to do, as the store's own fault lines say it (never a path)."""
    message = fault_message(error)
    if message == DISK_FULL:
        return "磁盘已满。请清理磁盘空间后重试"
    if message == READ_ONLY:
        return "文件或文件夹只读。请检查权限或挂载方式后重试"
    if message == DAMAGED:
        return "文件已损坏。请从备份恢复审计日志，或请管理员检查磁盘"
    if isinstance(error, OSError) and error.errno is None and str(error):
        return str(error)
    return "无法打开。请检查磁盘和权限后重试"


def action_label(action: str, lang: str = "zh") -> str:
    chinese, english = ACTIONS.get(action, (action, action))
    return english if lang == "en" else chinese


def outcome_label(outcome: str, lang: str = "zh") -> str:
    chinese, english = OUTCOMES.get(outcome, (outcome, outcome))
    return english if lang == "en" else chinese
