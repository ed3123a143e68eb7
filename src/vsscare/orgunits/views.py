"""Staff pages: the unit list (search, filters) and a unit's detail (contacts, hours, days off)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core.web import read_session, render
from vsscare.orgunits import queries
from vsscare.orgunits.calendar import DAYS, VN_TZ
from vsscare.orgunits.models import UNIT_KINDS

router = APIRouter(prefix="/console", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("orgunits.view"))]
ReadSession = Annotated[Session, Depends(read_session)]
UPCOMING_DAYS = 12


@router.get("/units", response_class=HTMLResponse)
def units_page(
    request: Request,
    principal: Viewer,
    session: ReadSession,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: str = "",
    province: str = "",
) -> HTMLResponse:
    # Form values that make no sense are ignored rather than refused: this is a search page.
    kind = kind if kind in UNIT_KINDS else ""
    province = province if len(province) == 2 and province.isdigit() else ""
    total, units = queries.list_units(
        session, kind=kind or None, province=province or None, q=q or None, limit=500
    )
    return render(
        request,
        "orgunits/list.html",
        {
            "principal": principal,
            "units": units,
            "total": total,
            "codes": queries.parent_codes(session),
            "provinces": queries.provinces(session),
            "kinds": UNIT_KINDS,
            "filters": {"q": q, "kind": kind, "province": province},
        },
    )


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(request: Request, code: str, principal: Viewer, session: ReadSession) -> HTMLResponse:
    unit = queries.get_unit(session, code)
    hours = queries.effective_hours(session, unit)
    calendar = queries.calendar_for(session, unit.code)
    today = datetime.now(VN_TZ).date()
    upcoming = [
        d for year in (today.year, today.year + 1) for d in calendar.special_days(year) if d.day >= today
    ][:UPCOMING_DAYS]
    return render(
        request,
        "orgunits/detail.html",
        {
            "principal": principal,
            "unit": unit,
            "path": queries.ancestors(session, unit),
            "children": queries.children(session, unit),
            "hours": [(day, hours.get(day, []), day in (unit.hours or {})) for day in DAYS],
            "upcoming": upcoming,
        },
    )
