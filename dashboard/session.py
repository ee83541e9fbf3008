"""Who this browser session is: the sign-in gate, the signed-in identity in server-side session state, sign-out.

The identity is kept only in ``st.session_state`` on the server, never in a cookie or the address; a page
reload is a new session and signs in again. With the bureau's identity provider configured (``[auth]`` in
``.streamlit/secrets.toml``), Streamlit's ``st.login`` signs the user in and an account row gives the role.
With no accounts at all the dashboard serves only the server's own browser.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboard import cache
from records.access import LOCAL_IDENTITY, Identity
from records.accounts import SignIn
from records.audit import AuditUnavailable
from report.text import text

IDENTITY_KEY = "_identity"
REFUSAL_LOGGED_KEY = "_refusal_logged"
ADMIN_CONTACT_VARIABLE = "ENFORCEMENT_ADMIN_CONTACT"
FIRST_ADMIN_COMMAND = "python -m records users add 用户名 --role admin"


def admin_contact() -> str:
    return os.environ.get(ADMIN_CONTACT_VARIABLE, "").strip() or "本局信息化管理员"


def client_address() -> str | None:
    """The browser's address as Streamlit sees it; None for the server's own machine (loopback)."""
    return st.context.ip_address


def identity_provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type for that
        return False


def current_identity() -> Identity:
    """This run's identity; the pages and the cache read it, never a widget or the address."""
    identity = st.session_state.get(IDENTITY_KEY)
    if isinstance(identity, Identity):
        return identity
    if cache.account_count() == 0 and client_address() is None:
        return LOCAL_IDENTITY
    raise PermissionError("no signed-in identity in this session")  # the gate runs before any page


def require_identity(lang: str) -> Identity:
    """The signed-in identity, or the sign-in page (and the page run stops there)."""
    identity = st.session_state.get(IDENTITY_KEY)
    if isinstance(identity, Identity):
        if cache.account_still_enabled(identity):
            return identity
        del st.session_state[IDENTITY_KEY]
        st.warning(text("account_gone", lang))
    if cache.account_count() == 0:
        return _no_accounts_mode(lang)
    if identity_provider_configured() and st.user.is_logged_in:
        _identity_provider_sign_in(lang)
    _sign_in_page(lang)
    st.stop()
    raise AssertionError("unreachable")  # st.stop ends the run


def _no_accounts_mode(lang: str) -> Identity:
    if client_address() is None:
        st.warning(text("no_accounts_banner", lang, command=FIRST_ADMIN_COMMAND))
        return LOCAL_IDENTITY
    if not st.session_state.get(REFUSAL_LOGGED_KEY):
        st.session_state[REFUSAL_LOGGED_KEY] = True
        _audit("—", "remote_refused", "refused")
    st.error(text("no_accounts_remote", lang, command=FIRST_ADMIN_COMMAND))
    st.stop()
    raise AssertionError("unreachable")


def _identity_provider_sign_in(lang: str) -> None:
    claims = {key: value for key, value in st.user.to_dict().items() if isinstance(value, str | int)}
    account = cache.account_for_identity_provider(claims)
    who = str(claims.get("email") or claims.get("sub") or "—")
    if account is None:
        if not st.session_state.get(REFUSAL_LOGGED_KEY):
            st.session_state[REFUSAL_LOGGED_KEY] = True
            _audit(who, "identity_refused", "refused", details="统一身份认证账号没有对应的本系统账户")
        st.error(text("identity_unknown", lang, who=who, contact=admin_contact()))
        if st.button(text("sign_out", lang), key="signin_provider_out"):
            st.logout()
        st.stop()
    identity = account.identity("oidc")
    _audit(identity.user, "sign_in", "ok", role=identity.role, details="统一身份认证")
    st.session_state[IDENTITY_KEY] = identity
    st.rerun()


def _sign_in_page(lang: str) -> None:
    st.title(text("sign_in_title", lang))
    with st.form("signin_form", clear_on_submit=True):
        name = st.text_input(text("user_name", lang), key="signin_name", autocomplete="username")
        password = st.text_input(
            text("password", lang), type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(text("sign_in", lang), type="primary", key="signin_submit")
    if submitted:
        outcome = _password_sign_in(name, password)
        if outcome.identity is not None:
            st.session_state[IDENTITY_KEY] = outcome.identity
            st.rerun()
        st.error(outcome.message)
    if identity_provider_configured():
        st.divider()
        if st.button(text("sign_in_provider", lang), key="signin_provider"):
            st.login()
    st.caption(text("sign_in_help", lang, contact=admin_contact()))


def _password_sign_in(name: str, password: str) -> SignIn:
    try:
        return cache.sign_in(name, password, client_address())
    except AuditUnavailable as error:
        return SignIn(None, str(error))


def sidebar_account(lang: str, identity: Identity) -> None:
    """The signed-in user's name and role, and the sign-out button."""
    st.sidebar.caption(text("signed_in_as", lang, name=identity.display_name, role=identity.role_label(lang)))
    if identity.how in ("local", "cli"):
        return
    if st.sidebar.button(text("sign_out", lang), key="sign_out"):
        _audit(identity.user, "sign_out", "ok", role=identity.role)
        st.session_state.pop(IDENTITY_KEY, None)
        if identity.how == "oidc":
            st.logout()
        st.rerun()


def _audit(user: str, action: str, outcome: str, **details: object) -> None:
    cache.audit_log().record(user, action, outcome, address=client_address(), **details)  # type: ignore[arg-type]
