"""Who works on a request: by hand, or automatically among the team's online agents by skills
(topics) and load; agents' presence and skills."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.accounts.queries import holders
from vsscare.core import events
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.requests import errors
from vsscare.requests import events as ev
from vsscare.requests.labels import TOPIC_LABELS, both
from vsscare.requests.models import ACTIVE, AgentProfile, Request
from vsscare.requests.workflow import change_status, for_work, staff_member, touch, username_of

ONLINE_WITHIN = timedelta(minutes=10)  # an agent online but not seen for longer is away


def assign_to(
    session: Session,
    request: Request,
    uid: int | None,
    actor: Actor,
    automatic: bool = False,
    name: str | None = None,
) -> None:
    """``name``: the new assignee's username when the caller has it (saves a query)."""
    previous = username_of(session, request.assignee_id)
    request.assignee_id = uid
    now = utcnow()
    touch(request, now)
    if uid is not None:
        mark_assigned(session, uid, now)
    event = ev.Assigned(
        code=request.code, assignee=name or username_of(session, uid), previous=previous, automatic=automatic
    )
    events.append(session, event, request.id, actor)


def mark_assigned(session: Session, uid: int, now: datetime) -> None:
    """Remember when the agent last got a request (ties in :func:`pick_agent` go to the longest wait)."""
    session.execute(_ASSIGNED_AT, {"uid": uid, "at": now})


def assign(
    session: Session, actor: Actor, code: str, username: str | None, *, version: int | None = None
) -> Request:
    request = for_work(session, code, version, "assign")
    uid = staff_member(session, username).id if username else None
    if uid != request.assignee_id:
        assign_to(session, request, uid, actor)
        if uid is not None and request.status == "new":
            change_status(session, request, "open", actor, utcnow())
    return request


def _online_agents(capped: bool) -> Select:
    """``capped``: count an agent's active requests only up to their limit, which is all
    :func:`pick_agent` needs; a busy agent's whole backlog is not read on every intake.
    SQLite refuses a LIMIT that names the outer row, so it counts them all."""
    active = select(Request.id).where(Request.assignee_id == AgentProfile.user_id, Request.status.in_(ACTIVE))
    if capped:
        active = active.limit(AgentProfile.max_open).correlate(AgentProfile)
        load = select(func.count()).select_from(active.subquery()).scalar_subquery()
    else:
        load = active.with_only_columns(func.count()).scalar_subquery()
    return (
        select(
            User.id,
            User.username,
            AgentProfile.skills,
            AgentProfile.max_open,
            AgentProfile.last_assigned_at,
            load.label("load"),
        )
        .join(User, User.id == AgentProfile.user_id)
        .where(
            AgentProfile.presence == "online",
            AgentProfile.seen_at >= bindparam("since"),
            User.is_active.is_(True),
            User.id.in_(holders("requests.work")),
        )
    )


_ONLINE = {  # (capped, in one team)
    (capped, False): _online_agents(capped) for capped in (False, True)
} | {
    (capped, True): _online_agents(capped).where(User.org_unit_id == bindparam("team"))
    for capped in (False, True)
}
_ASSIGNED_AT = (
    update(AgentProfile)
    .where(AgentProfile.user_id == bindparam("uid"))
    .values(last_assigned_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)


def online_agents(session: Session, team_unit_id: int | None, now: datetime) -> list[Row]:
    """(id, username, skills, max_open, last_assigned_at, load) of the team's agents online
    now, ``load`` being their active requests (on PostgreSQL counted up to ``max_open``)."""
    stmt = _ONLINE[session.get_bind().dialect.name == "postgresql", team_unit_id is not None]
    return list(session.execute(stmt, {"since": now - ONLINE_WITHIN, "team": team_unit_id}))


def open_load(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """Active requests per agent."""
    if not user_ids:
        return {}
    stmt = (
        select(Request.assignee_id, func.count())
        .where(Request.assignee_id.in_(user_ids), Request.status.in_(ACTIVE))
        .group_by(Request.assignee_id)
    )
    return {uid: n for uid, n in session.execute(stmt)}


def pick_agent(session: Session, team_unit_id: int | None, topic: str, now: datetime) -> Row | None:
    """The online agent of the team who handles the topic and has the fewest active requests
    (below their limit); ties go to whoever waited longest for one. None when nobody fits."""
    floor = datetime.min.replace(tzinfo=now.tzinfo)
    fit = [
        p
        for p in online_agents(session, team_unit_id, now)
        if (not p.skills or topic in p.skills) and p.load < p.max_open
    ]
    return min(fit, key=lambda p: (p.load / p.max_open, p.last_assigned_at or floor, p.id), default=None)


def assign_automatically(session: Session, request: Request, *, now: datetime | None = None) -> str | None:
    """Give the request to :func:`pick_agent`'s choice; their username, or None."""
    now = now or utcnow()
    chosen = pick_agent(session, request.team_unit_id, request.topic, now)
    if chosen is None:
        return None
    assign_to(session, request, chosen.id, Actor.system("assignment"), automatic=True, name=chosen.username)
    if request.status == "new":
        change_status(session, request, "open", Actor.system("assignment"), now)
    return chosen.username


def auto_assign(session: Session, actor: Actor, code: str, *, version: int | None = None) -> str:
    """Ask for the best online agent now (e.g. after a shift starts); refused when nobody fits."""
    request = for_work(session, code, version, "assign")
    chosen = assign_automatically(session, request)
    if chosen is None:
        topic, topic_en = both(TOPIC_LABELS, request.topic)
        raise AppError(errors.NO_AGENT_ONLINE, topic=topic, topic_en=topic_en)
    return chosen


def set_presence(session: Session, uid: int, presence: str, now: datetime | None = None) -> AgentProfile:
    profile = session.get(AgentProfile, uid) or AgentProfile(user_id=uid, skills=[], max_open=30)
    profile.presence = presence
    profile.seen_at = now or utcnow()
    session.add(profile)
    session.flush()
    return profile


def set_skills(session: Session, uid: int, skills: list[str], max_open: int) -> AgentProfile:
    profile = session.get(AgentProfile, uid) or AgentProfile(user_id=uid, presence="offline")
    profile.skills = list(dict.fromkeys(skills))
    profile.max_open = max_open
    session.add(profile)
    session.flush()
    return profile
