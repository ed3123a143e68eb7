"""Chrome shared by every staff page (``base.html``): navigation, role names, CSRF token.

:func:`install` adds these helpers to the app's Jinja environment once every router is mounted,
so any domain's template that extends ``base.html`` gets the same header.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

import yaml
from fastapi import FastAPI, Request
from starlette.routing import BaseRoute

from vsscare.accounts.principal import Principal
from vsscare.console.sections import SECTIONS, Entry, mounted, navigation
from vsscare.core.i18n import pick


@cache
def _role_names() -> dict[str, tuple[str, str]]:
    text = resources.files("vsscare.accounts").joinpath("roles.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    return {code: (role["name"][0], role["name"][1]) for code, role in spec["roles"].items()}


def role_label(code: str) -> str:
    """The role's name in the current language (its code for roles not shipped with vsscare)."""
    names = _role_names().get(code)
    return pick(*names) if names else code


def csrf_token(request: Request) -> str:
    """The token forms and HTMX requests must echo: the session's, else the sign-in form's."""
    state = request.state
    return getattr(state, "csrf_token", None) or getattr(state, "login_csrf", None) or ""


def signed_in(request: Request) -> Principal | None:
    """The principal already loaded for this request, if any (never touches the database)."""
    return getattr(request.state, "principal", None)


def install(app: FastAPI, routes: Iterable[BaseRoute]) -> None:
    """``routes``: every route the app serves (those of the included routers, flattened)."""
    pages = mounted(routes, (s.url for s in SECTIONS))
    app.state.console_pages = pages

    def nav_sections(principal: Principal | None) -> list[Entry]:
        return navigation(principal, pages)

    app.state.templates.env.globals.update(
        nav_sections=nav_sections, role_label=role_label, csrf_token=csrf_token, signed_in=signed_in
    )
