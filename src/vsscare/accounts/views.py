"""Sign-in, sign-out, own password and UI language: the pages around a staff session."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vsscare.accounts import actions, auth, errors
from vsscare.accounts.principal import Principal
from vsscare.core.config import SUPPORTED_LOCALES, Settings
from vsscare.core.errors import NOT_FOUND, AppError
from vsscare.core.web import LANG_COOKIE, render

router = APIRouter(include_in_schema=False)

LANG_MAX_AGE = 365 * 24 * 3600
NO_STORE = {"cache-control": "no-store"}


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to; anything that could leave the site becomes ``default``."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def after_login(value: str | None) -> str:
    """Where to land once signed in: a safe ``next``, but never back to the sign-in pages."""
    target = safe_next(value)
    return "/" if urlsplit(target).path in ("/login", "/logout") else target


def _secure(request: Request, settings: Settings) -> bool:
    return settings.secure_cookies or request.url.scheme == "https"


def _set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None = None
) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
    )


def _login_page(
    request: Request,
    *,
    username: str = "",
    next_url: str = "/",
    error: AppError | None = None,
    notice: AppError | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = auth.login_csrf_token(request)
    response = render(
        request,
        "accounts/login.html",
        {"principal": None, "username": username, "next": next_url, "error": error, "notice": notice},
        status_code=status,
        headers=NO_STORE,
    )
    _set_cookie(response, request, auth.LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    target = after_login(next)
    if auth.optional_principal(request) is not None:
        return RedirectResponse(target, status_code=303)
    # A session cookie that no longer resolves: expired, idle too long or revoked elsewhere.
    stale = bool(request.cookies.get(auth.SESSION_COOKIE))
    response = _login_page(
        request, next_url=target, notice=AppError(errors.SESSION_EXPIRED) if stale else None
    )
    if stale:
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    _csrf: None = Depends(auth.csrf_protect),
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    next: str = Form("", max_length=2000),
) -> Response:
    settings: Settings = request.app.state.settings
    target = after_login(next)
    # Failures and lockouts are results, not exceptions, so this transaction commits them.
    with request.app.state.db.session() as session:
        result = actions.login(session, settings, username, password)
        locale = result.user.locale if result.user is not None else None
    if result.error is not None or result.token is None:
        error = AppError(result.error or errors.INVALID_CREDENTIALS, **(result.params or {}))
        return _login_page(request, username=username, next_url=target, error=error, status=error.status)
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    _set_cookie(
        response, request, auth.SESSION_COOKIE, result.token, max_age=settings.session_max_hours * 3600
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/")
    if locale in SUPPORTED_LOCALES and LANG_COOKIE not in request.cookies:
        _set_cookie(response, request, LANG_COOKIE, locale, max_age=LANG_MAX_AGE)
    return response


async def _logout_csrf(request: Request) -> None:
    """A live session must prove the form is its own; a dead one has nothing left to protect."""
    if auth.optional_principal(request) is not None:
        await auth.csrf_protect(request)


@router.post("/logout")
def logout(request: Request, _csrf: None = Depends(_logout_csrf)) -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token and auth.optional_principal(request) is not None:
        with request.app.state.db.session() as session:
            actions.logout(session, token)
    response = RedirectResponse("/login", status_code=303, headers=NO_STORE)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


def _password_page(
    request: Request, principal: Principal, error: AppError | None = None, changed: bool = False
) -> HTMLResponse:
    return render(
        request,
        "accounts/password.html",
        {"principal": principal, "error": error, "changed": changed},
        status_code=error.status if error else 200,
        headers=NO_STORE,
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request, changed: bool = False, principal: Principal = Depends(auth.current_principal)
) -> HTMLResponse:
    return _password_page(request, principal, changed=changed)


@router.post("/account/password", response_class=HTMLResponse)
def password_submit(
    request: Request,
    principal: Principal = Depends(auth.current_principal),
    _csrf: None = Depends(auth.csrf_protect),
    current: str = Form("", max_length=1000),
    new: str = Form("", max_length=1000),
    confirm: str = Form("", max_length=1000),
) -> Response:
    settings: Settings = request.app.state.settings
    error: AppError | None = None
    with request.app.state.db.session() as session:
        keep = None
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        if cookie and not principal.via_token:
            found = actions.resolve_session(session, settings, cookie)
            keep = found[1].id if found else None
        try:
            actions.change_password(
                session, settings, principal.user_id, current, new, confirm, keep_session=keep
            )
        except AppError as exc:
            # change_password refuses before changing anything but the audit row and failure
            # count for a wrong current password, which this transaction keeps.
            error = exc
    if error is not None:
        return _password_page(request, principal, error=error)
    return RedirectResponse("/account/password?changed=1", status_code=303)


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    if code not in SUPPORTED_LOCALES:
        raise AppError(NOT_FOUND)
    response = RedirectResponse(safe_next(next), status_code=303)
    _set_cookie(response, request, LANG_COOKIE, code, max_age=LANG_MAX_AGE)
    principal = auth.optional_principal(request)
    if principal is not None and not principal.via_token and principal.locale != code:
        with request.app.state.db.session() as session:
            actions.set_locale(session, principal.user_id, code)
    return response
