"""Service-level targets of a request, and the legal deadlines of complaints.

* **SLA policies** (table ``sla_policies``, loaded from ``data/requests/sla.yaml``) give a
  first-response and a resolution target in *working hours of the team's unit* (its business
  calendar: office hours, Vietnamese public holidays with Tết, the unit's own days). The clock
  stops while the request waits for the customer: on resuming, every due time moves on by the
  working time the pause lasted.
* **Complaints** also run on the Law on Complaints (02/2011/QH13): accepted (thụ lý) within 10
  days of receipt (art. 27) and settled within 30 days of acceptance, 45 for complex cases; in
  remote areas 45, and 60 when complex (art. 28). These are calendar days, the day of the event
  not counted; a period ending on a day off ends with the next working day (Civil Code
  91/2015/QH13, art. 147–148).
* **Checkpoints**: each target warns once (at ``warn_percent`` of the target, or a few days
  before a legal deadline) and breaches once. One job per request waits for the next checkpoint
  (:func:`next_check`); what fired is kept in ``sla_marks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vsscare.core import jobs
from vsscare.core.cache import PerDatabase
from vsscare.core.errors import AppError
from vsscare.orgunits import queries as orgunits
from vsscare.orgunits.calendar import VN_TZ, BusinessCalendar
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import errors
from vsscare.requests.models import CHANNELS, PRIORITIES, TYPES, Request, SlaPolicy

CHECK_JOB = "requests.sla_check"
COMPLAINT_ACK_DAYS = 10
COMPLAINT_DAYS = {
    (False, False): 30,
    (True, False): 45,
    (False, True): 45,
    (True, True): 60,
}  # (complex, remote)
COMPLAINT_WARN_DAYS = 3
COMPLAINT_BASIS = ("02/2011/QH13#27", "02/2011/QH13#28")


# -- policies --------------------------------------------------------------------------------------


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: list[str] = Field(min_length=1, max_length=2)
    type: str | None = None
    priority: str | None = None
    channel: str | None = None
    first_response_hours: float | None = Field(None, gt=0, le=10_000)
    resolution_hours: float = Field(gt=0, le=10_000)
    warn_percent: int = Field(80, ge=1, le=99)
    escalate_to: str | None = Field(None, pattern=r"^(supervisor|leadership)$")

    def check(self) -> None:
        for field, allowed in (("type", TYPES), ("priority", PRIORITIES), ("channel", CHANNELS)):
            value = getattr(self, field)
            if value is not None and value not in allowed:
                raise ValueError(f"{self.code}: {field} {value!r} ∉ {', '.join(allowed)}")


def load_policies(session: Session, path: Path) -> list[str]:
    """Replace the SLA policies with those of a YAML file (``policies:`` list). Returns their codes."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        items = [PolicyIn.model_validate(item) for item in raw.get("policies") or []]
        for item in items:
            item.check()
    except (OSError, yaml.YAMLError, ValidationError, ValueError, AttributeError) as exc:
        raise AppError(errors.SLA_FILE_INVALID, file=str(path), reason=str(exc).splitlines()[0]) from exc
    if not items or len({i.code for i in items}) != len(items):
        raise AppError(errors.SLA_FILE_INVALID, file=str(path), reason="no policies, or a code used twice")
    session.execute(delete(SlaPolicy))
    _policies.clear()
    for order, item in enumerate(items):
        session.add(
            SlaPolicy(
                code=item.code,
                name=item.name[0],
                name_en=item.name[-1],
                type=item.type,
                priority=item.priority,
                channel=item.channel,
                first_response_hours=item.first_response_hours,
                resolution_hours=item.resolution_hours,
                warn_percent=item.warn_percent,
                escalate_to=item.escalate_to,
                sort_order=order,
            )
        )
    session.flush()
    return [i.code for i in items]


@dataclass(frozen=True)
class Policy:
    """An active SLA policy as read once a minute per process (every new request needs one)."""

    code: str
    type: str | None
    priority: str | None
    channel: str | None
    first_response_hours: float | None
    resolution_hours: float
    warn_percent: int
    escalate_to: str | None
    sort_order: int


def _read_policies(session: Session) -> list[Policy]:
    rows = session.scalars(select(SlaPolicy).where(SlaPolicy.is_active.is_(True)))
    fields = ("code", "type", "priority", "channel", "first_response_hours", "resolution_hours")
    return [
        Policy(*(getattr(p, f) for f in fields), p.warn_percent, p.escalate_to, p.sort_order) for p in rows
    ]


_policies = PerDatabase(_read_policies)


def active_policies(session: Session) -> list[Policy]:
    return _policies.get(session)


def policy_for(session: Session, request_type: str, priority: str, channel: str) -> Policy | None:
    """The most specific active policy matching the request (empty fields match anything)."""
    best: tuple[int, int] | None = None
    chosen = None
    for policy in active_policies(session):
        fields = ((policy.type, request_type), (policy.priority, priority), (policy.channel, channel))
        if any(want is not None and want != have for want, have in fields):
            continue
        rank = (-sum(want is not None for want, _ in fields), policy.sort_order)
        if best is None or rank < best:
            best, chosen = rank, policy
    return chosen


# -- calendars -------------------------------------------------------------------------------------


def _read_calendar(session: Session, unit_id: int | None) -> BusinessCalendar:
    code = session.scalar(select(OrgUnit.code).where(OrgUnit.id == unit_id)) if unit_id else None
    return orgunits.calendar_for(session, code)


_calendars = PerDatabase(_read_calendar)


def calendar(session: Session, unit_id: int | None) -> BusinessCalendar:
    """The business calendar of a unit (national when None), reused for a minute per process."""
    return _calendars.get(session, unit_id)


