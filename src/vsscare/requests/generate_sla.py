"""SLA marks of a generated request as the checks (:func:`vsscare.requests.jobs.check`) would have
fired them over its life, the escalations breaches cause, and the jobs still waiting for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from vsscare.requests import sla
from vsscare.requests.actions import AUTOCLOSE_DAYS, AUTOCLOSE_JOB
from vsscare.requests.generate_world import ev

if TYPE_CHECKING:
    from vsscare.requests.generate_story import Story

_WARN = timedelta(days=sla.COMPLAINT_WARN_DAYS)


def _targets(r: dict[str, Any]) -> list[tuple[str, datetime | None, datetime, datetime | None, bool]]:
    """(target, warn, due, met at, stops while waiting for the customer)."""
    found = []
    if r["first_response_due"] is not None:
        found.append(
            (
                "first_response",
                r["first_response_warn"],
                r["first_response_due"],
                r["first_responded_at"],
                True,
            )
        )
    if r["resolution_due"] is not None:
        found.append(("resolution", r["resolution_warn"], r["resolution_due"], r["resolved_at"], True))
    if r["complaint_ack_due"] is not None:
        due = r["complaint_ack_due"]
        found.append(("complaint_ack", due - _WARN, due, r["complaint_accepted_at"], False))
    if r["complaint_due"] is not None:
        due = r["complaint_due"]
        found.append(("complaint", due - _WARN, due, r["resolved_at"], False))
    return found


def settle_sla(story: Story) -> None:
    r, now = story.r, story.w.now
    active = r["status"] not in ("resolved", "closed")
    fired: list[tuple[datetime, str, str]] = []
    pending: list[datetime] = []
    for target, warn, due, met, pauses in _targets(r):
        stop = met or (r["sla_paused_at"] if pauses and r["sla_paused_at"] else now)
        for stage, moment in (("warning", warn or due), ("breached", due)):
            if moment < stop and moment <= now:
                fired.append((moment, target, stage))
            elif active and met is None and not (pauses and r["sla_paused_at"]):
                pending.append(moment)
    policy = story.policy
    for moment, target, stage in sorted(fired):
        r["sla_marks"].append(f"{target}:{stage}")
        event = ev.SlaBreached if stage == "breached" else ev.SlaWarning
        story._event(event(code=story.code, target=target, due_at=moment), "system", at=moment)
        if stage != "breached":
            continue
        level = policy.escalate_to if policy else None
        if target in ("complaint", "complaint_ack"):
            level = "leadership" if target == "complaint" else (level or "supervisor")
        if level:
            story._escalate(level, f"SLA: {target}", "system", automatic=True, at=moment)
    marks = r["sla_marks"]
    r["sla_state"] = (
        "breached"
        if any(m.endswith(":breached") for m in marks)
        else "warning"
        if any(m.endswith(":warning") for m in marks)
        else "ok"
    )
    if pending:
        at = min(pending)
        story.rows.jobs.append(_job(story, sla.CHECK_JOB, {"request_id": story.id, "at": at.isoformat()}, at))
    if r["status"] == "resolved":
        at = r["resolved_at"] + timedelta(days=AUTOCLOSE_DAYS)
        payload = {"request_id": story.id, "resolved_at": r["resolved_at"].isoformat()}
        story.rows.jobs.append(_job(story, AUTOCLOSE_JOB, payload, at))


def _job(story: Story, kind: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "kind": kind, "payload": payload, "status": "queued", "priority": 0, "run_at": at, "attempts": 0,
        "max_attempts": None, "locked_by": None, "locked_until": None, "last_error": None, "key": None,
        "correlation_id": story.w.run_id, "created_at": story.w.now, "finished_at": None,
    }  # fmt: skip
