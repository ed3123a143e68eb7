"""Who is calling: session cookie or API token; permission checks; CSRF. FastAPI dependencies."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from fastapi import Request

from vsscare.accounts import actions, queries
from vsscare.accounts.principal import Principal
from vsscare.core import audit
from vsscare.core.db import utcnow
from vsscare.core.errors import CSRF_FAILED, NOT_AUTHENTICATED, PERMISSION_DENIED, AppError
from vsscare.core.events import Actor

SESSION_COOKIE = "vsscare_session"
LOGIN_CSRF_COOKIE = "vsscare_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _load(request: Request) -> Principal | None:
    db = request.app.state.db
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with db.read() as session:
            found = actions.resolve_api_token(session, header[7:].strip())
            if found is None:
                return None
            user, token = found
            principal = queries.principal_for(session, user, via_token=True)
            stale = token.last_used_at is None or utcnow() - token.last_used_at > timedelta(seconds=60)
        if stale:
            with db.session() as session:
                actions.touch_api_token(session, token.id)
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with db.read() as session:
        found = actions.resolve_session(session, settings, cookie)
        if found is None:
            return None
        user, staff_session = found
        principal = queries.principal_for(session, user)
        request.state.csrf_token = staff_session.csrf_token
        stale = actions.session_is_stale(staff_session)
    if stale:
        with db.session() as session:
            actions.touch_session(session, staff_session.id)
    return principal


def optional_principal(request: Request) -> Principal | None:
    if not hasattr(request.state, "principal"):
        request.state.principal = _load(request)
    return request.state.principal


def current_principal(request: Request) -> Principal:
    principal = optional_principal(request)
    if principal is None:
        raise AppError(NOT_AUTHENTICATED)
    return principal


def deny(request: Request, principal: Principal | None, permission: str) -> AppError:
    """Audit a refusal (in its own transaction, so it survives) and return the error to raise."""
    actor = principal.actor if principal else Actor("anonymous")
    audit.record_now(
        request.app.state.db,
        "permission.denied",
        actor,
        outcome="denied",
        details={"permission": permission, "method": request.method, "path": request.url.path},
    )
    return AppError(PERMISSION_DENIED, details={"permission": permission})


def require(permission: str) -> Callable[[Request], Principal]:
    """Dependency: the signed-in principal, who must hold ``permission``."""

    def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if not principal.has(permission):
            raise deny(request, principal, permission)
        return principal

    dependency.__name__ = f"require_{permission.replace('.', '_')}"
    return dependency


async def csrf_protect(request: Request) -> None:
    """Unsafe requests from a browser session must echo the session's CSRF token
    (form field or X-CSRF-Token header). API-token requests carry no cookie and are exempt."""
    if request.method not in UNSAFE:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    principal = optional_principal(request)
    expected = (
        getattr(request.state, "csrf_token", None) if principal else request.cookies.get(LOGIN_CSRF_COOKIE)
    )
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise AppError(CSRF_FAILED)


def login_csrf_token(request: Request) -> str:
    """Double-submit token for the sign-in form, before any session exists."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    request.state.login_csrf = token
    return token
