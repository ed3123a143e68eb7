"""Units' side of transfers (their queue, accept, return, ask, settle), agents' own presence
and topics, saved views, and the customer's public status lookup. Included by
:mod:`vsscare.requests.api` under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.errors import AppError
from vsscare.orgunits.queries import unit_and_below
from vsscare.requests import actions, errors, queries, unit_actions
from vsscare.requests.api_common import (
    READ_ERRORS,
    UNIT_ERRORS,
    WRITE_ERRORS,
    Code,
    Csrf,
    ReadSession,
    UnitWorker,
    Viewer,
    Worker,
    WriteSession,
    error_doc,
)
from vsscare.requests.api_schemas import (
    AgentOut,
    FilterQuery,
    TransferOut,
    UnitQueueItem,
    UnitQueueOut,
    ViewOut,
    status_label,
    user_ids,
)
from vsscare.requests.lookup import lookup as customer_lookup
from vsscare.requests.schemas import FoundOut, LookupIn, PresenceIn, PublicMessage, ReasonIn, SkillsIn, ViewIn

router = APIRouter()


# -- units ---------------------------------------------------------------------------------------------


def _units(session: Session, principal: Principal) -> frozenset[int] | None:
    """The caller's unit and those under it; every unit for national supervisors."""
    if principal.has("requests.supervise") and principal.has("scope.all_provinces"):
        return None
    return unit_and_below(session, principal.org_unit_id)


def _transfer_out(session: Session, code: str, transfer_id: int) -> TransferOut:
    detail = queries.detail(session, actions.get(session, code))
    row = next(t for t in detail.transfers if t.id == transfer_id)
    names = queries.usernames(session, user_ids([row.created_by, row.handler]))
    return TransferOut.of(row, detail.units.get(row.unit_id, "?"), names)


@router.get(
    "/unit-queue",
    response_model=UnitQueueOut,
    summary="Transfers waiting for my units",
    responses=READ_ERRORS,
)
def unit_queue(principal: UnitWorker, session: ReadSession) -> UnitQueueOut:
    """Open transfers to the caller's unit and the units under it, nearest deadline first."""
    items = queries.unit_queue(session, _units(session, principal))
    refs = [ref for i in items for ref in (i.transfer.created_by, i.transfer.handler)]
    names = queries.usernames(session, user_ids(refs) | {i.request.assignee_id for i in items})
    units = queries.unit_codes(session, [i.request for i in items])
    return UnitQueueOut(items=[UnitQueueItem.of(i, names, units) for i in items])


@router.post(
    "/requests/{code}/unit/accept", response_model=TransferOut, summary="Unit: accept", responses=UNIT_ERRORS
)
def unit_accept(code: Code, principal: UnitWorker, _csrf: Csrf, session: WriteSession) -> TransferOut:
    """The unit takes the transfer on."""
    queries.get_visible(session, principal, code)
    row = unit_actions.accept_transfer(session, principal.actor, code, _units(session, principal))
    return _transfer_out(session, code, row.id)


@router.post(
    "/requests/{code}/unit/return", response_model=TransferOut, summary="Unit: return", responses=UNIT_ERRORS
)
def unit_return(
    code: Code, body: ReasonIn, principal: UnitWorker, _csrf: Csrf, session: WriteSession
) -> TransferOut:
    """Not this unit's to settle, or not enough to go on: back to the agent with the reason."""
    queries.get_visible(session, principal, code)
    row = unit_actions.return_transfer(session, principal.actor, code, body.text, _units(session, principal))
    return _transfer_out(session, code, row.id)


@router.post(
    "/requests/{code}/unit/ask",
    response_model=TransferOut,
    summary="Unit: ask the agent",
    responses=UNIT_ERRORS,
)
def unit_ask(
    code: Code, body: ReasonIn, principal: UnitWorker, _csrf: Csrf, session: WriteSession
) -> TransferOut:
    """A question for the agent (who answers with `…/info`)."""
    queries.get_visible(session, principal, code)
    row = unit_actions.ask_info(session, principal.actor, code, body.text, _units(session, principal))
    return _transfer_out(session, code, row.id)


