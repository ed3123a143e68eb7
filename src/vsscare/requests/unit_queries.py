"""Reads behind the unit, leadership and supervisor pages: which units a person answers for,
their transfers and the counts per tab, the cases before leadership, a team's agents and the SLA
policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.accounts.principal import Principal
from vsscare.accounts.queries import holders
from vsscare.core.errors import AppError, ErrorCode
from vsscare.orgunits.calendar import VN_TZ, BusinessCalendar
from vsscare.orgunits.models import OrgUnit
from vsscare.orgunits.queries import unit_and_below
from vsscare.requests import actions, errors
from vsscare.requests.models import AgentProfile, Request, RequestEscalation, RequestTransfer, SlaPolicy
from vsscare.requests.queries import UnitItem, visible_clause
from vsscare.requests.unit_actions import OPEN_TRANSFER

# Tabs of the unit queue → the transfer statuses they list.
TABS: dict[str, tuple[str, ...]] = {
    "waiting": ("pending", "accepted"),
    "info": ("info_requested",),
    "settled": ("settled",),
    "returned": ("returned",),
}
CLOSED_TABS = ("settled", "returned")
RECENT_DAYS = 30  # closed transfers stay on the settled and returned tabs this long
LIST_LIMIT = 200
AGENT_NOT_FOUND = ErrorCode(
    "agent_not_found",
    "Không có điện thoại viên “{username}” đang hoạt động trong nhóm bạn phụ trách.",
    "There is no active agent “{username}” on the team you supervise.",
    404,
)
DEFAULT_MAX_OPEN = 30  # AgentProfile's default, for agents who never had a profile
MAX_DAYS_OFF = 120  # listed by the SLA calculator; longer spans say "and more"


def unit_scope(session: Session, principal: Principal) -> frozenset[int] | None:
    """Units whose transfers the principal sees (None: every unit).

    A handler sees their unit and the units under it; a supervisor with every province sees
    every unit, one limited to provinces also sees the units of those provinces."""
    supervisor = principal.has("requests.supervise")
    if supervisor and principal.provinces is None:
        return None
    units = unit_and_below(session, principal.org_unit_id)
    if supervisor and principal.provinces:
        wanted = sorted(principal.provinces)
        units |= frozenset(session.scalars(select(OrgUnit.id).where(OrgUnit.province_code.in_(wanted))))
    return units


def units_in(session: Session, scope: frozenset[int] | None) -> list[OrgUnit]:
    """Active units of a scope (all when None), by code, for the unit filter and the calculator."""
    stmt = select(OrgUnit).where(OrgUnit.is_active.is_(True)).order_by(OrgUnit.code)
    if scope is not None:
        stmt = stmt.where(OrgUnit.id.in_(sorted(scope)))
    return list(session.scalars(stmt))


def closed_transfers(
    session: Session, units: frozenset[int] | None, status: str, since: datetime, *, limit: int = LIST_LIMIT
) -> list[UnitItem]:
    """Transfers settled or returned since ``since``, latest first."""
    stmt = (
        select(RequestTransfer, Request, OrgUnit.code)
        .join(Request, Request.id == RequestTransfer.request_id)
        .join(OrgUnit, OrgUnit.id == RequestTransfer.unit_id)
        .where(RequestTransfer.status == status, RequestTransfer.closed_at >= since)
        .order_by(RequestTransfer.closed_at.desc(), RequestTransfer.id.desc())
        .limit(limit)
    )
    if units is not None:
        stmt = stmt.where(RequestTransfer.unit_id.in_(sorted(units)))
    return [UnitItem(t, r, c) for t, r, c in session.execute(stmt)]


def tab_counts(session: Session, units: frozenset[int] | None, since: datetime) -> dict[str, int]:
    """How many transfers each tab lists (closed ones: since ``since``)."""
    closed = [s for tab in CLOSED_TABS for s in TABS[tab]]
    stmt = (
        select(RequestTransfer.status, func.count())
        .where(
            or_(
                RequestTransfer.status.in_(list(OPEN_TRANSFER)),
                and_(RequestTransfer.status.in_(closed), RequestTransfer.closed_at >= since),
            )
        )
        .group_by(RequestTransfer.status)
    )
    if units is not None:
        stmt = stmt.where(RequestTransfer.unit_id.in_(sorted(units)))
    by_status = dict(session.execute(stmt).all())
    return {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in TABS.items()}


def deadline_state(cal: BusinessCalendar, due: datetime, now: datetime) -> str:
    """``overdue``, ``soon`` (one working day or less left, in the unit's hours) or ``ok``."""
    if due <= now:
        return "overdue"
    open_days = sum(1 for spans in cal.weekly if spans) or 1
    return "soon" if cal.between(now, due) <= cal.weekly_hours() / open_days else "ok"


def unit_transfer(
    session: Session, code: str, units: frozenset[int] | None
) -> tuple[Request, RequestTransfer]:
    """The request and its latest transfer to one of ``units``. Unknown codes and transfers to
    other units get the same answer, so nobody learns of requests that are not theirs."""
    request = session.scalar(select(Request).where(Request.code == code.strip().upper()[:30]))
    stmt = select(RequestTransfer).order_by(RequestTransfer.id.desc()).limit(1)
    row = None
    if request is not None:
        stmt = stmt.where(RequestTransfer.request_id == request.id)
        if units is not None:
            stmt = stmt.where(RequestTransfer.unit_id.in_(sorted(units)))
        row = session.scalar(stmt)
    if request is None or row is None:
        raise AppError(errors.TRANSFER_NOT_FOUND, code=code[:30])
    return request, row


# -- leadership --------------------------------------------------------------------------------------


@dataclass
class Case:
    escalation: RequestEscalation
    request: Request


def leadership_cases(
    session: Session, principal: Principal, *, decided: bool, limit: int = LIST_LIMIT
) -> list[Case]:
    """Cases submitted to leadership that the principal may see: waiting ones oldest first (the
    longest wait on top), decided ones latest decision first."""
    stmt = (
        select(RequestEscalation, Request)
        .join(Request, Request.id == RequestEscalation.request_id)
        .where(RequestEscalation.level == "leadership", visible_clause(session, principal))
        .limit(limit)
    )
    if decided:
        stmt = stmt.where(RequestEscalation.decided_at.is_not(None)).order_by(
            RequestEscalation.decided_at.desc(), RequestEscalation.id.desc()
        )
    else:
        stmt = stmt.where(RequestEscalation.decided_at.is_(None)).order_by(RequestEscalation.id)
    return [Case(e, r) for e, r in session.execute(stmt)]


# -- agents ------------------------------------------------------------------------------------------


@dataclass
class Agent:
    user: User
    profile: AgentProfile | None
    unit_code: str | None
    open_count: int
    presence: str  # online | away | offline, as it stands now

    @property
    def skills(self) -> list[str]:
        return list(self.profile.skills) if self.profile else []

    @property
    def max_open(self) -> int:
        return self.profile.max_open if self.profile else DEFAULT_MAX_OPEN

    @property
    def seen_at(self) -> datetime | None:
        return self.profile.seen_at if self.profile else None


def presence_now(profile: AgentProfile | None, now: datetime) -> str:
    """Online only while seen recently; an agent who went quiet counts as away."""
    if profile is None or profile.presence == "offline":
        return "offline"
    if profile.presence == "online" and (
        profile.seen_at is None or now - profile.seen_at > actions.ONLINE_WITHIN
    ):
        return "away"
    return profile.presence


def team_agents(session: Session, principal: Principal, now: datetime) -> list[Agent]:
    """Active users who work on requests: the principal's unit, or everyone with every province."""
    stmt = (
        select(User, AgentProfile, OrgUnit.code)
        .outerjoin(AgentProfile, AgentProfile.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(User.is_active.is_(True), User.id.in_(holders("requests.work")))
        .order_by(User.full_name, User.username)
    )
    if principal.provinces is not None:
        stmt = stmt.where(User.org_unit_id == principal.org_unit_id)
    rows = session.execute(stmt).all()
    load = actions.open_load(session, [user.id for user, _, _ in rows])
    return [Agent(u, p, c, load.get(u.id, 0), presence_now(p, now)) for u, p, c in rows]


def team_agent(session: Session, principal: Principal, username: str, now: datetime) -> Agent:
    for agent in team_agents(session, principal, now):
        if agent.user.username == username.strip().lower():
            return agent
    raise AppError(AGENT_NOT_FOUND, username=username[:60])


def own_profile(session: Session, user_id: int) -> AgentProfile | None:
    return session.get(AgentProfile, user_id)


# -- SLA -------------------------------------------------------------------------------------------


def policies(session: Session) -> Sequence[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.sort_order, SlaPolicy.code)))


@dataclass
class DayOff:
    day: date
    name: str | None  # the holiday's name; None for a weekend day
    name_en: str | None = None


def days_off_between(cal: BusinessCalendar, start: datetime, end: datetime) -> list[DayOff]:
    """Local dates from ``start``'s to ``end``'s (both included) on which the unit does not work."""
    first, last = start.astimezone(VN_TZ).date(), end.astimezone(VN_TZ).date()
    special = {}
    for year in range(first.year, last.year + 1):
        special |= {d.day: d for d in cal.special_days(year) if d.kind == "off"}
    out: list[DayOff] = []
    day = first
    while day <= last and len(out) < MAX_DAYS_OFF:
        if not cal.is_working_day(day):
            found = special.get(day)
            out.append(DayOff(day, found.name if found else None, found.name_en if found else None))
        day += timedelta(days=1)
    return out
