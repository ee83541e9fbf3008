"""Who sees what (issue 10), through the real store, the real audit file and the dashboard under AppTest.

A county user sees the city ranking but only its own county's record rows, whatever page, widget, address
parameter or session value asks for another's; a leader reads everything and writes nothing, even when the write
functions are called directly; a signed-out session sees only the sign-in form; names lock after five wrong
passwords; every write and record download leaves an audit row with the user's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from records import queries
from records.access import AccessDenied, RecordScope
from records.accounts import (
    LOCK_MINUTES,
    SIGN_IN_FLOOR_SECONDS,
    SIGN_IN_REFUSED,
    account_count,
    find_account,
    reset_password,
    set_disabled,
    sign_in,
)
from records.audit import AuditLog
from records.store import Store
from scoring.tables import LIMITS
from tests.access_fixtures import BIYANG, PASSWORDS, YICHENG, add_accounts
from tests.conftest import EVERY_COUNTY, ROOT, TESTER
from tests.conftest import ranking as ranking_of

PAGES = [
    "pages/overview.py",
    "pages/rankings.py",
    "pages/charts.py",
    "pages/flags.py",
    "pages/bulletin.py",
    "pages/scheme.py",
    "pages/data.py",
]
RECORD_ID_COLUMNS = ("检查编号", "案件编号")
H1 = (dt.date(2020, 1, 1), dt.date(2020, 6, 30))


@pytest.fixture
def store_path(demo_path: Path) -> Path:
    add_accounts(demo_path)
    return demo_path


@pytest.fixture
def app(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


def signed_in(app: AppTest, name: str, password: str | None = None) -> AppTest:
    """Sign in through the form, as a person would.

    AppTest's first run has no page yet; the gate's hidden ``st.navigation`` names one, and from the second run on
    the form's widgets carry that page in their ids (a browser asks for the page of its address from the start).
    """
    app.run()
    app.run()
    app.text_input(key="signin_name").input(name)
    app.text_input(key="signin_password").input(password or PASSWORDS[name])
    app.button(key="signin_submit").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def record_ids(app: AppTest) -> list[str]:
    """Every inspection or case number in any table on the page."""
    found: list[str] = []
    for frame in app.dataframe:
        for column in RECORD_ID_COLUMNS:
            if column in frame.value.columns:
                found.extend(str(value) for value in frame.value[column])
    return found


def counties_of(path: Path, ids: list[str]) -> set[int]:
    """The counties the given inspection and case numbers belong to, read from the store's current snapshot."""
    with Store(path).reading() as connection:
        rows = connection.execute(
            "SELECT county_code FROM inspections WHERE list_contains($ids, id)"
            " UNION ALL SELECT county_code FROM cases WHERE list_contains($ids, id)",
            {"ids": ids},
        ).fetchall()
    return {int(row[0]) for row in rows}


def audit_rows(path: Path) -> pd.DataFrame:
    return Store(path).audit.entries()


# Query level --------------------------------------------------------------------------------------------------

