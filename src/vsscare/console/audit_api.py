"""The audit log over the API (``GET /api/v1/audit``, ``audit.view``): the console's filters as
query parameters, newest first, a page at a time (``next_before``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.console import audit_queries
from vsscare.core.errors import ErrorBody
from vsscare.core.web import read_session

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

Auditor = Annotated[Principal, Depends(require("audit.view"))]
ReadSession = Annotated[Session, Depends(read_session)]


class EntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    outcome: str
    object_type: str | None
    object_id: str | None
    ip: str | None
    correlation_id: str | None
    details: dict[str, Any]


class PageOut(BaseModel):
    items: list[EntryOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page; null at the end")


@router.get(
    "",
    response_model=PageOut,
    summary="Search the audit log",
    responses={
        401: {"model": ErrorBody, "description": "Not signed in"},
        403: {"model": ErrorBody, "description": "Missing audit.view"},
        422: {"model": ErrorBody, "description": "Invalid parameter"},
    },
)
def search(
    principal: Auditor,
    session: ReadSession,
    action: Annotated[str, Query(max_length=80, description="Prefix, e.g. `customer.`")] = "",
    actor: Annotated[str, Query(max_length=80, description="`user:12`, or part of a name")] = "",
    outcome: Literal["", "ok", "denied", "failed"] = "",
    object_type: Annotated[str, Query(max_length=40)] = "",
    object_id: Annotated[str, Query(max_length=64)] = "",
    correlation_id: Annotated[str, Query(max_length=64)] = "",
    details: Annotated[str, Query(max_length=100, description="Text inside the details")] = "",
    since: Annotated[date | None, Query(description="Vietnam date, inclusive")] = None,
    until: Annotated[date | None, Query(description="Vietnam date, inclusive")] = None,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PageOut:
    """Staff limited to provinces see what their provinces' staff did and what was done to them."""
    filters = audit_queries.AuditFilter(
        action=action.strip(), actor=actor.strip(), outcome=outcome, object_type=object_type.strip(),
        object_id=object_id.strip(), correlation_id=correlation_id.strip(), details=details.strip(),
        since=since, until=until,
    )  # fmt: skip
    rows, older = audit_queries.page(session, principal, filters, before=before, size=limit)
    items = [EntryOut.model_validate(row, from_attributes=True) for row in rows]
    return PageOut(items=items, next_before=older)
