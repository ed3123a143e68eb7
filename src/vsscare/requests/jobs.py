"""Job handlers of requests: deliver outbound messages, check SLA checkpoints, close resolved
requests after the waiting period."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vsscare.core import events
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.jobs import JobContext, handler
from vsscare.requests import actions, sla, unit_actions
from vsscare.requests import events as ev
from vsscare.requests.delivery import DELIVER_JOB, sender_for
from vsscare.requests.models import Request, RequestMessage, SlaPolicy

SLA_ACTOR = Actor.system("sla")


@handler(DELIVER_JOB)
def deliver(ctx: JobContext, payload: dict[str, Any]) -> None:
    message = ctx.session.get(RequestMessage, int(payload["message_id"]))
    if message is None or message.delivery != "queued":
        return
    request = ctx.session.get_one(Request, message.request_id)
    send = sender_for(message.channel)
    if send is None:
        message.delivery = "portal"  # read on the portal with the code and phone
        return
    try:
        external = send(ctx.session, request, message)
    except Exception as exc:
        if ctx.is_last_attempt:
            message.delivery = "failed"
            message.delivery_error = f"{type(exc).__name__}: {exc}"[:500]
            return
        raise
    message.delivery = "sent"
    message.external_id = message.external_id or external


@handler(actions.AUTOCLOSE_JOB)
def autoclose(ctx: JobContext, payload: dict[str, Any]) -> None:
    actions.autoclose(ctx.session, int(payload["request_id"]), datetime.fromisoformat(payload["resolved_at"]))


@handler(sla.CHECK_JOB)
def sla_check(ctx: JobContext, payload: dict[str, Any]) -> None:
    request = ctx.session.get(Request, int(payload["request_id"]), with_for_update=True)
    if request is not None:
        check(ctx.session, request, utcnow())


def check(session: Session, request: Request, now: datetime) -> list[sla.Checkpoint]:
    """Fire every checkpoint that has come; escalate breaches as the policy says; wait for the next."""
    fired = [c for c in sla.checkpoints(request) if c.at <= now]
    if not fired:
        return []
    for point in fired:
        request.sla_marks = [*(request.sla_marks or []), point.mark]
        event_type = ev.SlaBreached if point.stage == "breached" else ev.SlaWarning
        events.append(
            session,
            event_type(code=request.code, target=point.target, due_at=point.at),
            request.id,
            SLA_ACTOR,
        )
    request.sla_state = sla.state_of(request)
    breached = {c.target for c in fired if c.stage == "breached"}
    policy = session.get(SlaPolicy, request.sla_policy) if request.sla_policy else None
    level = policy.escalate_to if policy else None
    if breached & {"complaint", "complaint_ack"}:
        level = "leadership" if "complaint" in breached else (level or "supervisor")
    if breached and level:
        reason = "SLA: " + ", ".join(sorted(breached))
        summary = proposal = None
        if level == "leadership":
            summary = f"{request.code}: {request.subject}"
            proposal = "Đề nghị Lãnh đạo chỉ đạo giải quyết yêu cầu đã quá hạn."
        with suppress(AppError):  # already escalated that far
            unit_actions.escalate(
                session,
                SLA_ACTOR,
                request.code,
                level,
                reason,
                summary=summary,
                proposal=proposal,
                automatic=True,
            )
    sla.schedule(session, request)
    return fired