READERS: dict[str, Callable[[duckdb.DuckDBPyConnection, RecordScope, int], pd.DataFrame]] = {
    "inspection_records": lambda c, s, county: queries.inspection_records(c, s, county, *H1),
    "case_records": lambda c, s, county: queries.case_records(c, s, county, *H1),
    "revisit_records": lambda c, s, county: queries.revisit_records(c, s, county, *H1, revisit_days=365),
    "period_end_records": lambda c, s, county: queries.period_end_records(c, s, county, *H1),
    "no_hazard_records": lambda c, s, county: queries.no_hazard_records(c, s, county, *H1),
    "non_random_records": lambda c, s, county: queries.non_random_records(c, s, county, *H1),
    "overdue_case_records": lambda c, s, county: queries.overdue_case_records(c, s, county, *H1, overdue_days=1),
    "fined_case_records": lambda c, s, county: queries.fined_case_records(c, s, county, *H1),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_record_query_returns_nothing_of_another_county(demo: duckdb.DuckDBPyConnection, reader: str) -> None:
    read = READERS[reader]
    own = RecordScope(BIYANG)
    others = [code for code in demo.execute("SELECT code FROM counties").fetchall()[0:] if code[0] != BIYANG]
    seen_by_everyone = 0
    for (county,) in others:
        seen_by_everyone += len(read(demo, EVERY_COUNTY, county))
        assert read(demo, own, county).empty, county
    assert seen_by_everyone > 0, "the demo must hold such records, or the test proves nothing"
    mine = read(demo, own, BIYANG)
    assert len(mine) > 0 and mine.equals(read(demo, EVERY_COUNTY, BIYANG))


def test_rectification_gaps_count_every_county_but_name_cases_only_of_the_own(demo: duckdb.DuckDBPyConnection) -> None:
    everyone = queries.rectification_gaps(demo, EVERY_COUNTY, *H1).set_index("county_code")
    scoped = queries.rectification_gaps(demo, RecordScope(BIYANG), *H1).set_index("county_code")
    assert scoped["gaps"].tolist() == everyone["gaps"].tolist()  # a figure per county is for everyone
    named = everyone.drop(index=BIYANG, errors="ignore")["case_ids"]
    assert sum(len(ids) for ids in named) > 0, "the demo must hold other counties' gaps, or the test proves nothing"
    assert all(len(ids) == 0 for ids in scoped.drop(index=BIYANG, errors="ignore")["case_ids"])
    if BIYANG in everyone.index:
        assert list(scoped.loc[BIYANG, "case_ids"]) == list(everyone.loc[BIYANG, "case_ids"])


# Signed out ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_out_session_sees_only_the_sign_in_form(app: AppTest, page: str) -> None:
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["登录 · 安全生产执法成效"]
    assert [b.key for b in app.button] == ["signin_submit"]
    assert not app.dataframe and not app.metric and not app.get("plotly_chart") and not app.get("download_button")
    assert {t.key for t in app.text_input} == {"signin_name", "signin_password"}


def test_a_reset_password_ends_a_signed_in_session(app: AppTest, store_path: Path) -> None:
    """The gate reads the account again on every run: once its password is reset, the session signs in again."""
    signed_in(app, "biyang")
    assert app.title[0].value != "登录 · 安全生产执法成效", [e.value for e in (*app.error, *app.warning)]
    with Store(store_path).transaction(TESTER, "重设密码") as connection:
        reset_password(connection, "biyang", "a-new-password-2", TESTER.actor)
    app.run()
    assert [t.value for t in app.title] == ["登录 · 安全生产执法成效"]
    assert app.warning and not app.dataframe


# A county user -------------------------------------------------------------------------------------------------


def test_a_county_user_sees_the_city_ranking_and_only_its_own_records(app: AppTest, store_path: Path) -> None:
    signed_in(app, "biyang")
    assert any("泌阳县丙" in c.value and "县区用户·泌阳县" in c.value for c in app.sidebar.caption)
    open_page(app, "pages/rankings.py")
    ranking = ranking_of(app)
    assert len(ranking) == 10 and ranking["单位"].iloc[0] == "泌阳县"  # the whole city, as the bulletin circulates
    assert app.selectbox(key="trace_county").options == ["泌阳县"]
    ids = record_ids(app)
    inspections = int(ranking.set_index("单位").loc["泌阳县", "检查生产经营单位（家次）"])
    assert len(ids) >= inspections > 0 and counties_of(store_path, ids) == {BIYANG}


def test_an_administrator_traces_any_county(app: AppTest, store_path: Path) -> None:
    """The same page and picker show another county's records to someone allowed to see them."""
    signed_in(app, "admin1")
    open_page(app, "pages/rankings.py")
    assert len(app.selectbox(key="trace_county").options) == 10
    app.selectbox(key="trace_county").set_value("驿城区").run()
    assert counties_of(store_path, record_ids(app)) == {YICHENG}


@pytest.mark.parametrize(
    "params",
    [
        {"counties": "驿城区"},
        {"counties": ["驿城区", "泌阳县"], "rank_within": "1"},
        {"county": "驿城区"},
        {"trace_county": "驿城区"},
        {"county_code": str(YICHENG), "trace_county": str(YICHENG)},
    ],
)
def test_address_parameters_never_widen_a_county_users_records(
    app: AppTest, store_path: Path, params: dict[str, str]
) -> None:
    app.query_params.update(params)
    signed_in(app, "biyang")
    for page in ("pages/rankings.py", "pages/flags.py", "pages/data.py", "pages/bulletin.py"):
        open_page(app, page)
        assert counties_of(store_path, record_ids(app)) <= {BIYANG}, page
    open_page(app, "pages/rankings.py")
    traced = [s for s in app.selectbox if s.key == "trace_county"]
    if params.get("counties") == "驿城区":  # the ranking shows 驿城区 only: no county whose records may be traced
        assert not traced and any("泌阳县" in c.value and "明细" in c.value for c in app.caption)
    else:
        assert [s.options for s in traced] == [["泌阳县"]]


def test_a_county_user_sees_no_other_countys_quality_records(app: AppTest, store_path: Path) -> None:
    signed_in(app, "biyang")
    open_page(app, "pages/flags.py")
    labels = app.selectbox(key="quality_pick").options  # "泌阳县 · 重复检查": the county, then the signal
    assert [label for label in labels if not label.startswith("泌阳县")], "no other county flagged: proves nothing"
    for index, label in enumerate(labels):
        app.selectbox(key="quality_pick").select_index(index).run()
        assert not app.exception
        ids = record_ids(app)
        if label.startswith("泌阳县"):
            assert counties_of(store_path, ids) == {BIYANG}
        else:
            assert ids == [], label
            records = [f for f in app.dataframe if set(RECORD_ID_COLUMNS) & set(f.value.columns)]
            assert all(f.value.empty for f in records)


def test_a_county_user_reads_no_rows_on_the_data_page_and_cannot_write(app: AppTest) -> None:
    signed_in(app, "biyang")
    open_page(app, "pages/data.py")
    assert record_ids(app) == []
    assert not app.get("file_uploader") and "audit_table" not in [f.key for f in app.dataframe]
    assert any("只读" in i.value or "管理员" in i.value for i in app.info)


# A leader -------------------------------------------------------------------------------------------------------


def test_a_leader_reads_every_county_but_has_no_write_controls(app: AppTest, store_path: Path) -> None:
    signed_in(app, "lead")
    open_page(app, "pages/rankings.py")
    assert len(app.selectbox(key="trace_county").options) == 10
    open_page(app, "pages/data.py")
    keys = {w.key for w in (*app.button, *app.selectbox, *app.text_input, *app.date_input, *app.radio)}
    assert not app.get("file_uploader")
    assert not keys & {"confirm_import", "correct_confirm", "correct_batch", "correct_reason", "audit_dates"}
    assert "audit_table" not in [f.key for f in app.dataframe]
    open_page(app, "pages/scheme.py")
    assert any("管理员" in i.value for i in app.info)
    assert not [w.key for w in (*app.text_input, *app.number_input, *app.button) if "scheme_form" in str(w.key)]
    assert not app.get("file_uploader")


def _write_functions_script() -> None:
    """Run under AppTest with an identity in the session: call every write function and say what each did."""
    import streamlit as st

    from dashboard import cache
    from records.access import AccessDenied
    from records.importer import check_file

    outcomes: dict[str, str] = {}
    checked = check_file(cache.cursor(), "id,county\nX-1,驿城区\n".encode(), kind="inspections", file_name="a.csv")
    calls = {
        "import_checked": lambda: cache.import_checked(checked),
        "withdraw": lambda: cache.withdraw(1, "试图撤销"),
        "replace_upload": lambda: cache.replace_upload(1, b"id\n", "b.csv", None, None, None, "试图更正"),
        "save_scheme": lambda: cache.save_scheme(cache.scheme_for(cache.record_span()[1]).text),  # type: ignore[index]
        "check_upload": lambda: cache.check_upload("f", b"id\n", "c.csv", None, None, None),
        "withdrawal_preview": lambda: cache.withdrawal_preview(1, *cache.record_span()),  # type: ignore[misc]
        "audit_entries": lambda: cache.audit_entries(None, None, None, ()),
    }
    for name, call in calls.items():
        try:
            call()
            outcomes[name] = "done"
        except AccessDenied as refusal:
            outcomes[name] = f"refused: {refusal}"
    st.json(outcomes)


@pytest.mark.parametrize("name", ["lead", "biyang"])
def test_the_write_functions_refuse_a_reader_called_directly(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    with Store(store_path).reading() as connection:
        account = find_account(connection, name)
        before = connection.execute("SELECT count(*), max(version) FROM write_log").fetchone()
    assert account is not None
    script = AppTest.from_function(_write_functions_script, default_timeout=60)
    script.session_state["_identity"] = account.identity("password")
    script.run()
    assert not script.exception, [e.value for e in script.exception]
    outcomes = json.loads(script.json[0].value)
    assert all(value.startswith("refused: ") and "只有管理员" in value for value in outcomes.values()), outcomes

    trail = audit_rows(store_path)
    refused = trail[(trail["user_name"] == name) & (trail["outcome"] == "refused")]
    assert set(refused["action"]) == {"import", "withdraw", "replace", "scheme_change"}
    with Store(store_path).reading() as connection:
        assert connection.execute("SELECT count(*), max(version) FROM write_log").fetchone() == before


def test_the_store_refuses_a_leaders_write_and_audits_it(store_path: Path) -> None:
    store = Store(store_path)
    with store.reading() as connection:
        leader = find_account(connection, "lead")
    assert leader is not None
    with pytest.raises(AccessDenied, match="只有管理员"), store.transaction(leader.identity("password"), "导入 x.csv"):
        raise AssertionError("the body must not run")
    last = audit_rows(store_path).iloc[0]
    assert (last["user_name"], last["action"], last["outcome"]) == ("lead", "write", "refused")


# Writes and downloads in the audit trail ------------------------------------------------------------------------


def _admin_writes_script() -> None:
    import streamlit as st

    from dashboard import cache
    from records.batches import BatchError

    good = "编号,县区,检查日期,单位名称\nAUD-1,驿城区,2021-03-01,甲化工有限公司\nAUD-2,泌阳县,2021-03-02,乙石料厂\n"
    fixed = good + "AUD-3,遂平县,2021-03-03,丙木业有限公司\n"
    done: dict[str, object] = {}
    checked = cache.check_upload("good", good.encode(), "三月检查.csv", "inspections", None, None)
    imported = cache.import_checked(checked)
    done["import"] = imported.status
    replaced = cache.replace_upload(int(imported.import_id), fixed.encode(), "三月检查更正.csv", "inspections",
                                    None, None, "补漏一条")  # fmt: skip
    done["replace"] = replaced.status
    done["withdraw"] = cache.withdraw(int(replaced.import_id), "重复导入").rows
    text = cache.scheme_for(cache.record_span()[1]).text.replace("weight = 1\n", "weight = 2\n", 1)  # type: ignore[index]
    done["scheme"] = cache.save_scheme(text).stored
    try:
        cache.withdraw(999, "没有这个批次")
    except BatchError as error:
        done["failed"] = str(error)
    st.json(done)


def test_every_write_is_in_the_audit_trail_with_the_users_name(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENFORCEMENT_DB", str(store_path))
    with Store(store_path).reading() as connection:
        admin = find_account(connection, "admin1")
    assert admin is not None
    script = AppTest.from_function(_admin_writes_script, default_timeout=90)
    script.session_state["_identity"] = admin.identity("password")
    script.run()
    assert not script.exception, [e.value for e in script.exception]
    done = json.loads(script.json[0].value)
    assert done["import"] == "imported" and done["replace"] == "imported" and done["withdraw"] == 3
    assert done["scheme"] is True and "999" in done["failed"]

    trail = audit_rows(store_path)
    mine = trail[trail["user_name"] == "admin1"].iloc[::-1]  # oldest first
    assert list(zip(mine["action"], mine["outcome"], strict=True)) == [
        ("import", "ok"),
        ("replace", "ok"),
        ("withdraw", "ok"),
        ("scheme_change", "ok"),
        ("withdraw", "failed"),
    ]
    assert mine["role"].eq("admin").all()
    first = mine.iloc[0]
    assert first["file_name"] == "三月检查.csv" and first["row_count"] == 2 and pd.notna(first["batch"])
    assert "999" in mine.iloc[-1]["details"]
    with Store(store_path).reading() as connection:
        actors = [row[0] for row in connection.execute("SELECT actor FROM write_log ORDER BY version").fetchall()]
    assert actors[-4:] == ["管理员甲（admin1）"] * 4  # the store's own write log names the user too


# Sign-in, lock-out ---------------------------------------------------------------------------------------------


def _timed(connection: duckdb.DuckDBPyConnection, audit: AuditLog, name: str, password: str):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    outcome = sign_in(connection, audit, name, password, "10.0.0.9")
    return outcome, time.monotonic() - started


def test_a_wrong_name_and_a_wrong_password_look_the_same(store_path: Path) -> None:
    store = Store(store_path)
    with store.reading() as connection:
        wrong_name, wrong_name_took = _timed(connection, store.audit, "nobody", "whatever-password")
        wrong_password, wrong_password_took = _timed(connection, store.audit, "lead", "not-the-password")
        right, right_took = _timed(connection, store.audit, "lead", PASSWORDS["lead"])
    assert wrong_name.identity is None and wrong_password.identity is None
    assert wrong_name.message == wrong_password.message == SIGN_IN_REFUSED
    assert wrong_name.reason == wrong_password.reason == "refused"
    assert min(wrong_name_took, wrong_password_took, right_took) >= SIGN_IN_FLOOR_SECONDS  # never faster than this
    assert right.identity is not None and right.identity.role == "leader"


def test_five_wrong_passwords_lock_the_name_for_fifteen_minutes(store_path: Path) -> None:
    store = Store(store_path)
    with store.reading() as connection:
        outcomes = [sign_in(connection, store.audit, "biyang", f"wrong-password-{n}", None) for n in range(5)]
        assert [o.reason for o in outcomes] == ["refused"] * 4 + ["locked_now"]
        assert "锁定15分钟" in outcomes[-1].message
        locked = sign_in(connection, store.audit, "biyang", PASSWORDS["biyang"], None)  # even the right password
        assert locked.identity is None and locked.reason == "locked" and "锁定" in locked.message
        other = sign_in(connection, store.audit, "lead", PASSWORDS["lead"], None)  # only that name is locked
        assert other.identity is not None
    trail = audit_rows(store_path)
    theirs = trail[trail["user_name"] == "biyang"].iloc[::-1]
    assert theirs["action"].tolist() == ["sign_in_failed"] * 5 + ["lockout", "sign_in_locked"]

    # Fifteen minutes on (the trail's rows moved back in time, as the clock would move them): the name opens again.
    with duckdb.connect(str(store.audit.path)) as audit:
        audit.execute("UPDATE audit SET happened_at = happened_at - to_minutes(?)", [LOCK_MINUTES + 1])
    with store.reading() as connection:
        assert sign_in(connection, store.audit, "biyang", PASSWORDS["biyang"], None).identity is not None


def test_the_form_says_the_same_for_a_wrong_name_and_locks_after_five(app: AppTest) -> None:
    signed_in(app, "nobody", "some-password-1")
    unknown = [e.value for e in app.error]
    signed_in(app, "biyang", "wrong-password-0")
    assert [e.value for e in app.error] == unknown == ["用户名或密码不正确"]
    for attempt in range(1, 5):
        signed_in(app, "biyang", f"wrong-password-{attempt}")
    assert any("锁定15分钟" in e.value for e in app.error)
    signed_in(app, "biyang")
    assert any("锁定" in e.value for e in app.error) and app.title[0].value == "登录 · 安全生产执法成效"


def test_a_disabled_account_cannot_sign_in(app: AppTest, store_path: Path) -> None:
    with Store(store_path).transaction(TESTER, "停用账户") as connection:
        set_disabled(connection, "lead", True, TESTER.actor)
    signed_in(app, "lead")
    assert [e.value for e in app.error] == ["用户名或密码不正确"]


# No accounts ---------------------------------------------------------------------------------------------------


def test_with_no_accounts_only_the_servers_own_browser_is_served(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AppTest's stand-in client has no address; here it is given a remote one (the browser test uses a real one)."""
    from dashboard import cache, session

    with Store(demo_path).reading() as connection:
        assert account_count(connection) == 0
    monkeypatch.setenv("ENFORCEMENT_DB", str(demo_path))
    local = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    local.run()
    assert any("users add" in w.value for w in local.warning) and local.metric  # the banner, and the figures

    monkeypatch.setattr(cache, "client_address", lambda: "10.1.2.3")
    monkeypatch.setattr(session, "client_address", lambda: "10.1.2.3")
    remote = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    remote.run()
    assert any("users add 用户名 --role admin" in e.value for e in remote.error)
    assert not remote.metric and not remote.dataframe and not remote.get("plotly_chart")
    refused = audit_rows(demo_path)
    assert refused.iloc[0]["action"] == "remote_refused" and refused.iloc[0]["address"] == "10.1.2.3"


# The users command ----------------------------------------------------------------------------------------------


def users(database: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m records users …`` as an operator runs it, the password on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "records", "users", *args, "--db", str(database)]
        + (["--password-stdin"] if password is not None else []),
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_the_users_command_adds_lists_disables_and_resets(demo_path: Path) -> None:
    listed = users(demo_path, "list")
    assert listed.returncode == 0 and "还没有任何账户" in listed.stderr  # no default accounts
    short = users(demo_path, "add", "zhang", "--role", "admin", password="short-pw")
    assert short.returncode != 0 and "密码至少需要10个字符" in short.stderr
    assert (
        users(
            demo_path, "add", "zhang", "--role", "admin", "--display-name", "张三", password="zhang-password"
        ).returncode
        == 0
    )
    county = users(demo_path, "add", "by", "--role", "county", "--county", "泌阳县", password="county-password")
    assert county.returncode == 0, county.stderr
    unknown = users(demo_path, "add", "xx", "--role", "county", "--county", "不存在县", password="county-password")
    assert unknown.returncode != 0 and "未知县区" in unknown.stderr
    oidc = users(demo_path, "add", "li", "--role", "leader", "--oidc", "li@bureau.example")
    assert oidc.returncode == 0, oidc.stderr  # an account that signs in only through the identity provider

    table = users(demo_path, "list", "--format", "csv")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(table.stdout))}
    assert set(rows) == {"zhang", "by", "li"}
    assert rows["by"]["county"] == "泌阳县" and rows["li"]["has_password"] == "False"
    assert "password" not in table.stdout.replace("has_password", "")  # no hash is ever printed
    assert "$argon2id$" not in table.stdout

    store = Store(demo_path)

    def signs_in(name: str, password: str) -> bool:
        with store.reading() as connection:
            return sign_in(connection, store.audit, name, password, None).identity is not None

    assert signs_in("by", "county-password")
    assert users(demo_path, "disable", "by").returncode == 0
    assert not signs_in("by", "county-password")  # a disabled user cannot sign in
    assert users(demo_path, "enable", "by").returncode == 0
    assert users(demo_path, "reset-password", "by", password="another-password").returncode == 0
    assert not signs_in("by", "county-password") and signs_in("by", "another-password")
    missing = users(demo_path, "disable", "nobody")
    assert missing.returncode != 0 and "没有用户名为“nobody”的账户" in missing.stderr

    trail = store.audit.entries(actions=("account_change",)).iloc[::-1]
    assert trail["outcome"].tolist() == ["ok"] * 6  # three adds, disable, enable, reset
    assert trail["user_name"].str.startswith("命令行:").all()
    assert "添加账户 by（county·泌阳县）" in trail.iloc[1]["details"]


def test_the_users_command_reads_the_password_twice_without_echo(demo_path: Path) -> None:
    """On a terminal: two prompts, nothing typed is shown, and two different entries change nothing."""
    import pty

    def typed(*entries: str) -> tuple[int, str]:
        pid, terminal = pty.fork()
        if pid == 0:  # the child: the command, with the pseudo-terminal as its controlling terminal
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, "-m", "records", "users", "add", "wang", "--role", "leader",
                                      "--db", str(demo_path)])  # fmt: skip
        shown = b""
        pending = list(entries)
        while True:
            try:
                chunk = os.read(terminal, 1024)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
            if pending and (chunk.rstrip().endswith("：".encode()) or b"\xef\xbc\x9a" in chunk[-6:]):
                os.write(terminal, pending.pop(0).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")

    code, shown = typed("first-password-1", "other-password-2")
    assert code != 0 and "两次输入的密码不一致" in shown and "password" not in shown.replace("--password", "")
    with Store(demo_path).reading() as connection:
        assert account_count(connection) == 0
    code, shown = typed("wang-password-1", "wang-password-1")
    assert code == 0 and "已添加账户 wang" in shown and "wang-password-1" not in shown
    assert shown.count("：") >= 2  # asked twice


# Hardening ------------------------------------------------------------------------------------------------------


def test_the_server_configuration_keeps_its_protections() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["server"]["maxUploadSize"] * 1024 * 1024 >= LIMITS.max_file_bytes  # the importer's own limit fits
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_the_secrets_example_is_documented_and_the_real_file_is_never_committed() -> None:
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    assert set(example["auth"]) == {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
    assert example["auth"]["cookie_secret"].startswith("replace-") and example["auth"]["client_secret"].startswith(
        "replace-"
    )
    ignored = subprocess.run(["git", "check-ignore", ".streamlit/secrets.toml"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0


def test_a_sign_in_the_trail_cannot_record_is_refused_without_naming_a_path(app: AppTest, store_path: Path) -> None:
    trail = Store(store_path).audit.path
    trail.unlink()
    trail.mkdir()  # a folder where the audit file should be: it can be neither read nor written
    signed_in(app, "lead")
    said = " ".join(e.value for e in app.error)
    assert "审计日志无法" in said and app.title[0].value == "登录 · 安全生产执法成效"
    assert str(store_path.parent) not in said and "/" not in said and ".duckdb" not in said


def test_an_administrator_sees_the_audit_trail_filtered_and_downloadable(app: AppTest) -> None:
    from report.text import text

    def trail() -> pd.DataFrame:
        return next(f.value for f in app.dataframe if text("audit_action") in f.value.columns)

    signed_in(app, "admin1")
    open_page(app, "pages/data.py")
    user, action = text("audit_user"), text("audit_action")
    assert (trail().iloc[0][user], trail().iloc[0][action]) == ("admin1", "登录")  # the newest first
    assert set(trail()[user]) == {"admin1", "测试"}  # this sign-in, and the accounts being added
    app.selectbox(key="audit_user").set_value("测试").run()
    assert set(trail()[user]) == {"测试"}
    assert [b for b in app.get("download_button") if "audit_download" in b.proto.id]


def test_the_sign_in_form_speaks_english_with_the_language_switch(app: AppTest) -> None:
    app.run()
    app.sidebar.radio(key="lang").set_value("en").run()
    app.run()
    assert [t.value for t in app.title] == ["Sign in · Safety enforcement results"]
    app.text_input(key="signin_name").input("nobody")
    app.text_input(key="signin_password").input("some-password-1")
    app.button(key="signin_submit").click().run()
    assert [e.value for e in app.error] == ["Wrong user name or password"]
