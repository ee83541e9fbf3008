"""Accounts in the store: who may sign in, with which role and county, and their argon2id password hashes.

There are no default accounts and no default passwords: the first administrator is made with
``python -m records users add NAME --role admin``. The table is in ``records.schema``. Writes run inside a store
transaction (``Store.transaction`` refuses anyone but an administrator); reads take any connection, and the
dashboard reads the current snapshot (a change publishes a new one). A snapshot of a store made before accounts
existed has no table yet: it reads as no accounts.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from records.access import ROLES, Identity
from records.audit import AuditLog

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
NAME_PATTERN = re.compile(r"[\w.@+-]{1,64}")
SIGN_IN_REFUSED = "用户名或密码不正确"
LOCKED = "该用户名因连续{failures}次密码错误已暂时锁定，请于 {until} 后再试"
LOCKED_NOW = "连续{failures}次密码错误，该用户名已锁定{minutes}分钟"
# Verifying every attempt, even for a name that does not exist, makes a wrong name and a wrong password cost the
# same time; a sign-in never answers faster than this either.
SIGN_IN_FLOOR_SECONDS = 0.35

_HASHER = PasswordHasher()  # argon2id with the library's current recommended costs
_DUMMY_HASH = _HASHER.hash("no account has this password, it only spends the time a real check spends")


class AccountError(ValueError):
    """An account change that cannot be made; the message is one Chinese sentence."""


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    role: str
    county_code: int | None
    county: str | None
    password_hash: str | None
    oidc_identity: str | None
    disabled: bool
    changed_at: dt.datetime

    def identity(self, how: str) -> Identity:
        return Identity(self.name, self.display_name, self.role, self.county_code, self.county, how)


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("用户名应为1至64个字母、数字、汉字或 . _ - @ + 字符，不含空格")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密码不能超过{MAX_PASSWORD_LENGTH}个字符")
    return password


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def add_account(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    role: str,
    password: str | None,
    actor: str,
    display_name: str = "",
    county_code: int | None = None,
    oidc_identity: str | None = None,
) -> Account:
    """A new account, inside the caller's transaction; a county user must name their county."""
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(f"未知角色“{role}”，应为 admin、leader 或 county")
    if role == "county" and county_code is None:
        raise AccountError("县区用户必须用 --county 指定所属县区")
    if role != "county" and county_code is not None:
        raise AccountError("只有县区用户（--role county）绑定县区")
    if password is None and not oidc_identity:
        raise AccountError("账户需要密码，或用 --oidc 指定统一身份认证的账号")
    if find_account(connection, name) is not None:
        raise AccountError(f"用户名“{name}”已存在")
    if oidc_identity and _oidc_owner(connection, oidc_identity) is not None:
        raise AccountError(f"统一身份认证账号“{oidc_identity}”已绑定其他用户")
    hashed = None if password is None else _HASHER.hash(check_password(password))
    now = _now()
    connection.execute(
        "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, false, ?, ?, ?)",
        [name, display_name.strip() or name, role, county_code, hashed, oidc_identity, now, now, actor],
    )
    account = find_account(connection, name)
    assert account is not None
    return account


def set_disabled(connection: duckdb.DuckDBPyConnection, name: str, disabled: bool, actor: str) -> None:
    _require(connection, name)
    connection.execute(
        "UPDATE accounts SET disabled = ?, changed_at = ?, changed_by = ? WHERE name = ?",
        [disabled, _now(), actor, name],
    )


def reset_password(connection: duckdb.DuckDBPyConnection, name: str, password: str, actor: str) -> None:
    _require(connection, name)
    connection.execute(
        "UPDATE accounts SET password_hash = ?, changed_at = ?, changed_by = ? WHERE name = ?",
        [_HASHER.hash(check_password(password)), _now(), actor, name],
    )


def _require(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    if find_account(connection, name) is None:
        raise AccountError(f"没有用户名为“{name}”的账户")


_SELECT = """
    SELECT a.name, a.display_name, a.role, a.county_code, c.name, a.password_hash, a.oidc_identity, a.disabled,
           a.changed_at
    FROM accounts a LEFT JOIN counties c ON c.code = a.county_code
"""


def _has_table(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            "SELECT 1 FROM duckdb_tables() WHERE table_name = 'accounts' AND schema_name = 'main'"
            " AND database_name = current_database()"
        ).fetchall()
    )


def find_account(connection: duckdb.DuckDBPyConnection, name: str) -> Account | None:
    if not _has_table(connection):
        return None
    row = connection.execute(_SELECT + " WHERE a.name = ?", [name]).fetchone()
    return None if row is None else Account(*row)


