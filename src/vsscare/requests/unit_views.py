"""Console pages of units and leadership: the unit handler queue and one transferred request as
the unit sees it. Leadership decisions, agents' skills, canned responses and SLA policies are in
:mod:`~vsscare.requests.unit_views_leadership`, :mod:`~vsscare.requests.admin_views` and
:mod:`~vsscare.requests.unit_views_sla`, mounted on this router at the end of this module.

A handler sees the transfers to their unit and the units under it; a supervisor with every
province sees every unit (and may filter by one). Every write goes through
:mod:`vsscare.requests.unit_actions` in a savepoint: a refusal leaves nothing behind and the page
comes back with the error and the text that was typed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from vsscare.accounts.principal import Principal
from vsscare.core.db import utcnow
from vsscare.core.errors import NOT_FOUND, AppError
from vsscare.orgunits.queries import unit_and_below
from vsscare.requests import errors, queries, sla, unit_actions
from vsscare.requests import unit_queries as uq
from vsscare.requests.schemas import CODE_PATTERN
from vsscare.requests.unit_views_common import (
    TEXT_LIMIT,
    Contact,
    Csrf,
    ReadSession,
    WriteSession,
    page,
    refuse_unless,
    require_any,
    staff_names,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require_any("units.work", "requests.supervise"))]
QUEUE = "/console/unit-queue"
# action → (the unit action's statuses it is offered in, the notice once done)
ACTIONS = {
    "accept": (("pending",), "accepted"),
    "ask_info": (("pending", "accepted"), "info_requested"),
    "return": (unit_actions.OPEN_TRANSFER, "returned"),
    "settle": (("pending", "accepted"), "settled"),
}
TRANSFER_EVENTS = (
    "request.transferred",
    "request.transfer_accepted",
    "request.info_requested",
    "request.info_provided",
    "request.transfer_returned",
    "request.settled",
)


# -- the queue ----------------------------------------------------------------------------------------


@router.get("/unit-queue", response_class=HTMLResponse)
def unit_queue(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    tab: Annotated[str, Query(max_length=20)] = "waiting",
    unit: Annotated[str, Query(max_length=40)] = "",
    done: Annotated[str, Query(max_length=30)] = "",
    code: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    # Values that make no sense are ignored rather than refused: this is a list page.
    tab = tab if tab in uq.TABS else "waiting"
    scope = uq.unit_scope(session, principal)
    choices = uq.units_in(session, scope)
    chosen = next((u for u in choices if u.code == unit.strip().upper()), None)
    units = scope
    if chosen is not None:
        below = unit_and_below(session, chosen.id)
        units = below if scope is None else below & scope
    now = utcnow()
    since = now - timedelta(days=uq.RECENT_DAYS)
    if tab in uq.CLOSED_TABS:
        items = uq.closed_transfers(session, units, uq.TABS[tab][0], since)
    else:
        items = queries.unit_queue(session, units, statuses=uq.TABS[tab], limit=uq.LIST_LIMIT)
    states = {
        i.transfer.id: uq.deadline_state(sla.calendar(session, i.transfer.unit_id), i.transfer.due_at, now)
        for i in items
        if tab not in uq.CLOSED_TABS
    }
    kept = {"unit": chosen.code} if chosen else {}
    return page(
        request,
        "requests/unit_queue.html",
        principal,
        tab=tab,
        items=items,
        states=states,
        counts=uq.tab_counts(session, units, since),
        names=staff_names(
            session, [i.transfer.created_by for i in items], [i.transfer.handler for i in items]
        ),
        choices=choices,
        chosen=chosen,
        many_units=scope is None or len(scope) > 1,
        tab_url=lambda t: f"{QUEUE}?" + urlencode(kept | ({"tab": t} if t != "waiting" else {})),
        done=done if done in {v[1] for v in ACTIONS.values()} else "",
        done_code=code if _valid_code(code) else "",
        limit=uq.LIST_LIMIT,
    )


def _valid_code(code: str) -> bool:
    return bool(re.match(CODE_PATTERN, code))


# -- one transferred request ---------------------------------------------------------------------------


def _detail(
    request: Request,
    principal: Principal,
    session: Session,
    code: str,
    *,
    error: AppError | None = None,
    submitted: dict[str, str] | None = None,
) -> HTMLResponse:
    req, transfer = uq.unit_transfer(session, code, uq.unit_scope(session, principal))
    detail = queries.detail(session, req)
    exchanges = [e for e in detail.history if e.type in TRANSFER_EVENTS]
    now = utcnow()
    refs = [t.created_by for t in detail.transfers] + [t.handler for t in detail.transfers]
    return page(
        request,
        "requests/unit_request.html",
        principal,
        error.status if error else 200,
        req=req,
        transfer=transfer,
        detail=detail,
        contact=Contact(req.contact_name, req.contact_phone_masked, req.contact_email),
        messages=[m for m in detail.messages if m.kind in ("inbound", "outbound")],
        exchanges=[e for e in exchanges if e.data.get("transfer_id") == transfer.id],
        state=uq.deadline_state(sla.calendar(session, transfer.unit_id), transfer.due_at, now),
        names=staff_names(session, refs, [r.actor for r in exchanges]),
        can_act=principal.has("units.work") and transfer.status in unit_actions.OPEN_TRANSFER,
        offered={name: transfer.status in statuses for name, (statuses, _d) in ACTIONS.items()},
        error=error,
        submitted=submitted or {},
    )


@router.get("/unit-queue/{code}", response_class=HTMLResponse)
def unit_request(request: Request, code: str, principal: Viewer, session: ReadSession) -> HTMLResponse:
    return _detail(request, principal, session, code)


def _run(
    session: Session, principal: Principal, units: frozenset[int] | None, code: str, action: str, text: str
) -> None:
    if action != "accept" and not text.strip():
        # Checked before the action runs: it marks the transfer before it reads the text.
        raise AppError(errors.TEXT_REQUIRED)
    actor = principal.actor
    if action == "accept":
        unit_actions.accept_transfer(session, actor, code, units)
    elif action == "ask_info":
        unit_actions.ask_info(session, actor, code, text, units)
    elif action == "return":
        unit_actions.return_transfer(session, actor, code, text, units)
    else:
        unit_actions.settle(session, actor, code, text, units)


@router.post("/unit-queue/{code}/{action}", response_class=HTMLResponse)
def unit_action(
    request: Request,
    code: str,
    action: str,
    _csrf: Csrf,
    principal: Viewer,
    session: WriteSession,
    text: Annotated[str, Form(max_length=TEXT_LIMIT)] = "",
) -> Response:
    if action not in ACTIONS:
        raise AppError(NOT_FOUND)
    refuse_unless(request, principal, "units.work")
    units = uq.unit_scope(session, principal)
    uq.unit_transfer(session, code, units)  # another unit's: 404 before anything
    try:
        with session.begin_nested():
            _run(session, principal, units, code, action, text)
    except AppError as exc:
        if exc.code == errors.TRANSFER_NOT_FOUND.code:
            raise
        return _detail(
            request, principal, session, code, error=exc, submitted={"action": action, "text": text}
        )
    done = ACTIONS[action][1]
    return RedirectResponse(
        f"{QUEUE}?" + urlencode({"done": done, "code": code.strip().upper()}), status_code=303
    )
