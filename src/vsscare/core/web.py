"""HTTP plumbing shared by every router: request context, security headers, errors, templates."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vsscare import __version__
from vsscare.core import errors, i18n
from vsscare.core.config import SUPPORTED_LOCALES, Settings
from vsscare.core.context import bound, bound_client, correlation_id
from vsscare.core.db import Database

log = logging.getLogger("vsscare.http")
PACKAGE = Path(__file__).resolve().parent.parent
LANG_COOKIE = "vsscare_lang"
MACHINE_PATHS = {"/healthz", "/readyz", "/openapi.json"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
# Swagger UI's page boots with an inline script; only /docs gets it.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class RequestContext:
    """Binds correlation id, client address and UI language; logs each request; adds headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        cid = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else None
        client = scope.get("client")
        lang = _cookie(scope, LANG_COOKIE)
        locale = lang if lang in SUPPORTED_LOCALES else self.settings.default_locale
        path = scope.get("path", "")
        started = time.perf_counter()
        status = {"code": 0}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", correlation_id().encode()))
                headers += self._security_headers(path)
                message["headers"] = headers
            await send(message)

        with (
            bound(cid),
            bound_client(client[0] if client else None, _header(scope, b"user-agent")),
            i18n.using(locale),
        ):
            scope.setdefault("state", {})["locale"] = locale
            try:
                await self.app(scope, receive, send_wrapper)
            except Exception:
                # Handled here, inside the request's context, so the 500 names its correlation id.
                log.exception("unhandled error", extra={"path": path})
                if scope["type"] != "http" or status["code"]:
                    raise
                error = errors.AppError(errors.INTERNAL, correlation_id=correlation_id())
                await error_response(Request(scope), error)(scope, receive, send_wrapper)
            finally:
                if scope["type"] == "http":
                    log.info(
                        "request",
                        extra={
                            "method": scope.get("method"),
                            "path": path,
                            "status": status["code"],
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        },
                    )

    def _security_headers(self, path: str) -> list[tuple[bytes, bytes]]:
        csp = DOCS_CSP if path in ("/docs", "/docs/oauth2-redirect") else CSP
        headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]
        if self.settings.secure_cookies:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return headers


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path in MACHINE_PATHS:
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def login_redirect(request: Request) -> Response:
    """Send a browser without a (live) session to the sign-in page, coming back here after."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login?" + urlencode({"next": here})
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"hx-redirect": location})
    return RedirectResponse(location, status_code=303, headers={"cache-control": "no-store"})


def error_response(request: Request, exc: errors.AppError) -> Response:
    if wants_json(request):
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    if exc.code == errors.NOT_AUTHENTICATED.code:
        return login_redirect(request)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"error": exc}, status_code=exc.status, headers={"cache-control": "no-store"}
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.AppError)
    async def _app_error(request: Request, exc: errors.AppError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return error_response(request, errors.AppError(errors.VALIDATION, details={"errors": problems}))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        known = {
            401: errors.NOT_AUTHENTICATED,
            403: errors.PERMISSION_DENIED,
            404: errors.NOT_FOUND,
            405: errors.METHOD_NOT_ALLOWED,
        }
        code = known.get(exc.status_code) or errors.ErrorCode(
            f"http_{exc.status_code}", str(exc.detail), str(exc.detail), exc.status_code
        )
        return error_response(request, errors.AppError(code))


def _template_gettext(message: str, **variables: Any) -> Markup:
    """``_()`` in templates, as Jinja's new-style gettext does it (the translation is markup, its
    ``%(name)s`` filled with escaped values) without its per-call overhead: a page calls it
    a hundred times."""
    return Markup(i18n.gettext(message)) % variables


def make_templates(settings: Settings) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PACKAGE / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _template_gettext
    env.globals.update(
        version=__version__,
        current_locale=i18n.current_locale,
        pick=i18n.pick,
        settings=settings,
    )
    env.filters["localtime"] = lambda dt, fmt="%d/%m/%Y %H:%M": (
        dt.astimezone(settings.tz).strftime(fmt) if dt else ""
    )
    return templates


def render(request: Request, name: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context or {}, **kwargs)


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def write_session(request: Request) -> Iterator[Session]:
    """A transaction committed before the response goes out (use with ``scope="function"``)."""
    with request.app.state.db.session() as session:
        yield session


def read_session(request: Request) -> Iterator[Session]:
    with request.app.state.db.read() as session:
        yield session