@router.post(
    "/requests/{code}/unit/settle", response_model=TransferOut, summary="Unit: settle", responses=UNIT_ERRORS
)
def unit_settle(
    code: Code, body: ReasonIn, principal: UnitWorker, _csrf: Csrf, session: WriteSession
) -> TransferOut:
    """The result goes to the customer as a reply and resolves the request."""
    queries.get_visible(session, principal, code)
    row = unit_actions.settle(session, principal.actor, code, body.text, _units(session, principal))
    return _transfer_out(session, code, row.id)


# -- the agent's own settings and views ---------------------------------------------------------------------


@router.put("/agents/me/presence", response_model=AgentOut, summary="My presence", responses=WRITE_ERRORS)
def set_presence(body: PresenceIn, principal: Worker, _csrf: Csrf, session: WriteSession) -> AgentOut:
    """`online` agents receive requests automatically (while seen in the last 10 minutes)."""
    profile = actions.set_presence(session, principal.user_id, body.presence)
    return AgentOut.of(principal.username, profile)


@router.put("/agents/me/skills", response_model=AgentOut, summary="My topics", responses=WRITE_ERRORS)
def set_skills(body: SkillsIn, principal: Worker, _csrf: Csrf, session: WriteSession) -> AgentOut:
    """Topics you handle (empty: all) and how many open requests you take at most."""
    profile = actions.set_skills(session, principal.user_id, list(body.skills), body.max_open)
    return AgentOut.of(principal.username, profile)


VIEW_FIELDS = set(FilterQuery.model_fields) - {"limit", "cursor"}


@router.post(
    "/requests/views", response_model=ViewOut, status_code=201, summary="Save a view", responses=WRITE_ERRORS
)
def save_view(body: ViewIn, principal: Viewer, _csrf: Csrf, session: WriteSession) -> ViewOut:
    """A named set of queue filters (the query parameters of `GET /requests`)."""
    unknown = sorted(set(body.filters) - VIEW_FIELDS)
    if unknown:
        problem = {
            "loc": ("body", "filters", unknown[0][:40]),
            "msg": "unknown filter",
            "type": "extra_forbidden",
        }
        raise RequestValidationError([problem])
    try:
        filters = FilterQuery.model_validate(body.filters).filters().as_query()
    except ValidationError as exc:
        problems = [
            e | {"loc": ("body", "filters", *e["loc"])}
            for e in exc.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(problems) from exc
    try:
        view = actions.save_view(session, principal.user_id, body.name, filters)
    except IntegrityError as exc:  # the same name saved a moment ago
        raise AppError(errors.VIEW_NAME_TAKEN, name=body.name) from exc
    return ViewOut.model_validate(view, from_attributes=True)


@router.delete("/requests/views/{view_id}", status_code=204, summary="Delete a view", responses=WRITE_ERRORS)
def delete_view(
    view_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: Viewer, _csrf: Csrf, session: WriteSession
) -> Response:
    """Your own views only; deleting one that is gone is not an error."""
    actions.delete_view(session, principal.user_id, view_id)
    return Response(status_code=204)


# -- the customer's status lookup ------------------------------------------------------------------------


@router.post(
    "/requests/lookup",
    response_model=FoundOut,
    summary="Customer: look up a request",
    responses={
        404: error_doc("No request with this code and phone (`request_lookup_failed`, the same for both)"),
        422: error_doc("Not a phone number (`request_bad_phone`), or an invalid body"),
        429: error_doc("Too many failed attempts on this code within an hour (`request_lookup_locked`)"),
    },
)
def lookup(request: Request, body: LookupIn, session: WriteSession) -> FoundOut | JSONResponse:
    """Public: status, subject and the messages exchanged with the customer (never internal notes
    or staff names). A wrong code and a wrong phone get the same answer. Every attempt is audited;
    a code looked up wrongly five times in an hour answers nothing for the rest of the hour."""
    attempt = customer_lookup(session, crypto.keyring(request.app.state.settings), body.code, body.phone)
    if attempt.error is not None:  # answered, not raised: the audit row commits with the session
        return JSONResponse(attempt.error.as_dict(), status_code=attempt.error.status)
    row, messages = attempt.request, attempt.messages or []
    assert row is not None
    return FoundOut(
        code=row.code, status=row.status, status_label=status_label(row.status, public=True),
        subject=row.subject, created_at=row.created_at, updated_at=row.updated_at,
        messages=[PublicMessage(kind=m.kind, body=m.body, at=m.created_at) for m in messages],
    )  # fmt: skip
