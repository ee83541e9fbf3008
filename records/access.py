"""Who is asking: the signed-in identity, its role, and the county scope every record query takes.

The scope is applied where data is read (``records.queries``) and writes are refused where they happen
(``records.store``), so no page, widget, address or download can widen what an identity may see or do.

>>> county = Identity("biyang", "泌阳县用户", "county", county_code=411726, county="泌阳县")
>>> county.record_county, county.may_write, Identity("lead", "领导", "leader").scope
(411726, False, RecordScope(county_code=None))
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLES = ("admin", "leader", "county")
ROLE_LABELS = {
    "zh": {"admin": "管理员", "leader": "领导", "county": "县区用户"},
    "en": {"admin": "administrator", "leader": "leader", "county": "county user"},
}


class AccessDenied(Exception):
    """An identity asked for something its role does not allow; the message is one Chinese sentence."""


@dataclass(frozen=True)
class RecordScope:
    """Which counties' record-level rows (individual inspections and cases) a reader may see.

    Every named query that returns such rows takes one, required, and adds ``county_code = $own`` as a query
    parameter when ``county_code`` is set. Only an ``Identity`` makes one for a user; the command line's operator
    and the nightly job read as ``Identity.scope`` of ``command_line_identity()``, which sees every county.
    """

    county_code: int | None

    def allows(self, county_code: int) -> bool:
        return self.county_code is None or self.county_code == county_code


@dataclass(frozen=True)
class Identity:
    """A signed-in user as the store sees them: name, role and, for a county user, the one county they see.

    ``how`` says how they came in: ``password``, ``oidc``, ``local`` (the no-accounts mode on the server's own
    browser) or ``cli`` (an operator at the server's command line).
    """

    user: str
    display_name: str
    role: str
    county_code: int | None = None
    county: str | None = None
    how: str = "password"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"未知角色“{self.role}”，应为 admin、leader 或 county")
        if self.role == "county" and self.county_code is None:
            raise ValueError("县区用户必须绑定一个县区")

    @property
    def may_write(self) -> bool:
        return self.role == "admin"

    @property
    def record_county(self) -> int | None:
        """The only county whose record-level rows this identity may read, or None for every county."""
        return self.county_code if self.role == "county" else None

    @property
    def scope(self) -> RecordScope:
        """What the record-level queries are given for this identity."""
        return RecordScope(self.record_county)

    def may_see_records_of(self, county_code: int) -> bool:
        return self.scope.allows(county_code)

    @property
    def actor(self) -> str:
        """How ``write_log`` and ``import_log`` name this identity: the display name with the user name."""
        if self.how in ("cli", "local") or self.display_name in ("", self.user):
            return self.user
        return f"{self.display_name}（{self.user}）"

    def role_label(self, lang: str = "zh") -> str:
        label = ROLE_LABELS["en" if lang == "en" else "zh"][self.role]
        return f"{label}·{self.county}" if self.role == "county" and self.county else label


def require_writer(identity: Identity, what: str) -> None:
    """Refuse a write by anyone but an administrator, whoever calls the function."""
    if not identity.may_write:
        raise AccessDenied(f"{identity.role_label()}无权{what}，只有管理员可以操作")


def command_line_identity() -> Identity:
    """An operator at the server's command line: they can already read and replace the files, so they act as admin."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "未知用户"
    return Identity(f"命令行:{who}", f"命令行:{who}", "admin", how="cli")


LOCAL_IDENTITY = Identity("本机", "本机（未设账户）", "admin", how="local")
