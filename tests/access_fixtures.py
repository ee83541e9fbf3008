"""Accounts for the sign-in tests: a demo store with one account per role, made the way the ``users`` command
makes them (a store write by the command line's operator), and their passwords."""

from __future__ import annotations

from pathlib import Path

from records.accounts import add_account
from records.store import Store
from tests.conftest import TESTER

BIYANG = 411726  # 泌阳县, the county user's own county
YICHENG = 411702  # 驿城区, another county
PASSWORDS = {
    "admin1": "admin-password-1",
    "lead": "leader-password-1",
    "biyang": "biyang-password-1",
}
OIDC_LEADER = "leader@bureau.example"
OIDC_COUNTY = "biyang@bureau.example"
OIDC_UNKNOWN = "stranger@bureau.example"


def add_accounts(database: Path, oidc: bool = False) -> None:
    """An administrator, a leader and a 泌阳县 county user with passwords; with ``oidc``, a leader and a county user
    who sign in only through the identity provider (bound with ``--oidc``)."""
    with Store(database).transaction(TESTER, "添加测试账户") as connection:
        add_account(connection, "admin1", "admin", PASSWORDS["admin1"], TESTER.actor, "管理员甲")
        add_account(connection, "lead", "leader", PASSWORDS["lead"], TESTER.actor, "领导乙")
        add_account(connection, "biyang", "county", PASSWORDS["biyang"], TESTER.actor, "泌阳县丙", BIYANG)
        if oidc:
            add_account(connection, "oidc_lead", "leader", None, TESTER.actor, "领导丁", oidc_identity=OIDC_LEADER)
            add_account(
                connection, "oidc_biyang", "county", None, TESTER.actor, "泌阳县戊", BIYANG, oidc_identity=OIDC_COUNTY
            )
