"""Writes that involve other units and leadership: transfer to a unit and the unit's work on it,
escalation to a supervisor or to the General Director, and complaints under the law.

    agent ─transfer(summary, deadline)─▶ unit: pending ─accept─▶ accepted ─settle(result)─▶ settled
                                               │                  │   └─ask_info ⇄ provide_info
                                               └──────return(reason)──────▶ back to the agent

A request has at most one open transfer. The settlement goes to the customer as a reply and
resolves the request; the agent sees it on the timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.core import events
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import errors, sla, workflow
from vsscare.requests import events as ev
from vsscare.requests.labels import ACTION_LABELS, TRANSFER_LABELS, both
from vsscare.requests.models import Request, RequestEscalation, RequestTransfer

OPEN_TRANSFER = workflow.OPEN_TRANSFER
TRANSFER_DAYS = 5  # working days a unit has by default
_LEVELS = {None: 0, "supervisor": 1, "leadership": 2}


def open_transfer(session: Session, request: Request) -> RequestTransfer | None:
    stmt = select(RequestTransfer).where(
        RequestTransfer.request_id == request.id, RequestTransfer.status.in_(OPEN_TRANSFER)
    )
    return session.scalar(stmt.order_by(RequestTransfer.id.desc()).limit(1))


def _unit_code(session: Session, unit_id: int) -> str:
    return session.scalar(select(OrgUnit.code).where(OrgUnit.id == unit_id)) or "?"


def transfer(
    session: Session,
    actor: Actor,
    code: str,
    unit_code: str,
    summary: str,
    *,
    due_at: datetime | None = None,
    version: int | None = None,
) -> RequestTransfer:
    """Send the request, with a summary of the problem and a deadline, to the unit that settles it."""
    request = workflow.for_work(session, code, version, "transfer")
    if request.status == "resolved":
        raise workflow.refused(request, "transfer")
    current = open_transfer(session, request)
    if current is not None:
        raise AppError(errors.TRANSFER_PENDING, code=request.code, unit=_unit_code(session, current.unit_id))
    unit = workflow.active_unit(session, unit_code)
    if not summary.strip():
        raise AppError(errors.SUMMARY_REQUIRED)
    now = utcnow()
    if due_at is not None:
        if due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=VN_TZ)
        if due_at <= now:
            raise AppError(errors.DEADLINE_PAST)
    else:
        due_at = sla.end_of_working_day(sla.calendar(session, unit.id), now, TRANSFER_DAYS)
    row = RequestTransfer(
        request_id=request.id, unit_id=unit.id, status="pending", summary=summary, due_at=due_at,
        created_by=actor.ref, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    request.unit_id = unit.id
    workflow.change_status(session, request, "pending_unit", actor, now)
    events.append(
        session,
        ev.Transferred(code=request.code, transfer_id=row.id, unit=unit.code, due_at=due_at),
        request.id,
        actor,
    )
    local_due = due_at.astimezone(VN_TZ).strftime("%d/%m/%Y")
    unit_name = unit.name if request.lang == "vi" else (unit.name_en or unit.name)
    workflow.notify(session, request, "transferred", unit=unit_name, due=local_due)
    return row


def _unit_work(
    session: Session, code: str, units: frozenset[int] | None, action: str, *allowed: str
) -> tuple[Request, RequestTransfer]:
    """The request and its open transfer, which must be to one of ``units`` (None: any unit)."""
    request = workflow.get(session, code, lock=True)
    row = open_transfer(session, request)
    if row is None or (units is not None and row.unit_id not in units):
        raise AppError(errors.TRANSFER_NOT_FOUND, code=request.code)
    if row.status not in allowed:
        status, status_en = both(TRANSFER_LABELS, row.status)
        verb, verb_en = both(ACTION_LABELS, action)
        raise AppError(
            errors.TRANSFER_BAD_STATUS, status=status, status_en=status_en, action=verb, action_en=verb_en
        )
    return request, row


def _required(text: str) -> str:
    if not text or not text.strip():
        raise AppError(errors.TEXT_REQUIRED)
    return text


def accept_transfer(
    session: Session, actor: Actor, code: str, units: frozenset[int] | None
) -> RequestTransfer:
    request, row = _unit_work(session, code, units, "accept", "pending")
    row.status = "accepted"
    row.handler = actor.ref
    row.accepted_at = utcnow()
    unit = _unit_code(session, row.unit_id)
    events.append(
        session, ev.TransferAccepted(code=request.code, transfer_id=row.id, unit=unit), request.id, actor
    )
    workflow.touch(request, row.accepted_at)
    return row


def return_transfer(
    session: Session, actor: Actor, code: str, reason: str, units: frozenset[int] | None
) -> RequestTransfer:
    """Not this unit's to settle (or not enough to go on): back to the agent, with the reason."""
    _required(reason)
    request, row = _unit_work(session, code, units, "return", *OPEN_TRANSFER)
    row.status = "returned"
    row.reason = reason
    row.handler = row.handler or actor.ref
    row.closed_at = utcnow()
    request.unit_id = None
    unit = _unit_code(session, row.unit_id)
    events.append(
        session,
        ev.TransferReturned(code=request.code, transfer_id=row.id, unit=unit, reason=reason),
        request.id,
        actor,
    )
    workflow.change_status(session, request, "open", actor, row.closed_at, reason="returned_by_unit")
    return row


