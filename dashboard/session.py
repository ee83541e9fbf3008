"""Who this browser session is: the sign-in gate, the signed-in identity in server-side session state, sign-out.

The identity is kept only in ``st.session_state`` on the server, never in a cookie or the address; a page
reload is a new session and signs in again. With the bureau's identity provider configured (``[auth]`` in
``.streamlit/secrets.toml``), Streamlit's ``st.login`` signs the user in (its own signed cookie says who the
provider vouched for) and the account bound to that identity gives the role. With no accounts at all the
dashboard serves only the server's own browser, as an administrator.

Every page run passes the gate first (``require_identity``): the account is read again from the current
snapshot, so a disabled account, or one whose password was reset, stops working on its next page run.
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard import cache
from dashboard.cache import IDENTITY_KEY, client_address
from records.access import LOCAL_IDENTITY, Identity
from records.accounts import Account, SignIn
from records.audit import AuditEntry, AuditUnavailable
from report.safe import md
from report.text import text

log = logging.getLogger("enforcement.session")
ACCOUNT_STAMP_KEY = "_identity_account_changed_at"
REFUSAL_LOGGED_KEY = "_refusal_logged"
ADMIN_CONTACT_VARIABLE = "ENFORCEMENT_ADMIN_CONTACT"


def first_admin_command(lang: str) -> str:
    return f".venv/bin/python -m records users add {text('new_user_name', lang)} --role admin"


def admin_contact(lang: str, name_administrators: bool = False) -> str:
    """Whom to ask for an account: ``ENFORCEMENT_ADMIN_CONTACT``, else (to someone the provider vouched for) the
    administrators by name, else the bureau's IT administrator."""
    configured = os.environ.get(ADMIN_CONTACT_VARIABLE, "").strip()
    if configured:
        return configured
    names = cache.administrators() if name_administrators else []
    if names:
        return text("contact_admins", lang, names=("、" if lang == "zh" else ", ").join(names))
    return text("contact_default", lang)


def identity_provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type for that
        return False


def require_identity(lang: str, pages: list[StreamlitPage] | None = None) -> Identity:
    """This run's identity, or the sign-in page (and the page run stops there, with nothing else drawn).

    A run that stops here still declares the dashboard's ``pages``, hidden: the address keeps the page asked for
    (and its parameters) for after the sign-in, and the sidebar lists no pages to a session that has none.
    """
    identity = st.session_state.get(IDENTITY_KEY)
    if isinstance(identity, Identity):
        account = cache.current_account(identity.user)
        if _still_valid(account, identity):
            return identity
        _forget()
        st.warning(text("account_gone", lang))
    if cache.account_count() == 0 and client_address() is None:
        st.warning(text("no_accounts_banner", lang, command=first_admin_command(lang)), icon=":material/lock_open:")
        return LOCAL_IDENTITY
    if pages is not None:
        st.navigation(pages, position="hidden")
    if cache.account_count() == 0:
        _refuse_remote(lang)
    elif not (identity_provider_configured() and st.user.is_logged_in and _identity_provider_sign_in(lang)):
        _sign_in_page(lang)
    st.stop()
    raise AssertionError("unreachable")  # st.stop ends the run


def _still_valid(account: Account | None, identity: Identity) -> bool:
    """The account still exists, is enabled, and has not changed (password reset, re-binding) since sign-in."""
    return (
        account is not None
        and not account.disabled
        and account.role == identity.role
        and account.county_code == identity.county_code
        and st.session_state.get(ACCOUNT_STAMP_KEY) == account.changed_at
    )


def _remember(account: Account, how: str) -> Identity:
    identity = account.identity(how)
    st.session_state[IDENTITY_KEY] = identity
    st.session_state[ACCOUNT_STAMP_KEY] = account.changed_at
    return identity


def _forget() -> None:
    st.session_state.pop(IDENTITY_KEY, None)
    st.session_state.pop(ACCOUNT_STAMP_KEY, None)


