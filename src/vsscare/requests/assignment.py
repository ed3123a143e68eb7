"""Who works on a request: by hand, or automatically among the team's online agents by skills
(topics) and load; agents' presence and skills."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, func, select, update
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
        session.execute(update(AgentProfile).where(AgentProfile.user_id == uid).values(last_assigned_at=now))
    event = ev.Assigned(
        code=request.code, assignee=name or username_of(session, uid), previous=previous, automatic=automatic
    )
    events.append(session, event, request.id, actor)


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


def online_agents(session: Session, team_unit_id: int | None, now: datetime) -> list[Row]:
    """(user_id, username, skills, max_open, last_assigned_at) of the team's agents online now;
    plain rows, because this runs on every new request."""
    stmt = (
        select(
            AgentProfile.user_id,
            User.username,
            AgentProfile.skills,
            AgentProfile.max_open,
            AgentProfile.last_assigned_at,
        )
        .join(User, User.id == AgentProfile.user_id)
        .where(
            AgentProfile.presence == "online",
            AgentProfile.seen_at >= now - ONLINE_WITHIN,
            User.is_active.is_(True),
            User.id.in_(holders("requests.work")),
        )
    )
    if team_unit_id is not None:
        stmt = stmt.where(User.org_unit_id == team_unit_id)
    return list(session.execute(stmt))


def open_load(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    stmt = (
        select(Request.assignee_id, func.count())
        .where(Request.assignee_id.in_(user_ids), Request.status.in_(ACTIVE))
        .group_by(Request.assignee_id)
    )
    return {uid: n for uid, n in session.execute(stmt)}


def assign_automatically(session: Session, request: Request, *, now: datetime | None = None) -> str | None:
    """The online agent of the team who handles the topic and has the fewest open requests
    (below their limit); ties go to whoever waited longest for one. Their username, or None when
    nobody fits."""
    now = now or utcnow()
    skilled = [
        p
        for p in online_agents(session, request.team_unit_id, now)
        if not p.skills or request.topic in p.skills
    ]
    load = open_load(session, [p.user_id for p in skilled])
    floor = datetime.min.replace(tzinfo=now.tzinfo)
    ranked = sorted(
        (p for p in skilled if load.get(p.user_id, 0) < p.max_open),
        key=lambda p: (load.get(p.user_id, 0) / p.max_open, p.last_assigned_at or floor, p.user_id),
    )
    if not ranked:
        return None
    chosen = ranked[0]
    assign_to(
        session, request, chosen.user_id, Actor.system("assignment"), automatic=True, name=chosen.username
    )
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