def ask_info(
    session: Session, actor: Actor, code: str, question: str, units: frozenset[int] | None
) -> RequestTransfer:
    _required(question)
    request, row = _unit_work(session, code, units, "ask_info", "pending", "accepted")
    row.status = "info_requested"
    row.question = question
    row.handler = row.handler or actor.ref
    unit = _unit_code(session, row.unit_id)
    event = ev.InfoRequested(code=request.code, transfer_id=row.id, unit=unit, question=question)
    events.append(session, event, request.id, actor)
    workflow.touch(request, utcnow())
    return row


def provide_info(
    session: Session, actor: Actor, code: str, answer: str, *, version: int | None = None
) -> RequestTransfer:
    """The agent answers the unit's question; the unit carries on."""
    _required(answer)
    request, row = _unit_work(session, code, None, "provide_info", "info_requested")
    workflow.check_version(request, version)
    row.status = "accepted" if row.accepted_at else "pending"
    unit = _unit_code(session, row.unit_id)
    event = ev.InfoProvided(code=request.code, transfer_id=row.id, unit=unit, answer=answer)
    events.append(session, event, request.id, actor)
    workflow.touch(request, utcnow())
    return row


def settle(
    session: Session,
    actor: Actor,
    code: str,
    result: str,
    units: frozenset[int] | None,
    *,
    autoclose_days: int = workflow.AUTOCLOSE_DAYS,
) -> RequestTransfer:
    """The unit's result goes to the customer as a reply and the request is resolved."""
    _required(result)
    request, row = _unit_work(session, code, units, "settle", "pending", "accepted")
    now = utcnow()
    row.status = "settled"
    row.result = result
    row.handler = row.handler or actor.ref
    row.accepted_at = row.accepted_at or now
    row.closed_at = now
    unit = _unit_code(session, row.unit_id)
    event = ev.Settled(code=request.code, transfer_id=row.id, unit=unit, late=now > row.due_at)
    events.append(session, event, request.id, actor)
    message = workflow.add_message(session, request, "outbound", result, actor, now=now)
    events.append(session, ev.Replied(code=request.code, message_id=message.id), request.id, actor)
    if request.first_responded_at is None:
        request.first_responded_at = now
    workflow.mark_resolved(session, request, actor, now, autoclose_days)
    return row


def escalate(
    session: Session,
    actor: Actor,
    code: str,
    level: str,
    reason: str,
    *,
    summary: str | None = None,
    proposal: str | None = None,
    automatic: bool = False,
    version: int | None = None,
) -> RequestEscalation:
    """To a supervisor, or to leadership with the case summarised for the General Director."""
    _required(reason)
    request = workflow.get(session, code, lock=True)
    workflow.check_version(request, version)
    if request.status == "closed":
        raise workflow.refused(request, "escalate")
    if _LEVELS[request.escalation_level] >= _LEVELS[level]:
        raise AppError(errors.ALREADY_ESCALATED, code=request.code, level=request.escalation_level)
    if level == "leadership" and not (summary and summary.strip() and proposal and proposal.strip()):
        raise AppError(errors.SUMMARY_REQUIRED)
    row = RequestEscalation(
        request_id=request.id, level=level, reason=reason, summary=summary, proposal=proposal,
        created_by=actor.ref,
    )  # fmt: skip
    session.add(row)
    session.flush()
    request.escalation_level = level
    if request.priority in ("low", "normal"):
        request.priority = "high"
    workflow.touch(request, utcnow())
    event = ev.Escalated(
        code=request.code, escalation_id=row.id, level=level, reason=reason, automatic=automatic
    )
    events.append(session, event, request.id, actor)
    return row


def decide(session: Session, actor: Actor, code: str, decision: str) -> RequestEscalation:
    """Leadership's decision on a case submitted to it; the agent carries it out."""
    _required(decision)
    request = workflow.get(session, code, lock=True)
    row = session.scalar(
        select(RequestEscalation)
        .where(
            RequestEscalation.request_id == request.id,
            RequestEscalation.level == "leadership",
            RequestEscalation.decided_at.is_(None),
        )
        .order_by(RequestEscalation.id.desc())
        .limit(1)
    )
    if row is None:
        raise AppError(errors.ESCALATION_NOT_FOUND, code=request.code)
    row.decision = decision
    row.decided_by = actor.ref
    row.decided_at = utcnow()
    events.append(session, ev.Decided(code=request.code, escalation_id=row.id), request.id, actor)
    workflow.touch(request, row.decided_at)
    return row


def accept_complaint(
    session: Session,
    actor: Actor,
    code: str,
    *,
    complex: bool = False,
    remote: bool = False,
    version: int | None = None,
) -> Request:
    """Accept (thụ lý) a complaint, or change whether it is complex or remote: the settlement
    deadline runs from the acceptance (30/45/60 days, see :mod:`vsscare.requests.sla`)."""
    request = workflow.for_work(session, code, version, "complaint")
    if request.type != "complaint":
        raise AppError(errors.NOT_A_COMPLAINT, code=request.code)
    first = request.complaint_accepted_at is None
    now = utcnow()
    request.complaint_accepted_at = request.complaint_accepted_at or now
    request.complaint_complex = complex
    request.complaint_remote = remote
    request.complaint_due = sla.complaint_due(session, request)
    workflow.touch(request, now)
    event = ev.ComplaintAccepted(
        code=request.code, due_at=request.complaint_due, complex=complex, remote=remote
    )
    events.append(session, event, request.id, actor)
    if first:
        last_day = (request.complaint_due - timedelta(seconds=1)).astimezone(VN_TZ)
        workflow.notify(session, request, "complaint_accepted", due=last_day.strftime("%d/%m/%Y"))
    sla.schedule(session, request)
    return request