def _refuse_remote(lang: str) -> None:
    """No accounts and a browser on another computer: the message with the command, no data, one audit row."""
    if not st.session_state.get(REFUSAL_LOGGED_KEY):
        st.session_state[REFUSAL_LOGGED_KEY] = True
        _audit_anonymous("—", "remote_refused", "refused", "未设账户，仪表盘只对本机开放")
    st.error(text("no_accounts_remote", lang, command=first_admin_command(lang)))


def _identity_provider_sign_in(lang: str) -> bool:
    """Map the provider's user to an account and rerun signed in; refuse an identity no account is bound to (True:
    the refusal is drawn)."""
    claims = {key: value for key, value in st.user.to_dict().items() if isinstance(value, str | int | bool)}
    account = cache.account_for_identity_provider(claims)
    who = str(claims.get("email") or claims.get("sub") or "—")
    if account is None:
        if not st.session_state.get(REFUSAL_LOGGED_KEY):
            st.session_state[REFUSAL_LOGGED_KEY] = True
            unknown = "统一身份认证账号没有对应的本系统账户或账户已停用"
            _audit_anonymous(who[:64], "identity_refused", "refused", unknown)
        st.error(text("identity_unknown", lang, who=md(who), contact=md(admin_contact(lang, True))))
        if st.button(text("sign_out", lang), key="signin_provider_out"):
            st.logout()
        return True
    identity = _remember(account, "oidc")
    _audit(identity, "sign_in", "ok", "统一身份认证：" + who[:64])
    st.rerun()
    return False  # st.rerun ends the run


def _sign_in_page(lang: str) -> None:
    st.title(text("sign_in_title", lang))
    with st.form("signin_form", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input(text("user_name", lang), key="signin_name", autocomplete="username", max_chars=64)
        password = st.text_input(
            text("password", lang), type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(text("sign_in", lang), type="primary", key="signin_submit")
    if submitted:
        outcome = _password_sign_in(name, password)
        if outcome.identity is not None:
            account = cache.current_account(outcome.identity.user)
            if account is not None:
                _remember(account, "password")
                st.rerun()
        st.error(_sign_in_message(outcome, lang))
    if identity_provider_configured():
        st.divider()
        if st.button(text("sign_in_provider", lang), key="signin_provider"):
            st.login()
    st.caption(text("sign_in_help", lang, contact=md(admin_contact(lang))))


def _sign_in_message(outcome: SignIn, lang: str) -> str:
    if outcome.reason == "unavailable":
        return outcome.message
    return text(f"sign_in_{outcome.reason}", lang, **outcome.values)


def _password_sign_in(name: str, password: str) -> SignIn:
    try:
        return cache.sign_in(name, password)
    except AuditUnavailable as error:  # no trail, no sign-in: an attempt must leave its row
        log.error("sign-in refused: the audit trail cannot be written", exc_info=True)
        return SignIn(None, str(error), "unavailable")


def sidebar_account(lang: str, identity: Identity) -> None:
    """The signed-in user's name and role, and the sign-out button."""
    name = text("local_user", lang) if identity.how == "local" else md(identity.display_name)
    st.sidebar.caption(text("signed_in_as", lang, name=name, role=identity.role_label(lang)))
    if identity.how in ("local", "cli"):
        return
    if st.sidebar.button(text("sign_out", lang), key="sign_out"):
        _audit(identity, "sign_out", "ok")
        _forget()
        if identity.how == "oidc":
            st.logout()  # the browser is sent to clear the provider's cookie; a rerun now would drop that redirect
            st.stop()
        st.rerun()


def _audit(identity: Identity, action: str, outcome: str, details: str | None = None) -> None:
    try:
        cache.audit_log().record_entry(identity, AuditEntry(action, details=details, address=client_address()), outcome)
    except AuditUnavailable:
        log.error("audit row not written: %s %s", identity.user, action, exc_info=True)


def _audit_anonymous(who: str, action: str, outcome: str, details: str) -> None:
    try:
        cache.audit_log().record(who, action, outcome, details=details, address=client_address())
    except AuditUnavailable:
        log.error("audit row not written: %s %s", who, action, exc_info=True)
