"""Staff console pages: home (the sections a user may reach), users, audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts import auth
from vsscare.accounts import queries as accounts
from vsscare.accounts.principal import Principal
from vsscare.console import queries, sections
from vsscare.core.db import utcnow
from vsscare.core.web import read_session, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, principal: Principal = Depends(auth.current_principal)) -> HTMLResponse:
    pages = getattr(request.app.state, "console_pages", frozenset())
    entries = sections.reachable(principal, pages)
    return render(
        request,
        "console/home.html",
        {
            "principal": principal,
            "available": [e for e in entries if e.available],
            "coming": [e for e in entries if not e.available],
        },
    )


@router.get("/console/users", response_class=HTMLResponse, include_in_schema=False)
def users(
    request: Request,
    principal: Principal = Depends(auth.require("users.view")),
    session: Session = Depends(read_session),
) -> HTMLResponse:
    return render(
        request,
        "console/users.html",
        {
            "principal": principal,
            "users": accounts.list_users(session, principal),
            "units": accounts.unit_codes(session),
            "now": utcnow(),
        },
    )


@router.get("/console/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_log(
    request: Request,
    action: str | None = Query(None, max_length=200),
    actor: str | None = Query(None, max_length=200),
    outcome: str | None = Query(None, max_length=20),
    principal: Principal = Depends(auth.require("audit.view")),
    session: Session = Depends(read_session),
) -> HTMLResponse:
    filters = queries.AuditFilter.clean(action, actor, outcome)
    return render(
        request,
        "console/audit.html",
        {
            "principal": principal,
            "entries": queries.audit_entries(session, principal, filters),
            "filters": filters,
            "outcomes": queries.OUTCOMES,
            "limit": queries.AUDIT_LIMIT,
        },
    )
