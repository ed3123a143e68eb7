"""Staff console pages: home (the sections a user may reach), users, the audit log (search, pages,
export)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from vsscare.accounts import auth
from vsscare.accounts import queries as accounts
from vsscare.accounts.principal import Principal
from vsscare.console import audit_export as audit_export_file
from vsscare.console import audit_queries, sections
from vsscare.core import audit
from vsscare.core.db import utcnow
from vsscare.core.web import read_session, render, write_session
from vsscare.orgunits.calendar import VN_TZ

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def _audit_filter(request: Request) -> tuple[audit_queries.AuditFilter, list[str]]:
    fields = ("action", "actor", "outcome", "object_type", "object_id", "correlation_id", "details", "since",
              "until")  # fmt: skip
    return audit_queries.AuditFilter.clean(**{name: request.query_params.get(name) for name in fields})


@router.get("/console/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_log(
    request: Request,
    before: int | None = Query(None, ge=1, le=2**63 - 1),
    principal: Principal = Depends(auth.require("audit.view")),
    session: Session = Depends(read_session),
) -> HTMLResponse:
    filters, problems = _audit_filter(request)
    entries, older = audit_queries.page(session, principal, filters, before=before)
    return render(
        request,
        "console/audit.html",
        {
            "principal": principal, "entries": entries, "filters": filters, "problems": problems,
            "outcomes": audit_queries.OUTCOMES, "older": older, "first_page": before is None,
            "query": urlencode(filters.query_params()), "export_max": audit_queries.EXPORT_MAX,
        },
    )  # fmt: skip


@router.get("/console/audit/export.{fmt}", include_in_schema=False)
def audit_export(
    request: Request,
    fmt: Literal["csv", "xlsx"],
    principal: Principal = Depends(auth.require("audit.view")),
    session: Session = Depends(write_session, scope="function"),
) -> Response:
    """The filtered entries as a file (at most ``EXPORT_MAX``); the export itself is audited."""
    filters, _problems = _audit_filter(request)
    entries = audit_queries.everything(session, principal, filters)
    content, count = audit_export_file.to_csv(entries) if fmt == "csv" else audit_export_file.to_xlsx(entries)
    audit.record(session, "audit.export", principal.actor, object_type="audit_log",
                 details={"format": fmt, "rows": count, "filters": filters.query_params()})  # fmt: skip
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    stamp = utcnow().astimezone(VN_TZ).strftime("%Y%m%d-%H%M")
    headers = {
        "content-disposition": f'attachment; filename="audit-{stamp}.{fmt}"', "cache-control": "no-store",
        "x-rows": str(count), "x-truncated": str(count >= audit_queries.EXPORT_MAX).lower(),
    }  # fmt: skip
    return Response(content, media_type=media, headers=headers)