def end_of_working_day(cal: BusinessCalendar, start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start``'s day (the start day not counted)."""
    day = start.astimezone(VN_TZ).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    closing = cal.closing_time(day)
    assert closing is not None
    return closing


def legal_deadline(cal: BusinessCalendar, start: datetime, days: int) -> datetime:
    """End (24:00 local) of the ``days``-th calendar day after ``start``; moved to the end of the
    next working day when that day is off."""
    day = start.astimezone(VN_TZ).date() + timedelta(days=days)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return _midnight_after(day)


def _midnight_after(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ).astimezone(UTC) + timedelta(days=1)


# -- targets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    target: str  # first_response | resolution | complaint_ack | complaint
    stage: str  # warning | breached
    at: datetime

    @property
    def mark(self) -> str:
        return f"{self.target}:{self.stage}"


def apply_policy(session: Session, request: Request, now: datetime) -> Policy | None:
    """Set the request's targets from its policy (and the complaint deadline), counted from ``now``."""
    policy = policy_for(session, request.type, request.priority, request.channel)
    cal = calendar(session, request.team_unit_id)
    request.sla_policy = policy.code if policy else None
    request.sla_marks = []
    request.first_response_due = request.first_response_warn = None
    request.resolution_due = request.resolution_warn = None
    if policy is not None:
        if policy.first_response_hours and request.first_responded_at is None:
            hours = policy.first_response_hours
            request.first_response_due = cal.add(now, hours)
            request.first_response_warn = cal.add(now, hours * policy.warn_percent / 100)
        request.resolution_due = cal.add(now, policy.resolution_hours)
        request.resolution_warn = cal.add(now, policy.resolution_hours * policy.warn_percent / 100)
    if request.type == "complaint" and request.complaint_accepted_at is None:
        request.complaint_ack_due = legal_deadline(cal, request.created_at or now, COMPLAINT_ACK_DAYS)
    request.sla_state = "ok"
    return policy


def complaint_due(session: Session, request: Request) -> datetime:
    cal = calendar(session, request.team_unit_id)
    days = COMPLAINT_DAYS[(request.complaint_complex, request.complaint_remote)]
    assert request.complaint_accepted_at is not None
    return legal_deadline(cal, request.complaint_accepted_at, days)


def pause(request: Request, now: datetime) -> None:
    if request.sla_paused_at is None:
        request.sla_paused_at = now


def resume(session: Session, request: Request, now: datetime) -> None:
    """Move the working-hours targets on by the working time spent waiting for the customer."""
    if request.sla_paused_at is None:
        return
    cal = calendar(session, request.team_unit_id)
    waited = cal.between(request.sla_paused_at, now)
    request.sla_paused_seconds = (request.sla_paused_seconds or 0) + int(waited.total_seconds())
    request.sla_paused_at = None
    shift(session, request, waited)


def shift(session: Session, request: Request, waited: timedelta) -> None:
    """Move the working-hours targets on by ``waited`` working time."""
    if waited <= timedelta(0):
        return
    cal = calendar(session, request.team_unit_id)
    for name in ("first_response_due", "first_response_warn", "resolution_due", "resolution_warn"):
        value = getattr(request, name)
        if value is not None:
            setattr(request, name, cal.add(value, waited))


def checkpoints(request: Request) -> list[Checkpoint]:
    """Warnings and breaches not yet fired that still matter, earliest first."""
    found: list[Checkpoint] = []
    marks = set(request.sla_marks or [])
    open_ = request.status not in ("resolved", "closed") and request.merged_into_id is None
    if open_ and request.sla_paused_at is None:
        if request.first_responded_at is None and request.first_response_due:
            found += [
                Checkpoint(
                    "first_response", "warning", request.first_response_warn or request.first_response_due
                ),
                Checkpoint("first_response", "breached", request.first_response_due),
            ]
        if request.resolution_due:
            found += [
                Checkpoint("resolution", "warning", request.resolution_warn or request.resolution_due),
                Checkpoint("resolution", "breached", request.resolution_due),
            ]
    if request.type == "complaint" and request.status != "closed" and request.merged_into_id is None:
        warn = timedelta(days=COMPLAINT_WARN_DAYS)
        if request.complaint_accepted_at is None and request.complaint_ack_due:
            due = request.complaint_ack_due
            found += [
                Checkpoint("complaint_ack", "warning", due - warn),
                Checkpoint("complaint_ack", "breached", due),
            ]
        if request.complaint_due and request.status != "resolved":
            due = request.complaint_due
            found += [
                Checkpoint("complaint", "warning", due - warn),
                Checkpoint("complaint", "breached", due),
            ]
    return sorted((c for c in found if c.mark not in marks), key=lambda c: c.at)


def next_check(request: Request) -> datetime | None:
    pending = checkpoints(request)
    return pending[0].at if pending else None


def schedule(session: Session, request: Request) -> None:
    """One job at the next checkpoint; a job whose moment no longer matches does nothing."""
    when = next_check(request)
    if when is not None:
        jobs.enqueue(session, CHECK_JOB, {"request_id": request.id, "at": when.isoformat()}, run_at=when)


def state_of(request: Request) -> str:
    marks = set(request.sla_marks or [])
    if any(m.endswith(":breached") for m in marks):
        return "breached"
    if any(m.endswith(":warning") for m in marks):
        return "warning"
    return "ok"


def due_soonest(request: Request) -> datetime | None:
    """The nearest deadline still running, for sorting queues."""
    pending = [c.at for c in checkpoints(request) if c.stage == "breached"]
    return min(pending) if pending else None