def _oidc_owner(connection: duckdb.DuckDBPyConnection, identity: str) -> Account | None:
    """The account bound to an identity provider's subject (exactly) or e-mail address (in any letter case)."""
    if not _has_table(connection):
        return None
    row = connection.execute(
        _SELECT + " WHERE a.oidc_identity = $id OR (contains($id, '@') AND lower(a.oidc_identity) = lower($id))",
        {"id": identity},
    ).fetchone()
    return None if row is None else Account(*row)


def account_for_oidc(connection: duckdb.DuckDBPyConnection, claims: dict[str, object]) -> Account | None:
    """The enabled account an identity provider's user is bound to (``--oidc``), by subject or by e-mail.

    Only an explicit binding counts: an account's own name is never matched, so a provider's user whose subject
    happens to equal a local user name does not become that user. An e-mail the provider marks unverified is
    not used.
    """
    candidates = [str(claims["sub"])] if claims.get("sub") else []
    if claims.get("email") and claims.get("email_verified") is not False:
        candidates.append(str(claims["email"]))
    for candidate in candidates:
        account = _oidc_owner(connection, candidate)
        if account is not None and not account.disabled:
            return account
    return None


def account_count(connection: duckdb.DuckDBPyConnection) -> int:
    """Every account, disabled ones too: one disabled account still means the dashboard needs a sign-in."""
    if not _has_table(connection):
        return 0
    row = connection.execute("SELECT count(*) FROM accounts").fetchone()
    return int(row[0]) if row else 0


def administrators(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The display names of the enabled administrators: whom a refused user should ask."""
    if not _has_table(connection):
        return []
    rows = connection.execute(
        "SELECT display_name FROM accounts WHERE role = 'admin' AND NOT disabled ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def list_accounts(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not _has_table(connection):
        return pd.DataFrame(
            columns=[
                "name",
                "display_name",
                "role",
                "county",
                "oidc_identity",
                "disabled",
                "has_password",
                "created_at",
                "changed_at",
                "changed_by",
            ]
        )
    return connection.execute(
        """
        SELECT a.name, a.display_name, a.role, c.name AS county, a.oidc_identity, a.disabled,
               a.password_hash IS NOT NULL AS has_password, a.created_at, a.changed_at, a.changed_by
        FROM accounts a LEFT JOIN counties c ON c.code = a.county_code ORDER BY a.name
        """
    ).df()


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt gave: an identity, or why not (``reason``: refused, locked, locked_now,
    unavailable) with the Chinese sentence and the values a page needs to say it in its language."""

    identity: Identity | None
    message: str = ""
    reason: str = ""
    values: dict[str, object] = field(default_factory=dict)


def sign_in(
    connection: duckdb.DuckDBPyConnection, audit: AuditLog, name: str, password: str, address: str | None
) -> SignIn:
    """Check a name and password; every attempt is in the audit trail, and a name is locked after repeated failures.

    A wrong name, a disabled account and a wrong password give the same message and take the same time.
    """
    started = time.monotonic()
    name = name.strip()[:64]
    try:
        locked_until = audit.locked_until(name, LOCK_MINUTES)
        if locked_until is not None:
            audit.record(name, "sign_in_locked", "refused", address=address, details=f"锁定至 {locked_until:%H:%M}")
            values: dict[str, object] = {"failures": LOCK_AFTER_FAILURES, "until": f"{locked_until:%H:%M}"}
            return SignIn(None, LOCKED.format(**values), "locked", values)
        account = find_account(connection, name) if NAME_PATTERN.fullmatch(name) else None
        usable = account is not None and not account.disabled and account.password_hash is not None
        stored = account.password_hash if usable and account is not None else _DUMMY_HASH
        try:
            matched = _HASHER.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH]) and usable
        except (VerificationError, InvalidHashError):
            matched = False
        if matched and account is not None:
            audit.record(name, "sign_in", "ok", role=account.role, address=address)
            return SignIn(account.identity("password"))
        audit.record(name, "sign_in_failed", "failed", address=address)
        if audit.failures_in_a_row(name) >= LOCK_AFTER_FAILURES:
            locked = f"连续{LOCK_AFTER_FAILURES}次密码错误，锁定{LOCK_MINUTES}分钟"
            audit.record(name, "lockout", "ok", address=address, details=locked)
            values = {"failures": LOCK_AFTER_FAILURES, "minutes": LOCK_MINUTES}
            return SignIn(None, LOCKED_NOW.format(**values), "locked_now", values)
        return SignIn(None, SIGN_IN_REFUSED, "refused")
    finally:
        time.sleep(max(0.0, SIGN_IN_FLOOR_SECONDS - (time.monotonic() - started)))
