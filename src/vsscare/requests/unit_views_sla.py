"""SLA policies as they are loaded (from YAML, with the command line), the Law on Complaints'
deadlines, and a calculator showing when N working hours from a moment end in a unit's calendar:
office hours, weekends, Tết and the other public holidays, and the unit's own days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.orgunits.calendar import DAYS, VN_TZ, BusinessCalendar, format_spans
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import sla
from vsscare.requests import unit_queries as uq
from vsscare.requests.unit_views_common import FORM_INVALID, ReadSession, field_problems, local_input, page

router = APIRouter(prefix="/console", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("requests.view"))]
MAX_HOURS = 2000.0  # about a working year: enough for any target, bounded for the walk
START_REASON = "cần ngày giờ dạng YYYY-MM-DDTHH:MM / a date and time as YYYY-MM-DDTHH:MM"
HOURS_REASON = f"cần số giờ lớn hơn 0, tối đa {MAX_HOURS:g} / hours above 0, at most {MAX_HOURS:g}"
UNIT_REASON = "không có đơn vị này / no such unit"


@dataclass
class Outcome:
    start: datetime
    hours: float
    clock_starts: datetime  # the start itself when open, else when the office next opens
    due: datetime
    days_off: list[uq.DayOff]
    complaint_ack: datetime  # last day to accept a complaint received at ``start``
    complaint_days: dict[tuple[bool, bool], tuple[int, datetime]]  # (complex, remote) → days, last day


def _bad(field: str, reason: str) -> AppError:
    first = f"{field}: {reason}"
    return AppError(
        FORM_INVALID, details={"errors": [{"field": field, "reason": reason}]}, count=1, first=first
    )


def _parse_start(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise _bad("start", START_REASON) from exc
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


def _parse_hours(value: str) -> float:
    try:
        hours = float(value.strip().replace(",", "."))
    except ValueError as exc:
        raise _bad("hours", HOURS_REASON) from exc
    if not 0 < hours <= MAX_HOURS:  # also refuses nan
        raise _bad("hours", HOURS_REASON)
    return hours


def _last_day(deadline: datetime) -> datetime:
    """A legal deadline is the midnight ending its last day: that day, for people to read."""
    return deadline - timedelta(seconds=1)


def calculate(cal: BusinessCalendar, start: datetime, hours: float) -> Outcome:
    due = cal.add(start, hours)
    complaint = {
        key: (days, _last_day(sla.legal_deadline(cal, start, days)))
        for key, days in sla.COMPLAINT_DAYS.items()
    }
    return Outcome(
        start=start,
        hours=hours,
        clock_starts=cal.next_open(start),
        due=due,
        days_off=uq.days_off_between(cal, start, due),
        complaint_ack=_last_day(sla.legal_deadline(cal, start, sla.COMPLAINT_ACK_DAYS)),
        complaint_days=complaint,
    )


def _unit(session: Session, choices: list[OrgUnit], code: str) -> OrgUnit | None:
    if not code.strip():
        return None
    found = next((u for u in choices if u.code == code.strip().upper()), None)
    if found is None:
        raise _bad("unit", UNIT_REASON)
    return found


def _own_unit(choices: list[OrgUnit], principal: Principal) -> str:
    return next((u.code for u in choices if u.id == principal.org_unit_id), "")


@router.get("/sla", response_class=HTMLResponse)
def sla_page(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    unit: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str, Query(max_length=40)] = "",
    hours: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    choices = uq.units_in(session, None)
    asked = bool(start or hours)
    form = {
        "unit": _own_unit(choices, principal) if unit is None else unit.strip().upper(),
        "start": start or local_input(utcnow()),
        "hours": hours or "40",
    }
    error: AppError | None = None
    outcome: Outcome | None = None
    chosen: OrgUnit | None = None
    try:
        chosen = _unit(session, choices, form["unit"])
        if asked:
            moment, amount = _parse_start(form["start"]), _parse_hours(form["hours"])
            outcome = calculate(sla.calendar(session, chosen.id if chosen else None), moment, amount)
    except AppError as exc:
        error = exc
    cal = sla.calendar(session, chosen.id if chosen else None)
    return page(
        request,
        "requests/sla.html",
        principal,
        error.status if error else 200,
        policies=uq.policies(session),
        ack_days=sla.COMPLAINT_ACK_DAYS,
        complaint_days=sla.COMPLAINT_DAYS,
        warn_days=sla.COMPLAINT_WARN_DAYS,
        basis=sla.COMPLAINT_BASIS,
        choices=choices,
        chosen=chosen,
        week=[(day, format_spans(spans)) for day, spans in zip(DAYS, cal.weekly, strict=True)],
        form=form,
        outcome=outcome,
        error=error,
        problems=field_problems(error),
    )
