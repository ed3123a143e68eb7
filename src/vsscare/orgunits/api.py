"""JSON API of the orgunits domain: units and the working-time calculator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core.errors import AppError
from vsscare.core.web import read_session
from vsscare.orgunits import errors, queries
from vsscare.orgunits.calendar import DAYS, VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.orgunits.schemas import DayHours, UnitDetail, UnitKind, UnitList, UnitOut, WorkingTime

router = APIRouter(prefix="/api/v1", tags=["orgunits"])
Viewer = Annotated[Principal, Depends(require("orgunits.view"))]
ReadSession = Annotated[Session, Depends(read_session)]
MIN_YEAR, MAX_YEAR = 1990, 2100


def unit_out(unit: OrgUnit, codes: dict[int, str]) -> UnitOut:
    return UnitOut(
        code=unit.code,
        kind=unit.kind,
        name=unit.name,
        name_en=unit.name_en,
        short_name=unit.short_name,
        parent_code=codes.get(unit.parent_id) if unit.parent_id else None,
        province_code=unit.province_code,
        address=unit.address,
        commune=unit.commune,
        phone=unit.phone,
        email=unit.email,
        is_active=unit.is_active,
    )


def unit_detail(session: Session, unit: OrgUnit) -> UnitDetail:
    codes = queries.parent_codes(session)
    hours = queries.effective_hours(session, unit)
    return UnitDetail(
        **unit_out(unit, codes).model_dump(),
        path=[unit_out(u, codes) for u in queries.ancestors(session, unit)],
        children=[unit_out(u, codes) for u in queries.children(session, unit)],
        hours=[DayHours(day=day, intervals=hours.get(day, [])) for day in DAYS],
        own_hours=unit.hours,
    )


@router.get("/orgunits", response_model=UnitList, summary="List and search units")
def list_units(
    _principal: Viewer,
    session: ReadSession,
    q: Annotated[
        str | None, Query(max_length=100, description="Name or code, with or without accents")
    ] = None,
    kind: UnitKind | None = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", description="2-digit province code")] = None,
    parent: Annotated[str | None, Query(max_length=40, description="Parent unit code")] = None,
    include_inactive: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UnitList:
    total, units = queries.list_units(
        session,
        kind=kind,
        province=province,
        parent=parent,
        q=q,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
    )
    codes = queries.parent_codes(session)
    return UnitList(total=total, items=[unit_out(u, codes) for u in units])


@router.get("/orgunits/{code}", response_model=UnitDetail, summary="One unit with its children and hours")
def get_unit(code: str, _principal: Viewer, session: ReadSession) -> UnitDetail:
    return unit_detail(session, queries.get_unit(session, code))


def as_aware(value: datetime) -> datetime:
    """A time without a zone is Vietnam time (what people type)."""
    return value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value


@router.get("/calendar/working-time", response_model=WorkingTime, summary="Due time after N working hours")
def working_time(
    _principal: Viewer,
    session: ReadSession,
    start: Annotated[datetime, Query(description="ISO 8601; without an offset it is Vietnam time")],
    hours: Annotated[float, Query(ge=0, le=10000, description="Working hours to add")],
    unit: Annotated[
        str | None, Query(max_length=40, description="Unit code or 2-digit province code")
    ] = None,
) -> WorkingTime:
    calendar = queries.calendar_for(session, unit)
    resolved = queries.resolve(session, unit)
    begin = as_aware(start)
    if not MIN_YEAR <= begin.year <= MAX_YEAR:  # the holiday tables cover these years
        raise AppError(errors.BAD_TIME, value=start.isoformat())
    try:
        due = calendar.add(begin, hours)
    except ValueError as exc:
        raise AppError(errors.NO_WORKING_TIME, details={"reason": str(exc)}) from exc
    return WorkingTime(
        start=begin.astimezone(UTC),
        hours=hours,
        unit=resolved.code if resolved else None,
        province_code=resolved.province_code if resolved else None,
        due=due,
        due_local=due.astimezone(VN_TZ),
    )
