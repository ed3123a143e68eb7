"""Cases submitted to leadership: the General Director's office records its decisions here, and
supervisors follow them up on the same page, read-only."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from vsscare.accounts.principal import Principal
from vsscare.core.errors import AppError
from vsscare.requests import errors, queries, unit_actions
from vsscare.requests import unit_queries as uq
from vsscare.requests.schemas import CODE_PATTERN
from vsscare.requests.unit_views_common import (
    TEXT_LIMIT,
    Csrf,
    ReadSession,
    WriteSession,
    page,
    refuse_unless,
    require_any,
    staff_names,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require_any("requests.decide", "requests.supervise"))]
PATH = "/console/decisions"


def _page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    done_code: str = "",
    error: AppError | None = None,
    failed: str = "",
    typed: str = "",
) -> HTMLResponse:
    waiting = uq.leadership_cases(session, principal, decided=False)
    decided = uq.leadership_cases(session, principal, decided=True)
    cases = waiting + decided
    names = staff_names(
        session, [c.escalation.created_by for c in cases], [c.escalation.decided_by for c in cases]
    )
    return page(
        request,
        "requests/decisions.html",
        principal,
        error.status if error else 200,
        waiting=waiting,
        decided=decided,
        names=names,
        can_decide=principal.has("requests.decide"),
        done_code=done_code,
        error=error,
        failed=failed,
        typed=typed,
    )


@router.get("/decisions", response_class=HTMLResponse)
def decisions(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    done: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return _page(request, principal, session, done_code=done if re.match(CODE_PATTERN, done) else "")


@router.post("/decisions/{code}", response_class=HTMLResponse)
def decide(
    request: Request,
    code: str,
    _csrf: Csrf,
    principal: Viewer,
    session: WriteSession,
    decision: Annotated[str, Form(max_length=TEXT_LIMIT)] = "",
) -> Response:
    refuse_unless(request, principal, "requests.decide")
    queries.get_visible(session, principal, code)  # unknown (404) or another province's (403)
    try:
        with session.begin_nested():
            if not decision.strip():
                raise AppError(errors.TEXT_REQUIRED)
            unit_actions.decide(session, principal.actor, code, decision)
    except AppError as exc:
        return _page(request, principal, session, error=exc, failed=code.strip().upper(), typed=decision)
    return RedirectResponse(f"{PATH}?" + urlencode({"done": code.strip().upper()}), status_code=303)
