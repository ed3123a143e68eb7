"""Every write on a request: intake, messages, triage, assignment, status, merge and links.

Transfers to units, escalation and complaints are in :mod:`vsscare.requests.unit_actions`, built
on the helpers here.

Each action runs inside the caller's transaction, checks the request's version when the caller
says which version it saw (a newer one is a conflict, never a silent overwrite), appends typed
events and enqueues its jobs (replies to send, notices to the customer, the next SLA check) in
the same transaction.

    new ─┬─ reply/assign ─▶ open ◀──────── customer writes ────────┐
         │                   │ ├─ wait for customer ─▶ pending_customer (SLA paused)
         │                   │ └─ transfer ─▶ pending_unit ─ return ─▶ open
         └───────────────────┴──── resolve / unit settles ─▶ resolved ─▶ closed (after N days)
                                   customer writes within N days ─▶ reopened
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vsscare.accounts.models import RolePermission, User, UserRole
from vsscare.core import events, jobs
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import attachments as files
from vsscare.requests import errors, search, sla
from vsscare.requests import events as ev
from vsscare.requests.delivery import DELIVER_JOB
from vsscare.requests.labels import ACTION_LABELS, STATUS_LABELS, TOPIC_LABELS, both
from vsscare.requests.models import (
    ACTIVE,
    AgentProfile,
    AttachmentBlob,
    Request,
    RequestAttachment,
    RequestCounter,
    RequestLink,
    RequestMessage,
    RequestSearch,
    RequestTransfer,
    SavedView,
)
from vsscare.requests.notices import notice
from vsscare.requests.schemas import NewRequest

REOPEN_DAYS = 7  # a customer who writes within this many days after resolution reopens the request
AUTOCLOSE_DAYS = 7  # resolved requests close on their own after this many days
AUTOCLOSE_JOB = "requests.autoclose"
DEFAULT_TEAM = "CCC"  # the customer-care centre answers what no other unit was named for
OPEN_TRANSFER = ("pending", "accepted", "info_requested")
ONLINE_WITHIN = timedelta(minutes=10)  # an agent online but not seen for longer is away


# -- reading helpers ---------------------------------------------------------------------------------


def get(session: Session, code: str, *, lock: bool = False) -> Request:
    stmt = select(Request).where(Request.code == code.strip().upper())
    if lock:
        stmt = stmt.with_for_update()
    request = session.scalar(stmt)
    if request is None:
        raise AppError(errors.REQUEST_NOT_FOUND, code=code[:30])
    return request


def _for_work(session: Session, code: str, expected: int | None, action: str) -> Request:
    """The request to change: not merged away, not closed, at the version the caller saw."""
    request = get(session, code, lock=True)
    if request.merged_into_id is not None:
        target = session.get(Request, request.merged_into_id)
        raise AppError(errors.MERGED, code=request.code, target=target.code if target else "?")
    if request.status == "closed":
        raise refused(request, action)
    check_version(request, expected)
    return request


def refused(request: Request, action: str) -> AppError:
    """The request's status does not allow ``action`` (a key of ``ACTION_LABELS``)."""
    status, status_en = both(STATUS_LABELS, request.status)
    verb, verb_en = both(ACTION_LABELS, action)
    return AppError(
        errors.BAD_TRANSITION,
        code=request.code,
        status=status,
        status_en=status_en,
        action=verb,
        action_en=verb_en,
    )


def check_version(request: Request, expected: int | None) -> None:
    if expected is not None and request.version != expected:
        raise AppError(errors.VERSION_CONFLICT, code=request.code, version=request.version, expected=expected)


def user_id(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "user" and actor.id and actor.id.isdigit() else None


def _username(session: Session, uid: int | None) -> str | None:
    return session.scalar(select(User.username).where(User.id == uid)) if uid else None


def _unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip().upper(), OrgUnit.is_active))
    if unit is None:
        raise AppError(errors.UNIT_NOT_FOUND, unit=code[:40])
    return unit


def _staff(session: Session, username: str) -> User:
    """An active user who may work on requests."""
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_code == UserRole.role_code)
        .where(
            User.username == username.strip().lower(),
            User.is_active.is_(True),
            RolePermission.permission_code.in_(("requests.work", "units.work")),
        )
        .limit(1)
    )
    user = session.scalar(stmt)
    if user is None:
        raise AppError(errors.USER_NOT_FOUND, username=username[:60])
    return user


def _next_code(session: Session, now: datetime) -> str:
    """YC-<year>-<number>: one counter row per year, taken under its row lock."""
    year = now.astimezone(VN_TZ).year
    bump = (
        update(RequestCounter)
        .where(RequestCounter.year == year)
        .values(value=RequestCounter.value + 1)
        .returning(RequestCounter.value)
    )
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.add(RequestCounter(year=year, value=1))
            number = 1
        except IntegrityError:  # another request took the year's first number meanwhile
            number = session.execute(bump).scalar_one()
    return f"YC-{year}-{number:06d}"


# -- messages ----------------------------------------------------------------------------------------


def _message(
    session: Session,
    request: Request,
    kind: str,
    body: str,
    actor: Actor,
    *,
    channel: str | None = None,
    external_id: str | None = None,
    uploads: Sequence[files.Upload] = (),
    store: files.AttachmentStore | None = None,
    now: datetime | None = None,
) -> RequestMessage:
    checked = files.check_all(list(uploads)) if uploads else []
    message = RequestMessage(
        request_id=request.id,
        kind=kind,
        channel=channel or request.channel,
        external_id=external_id,
        author=actor.ref,
        author_name=actor.name,
        body=body,
        delivery="queued" if kind == "outbound" else None,
        created_at=now or utcnow(),
    )
    session.add(message)
    session.flush()
    if checked:
        if store is None:
            raise ValueError("attachments need a store")
        for item in checked:
            store.put(item)
            if session.get(AttachmentBlob, item.sha256) is None:
                session.add(
                    AttachmentBlob(sha256=item.sha256, size=item.size, content_type=item.content_type)
                )
            session.add(RequestAttachment(message_id=message.id, sha256=item.sha256, filename=item.filename))
        session.flush()
    if kind == "outbound":
        jobs.enqueue(session, DELIVER_JOB, {"message_id": message.id})
    return message


def _notify(session: Session, request: Request, about: str, **params: object) -> None:
    """A notice to the customer on their channel (or on the portal when it has no sender)."""
    if not (request.contact_phone or request.contact_email or request.external_ref):
        return
    text = notice(about, request.lang, code=request.code, **params)
    message = _message(session, request, "outbound", text, Actor.system("notices"))
    events.append(
        session, ev.CustomerNotified(code=request.code, message_id=message.id, about=about), request.id
    )


def _touch(request: Request, now: datetime) -> None:
    request.updated_at = now


def _set_status(
    session: Session, request: Request, new: str, actor: Actor, now: datetime, reason: str | None = None
):
    old = request.status
    if old == new:
        return
    if old == "pending_customer":
        sla.resume(session, request, now)
    if new == "pending_customer":
        sla.pause(request, now)
    request.status = new
    _touch(request, now)
    events.append(
        session, ev.StatusChanged(code=request.code, old=old, new=new, reason=reason), request.id, actor
    )
    if old == "pending_customer" or new == "pending_customer":
        sla.schedule(session, request)


# -- intake ------------------------------------------------------------------------------------------


def create(
    session: Session,
    actor: Actor,
    data: NewRequest,
    *,
    uploads: Sequence[files.Upload] = (),
    store: files.AttachmentStore | None = None,
    auto_assign: bool = True,
    now: datetime | None = None,
) -> Request:
    """A new request with the customer's first message. A channel's retry of the same message id
    returns the request it already created."""
    if data.external_id:
        known = session.scalar(
            select(RequestMessage.request_id).where(
                RequestMessage.channel == data.channel, RequestMessage.external_id == data.external_id
            )
        )
        if known is not None:
            return session.get_one(Request, known)
    now = now or utcnow()
    team = _unit(session, data.team) if data.team else _default_team(session, actor)
    assignee = _staff(session, data.assignee) if data.assignee else None
    request = Request(
        code=_next_code(session, now),
        channel=data.channel,
        type=data.type,
        topic=data.topic,
        priority=data.priority,
        status="new",
        subject=data.subject,
        lang=data.lang,
        customer_id=data.customer_id,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        contact_email=data.contact_email,
        external_ref=data.external_ref,
        province_code=data.province or (team.province_code if team else None),
        team_unit_id=team.id if team else None,
        assignee_id=assignee.id if assignee else None,
        tags=data.tags,
        created_by=actor.ref,
        created_at=now,
        updated_at=now,
        last_customer_at=now,
    )
    policy = sla.apply_policy(session, request, now)
    session.add(request)
    session.flush()
    # A phone call is recorded by the agent; the customer's words are still the customer's.
    message = _message(
        session, request, "inbound", data.body, actor, external_id=data.external_id, uploads=uploads,
        store=store, now=now,
    )  # fmt: skip
    search.index(
        session, request.id, search.folded(data.subject, data.contact_name, data.contact_email, data.body)
    )
    created = ev.Created(
        code=request.code,
        channel=request.channel,
        request_type=request.type,
        topic=request.topic,
        priority=request.priority,
        sla_policy=policy.code if policy else None,
    )
    events.append(session, created, request.id, actor)
    events.append(
        session,
        ev.MessageReceived(code=request.code, message_id=message.id, channel=request.channel),
        request.id,
        actor,
    )
    if assignee is not None:
        events.append(session, ev.Assigned(code=request.code, assignee=assignee.username), request.id, actor)
    elif auto_assign:
        assign_automatically(session, request, now=now)
    sla.schedule(session, request)
    if request.channel != "phone":  # a caller hears the code from the agent
        _notify(session, request, "created")
    return request


def _default_team(session: Session, actor: Actor) -> OrgUnit | None:
    uid = user_id(actor)
    if uid is not None:
        unit_id = session.scalar(select(User.org_unit_id).where(User.id == uid))
        if unit_id is not None:
            return session.get(OrgUnit, unit_id)
    return session.scalar(select(OrgUnit).where(OrgUnit.code == DEFAULT_TEAM))


def receive(
    session: Session,
    request: Request,
    body: str,
    actor: Actor,
    *,
    channel: str | None = None,
    external_id: str | None = None,
    uploads: Sequence[files.Upload] = (),
    store: files.AttachmentStore | None = None,
    reopen_days: int = REOPEN_DAYS,
    now: datetime | None = None,
) -> tuple[Request, RequestMessage | None]:
    """The customer wrote again. Merged requests pass it to the one that continues; a resolved
    request reopens within ``reopen_days``; after that, or once closed, a new linked request
    starts. A repeated ``external_id`` is ignored (message None)."""
    now = now or utcnow()
    if external_id and session.scalar(
        select(RequestMessage.id).where(
            RequestMessage.channel == (channel or request.channel), RequestMessage.external_id == external_id
        )
    ):
        return request, None
    while request.merged_into_id is not None:
        request = session.get_one(Request, request.merged_into_id)
    late = request.resolved_at is not None and now - request.resolved_at > timedelta(days=reopen_days)
    if request.status == "closed" or (request.status == "resolved" and late):
        follow = NewRequest(
            channel=channel or request.channel, type=request.type, topic=request.topic,
            priority=request.priority, subject=request.subject, body=body, lang=request.lang,
            contact_name=request.contact_name, contact_phone=request.contact_phone,
            contact_email=request.contact_email, customer_id=request.customer_id,
            province=request.province_code, external_ref=request.external_ref, external_id=external_id,
        )  # fmt: skip
        new = create(session, actor, follow, uploads=uploads, store=store, now=now)
        _link(session, actor, request, new, "follow_up")
        return new, None
    message = _message(
        session, request, "inbound", body, actor, channel=channel, external_id=external_id, uploads=uploads,
        store=store, now=now,
    )  # fmt: skip
    request.last_customer_at = now
    search.index(session, request.id, search.folded(body), append=True)
    events.append(
        session,
        ev.MessageReceived(code=request.code, message_id=message.id, channel=message.channel),
        request.id,
        actor,
    )
    if request.status == "resolved":
        _reopen(session, request, actor, now, by_customer=True)
    elif request.status == "pending_customer":
        _set_status(session, request, "open", actor, now, reason="customer_replied")
    else:
        _touch(request, now)
    return request, message


# -- messages from staff -----------------------------------------------------------------------------


def reply(
    session: Session,
    actor: Actor,
    code: str,
    body: str,
    *,
    version: int | None = None,
    then: str | None = None,
    uploads: Sequence[files.Upload] = (),
    store: files.AttachmentStore | None = None,
    autoclose_days: int = AUTOCLOSE_DAYS,
    now: datetime | None = None,
) -> RequestMessage:
    """A message to the customer, sent through the request's channel by the outbox job."""
    now = now or utcnow()
    request = _for_work(session, code, version, "reply")
    if not body.strip():
        raise AppError(errors.TEXT_REQUIRED)
    message = _message(session, request, "outbound", body, actor, uploads=uploads, store=store, now=now)
    first = request.first_responded_at is None
    if first:
        request.first_responded_at = now
    events.append(
        session, ev.Replied(code=request.code, message_id=message.id, first_response=first), request.id, actor
    )
    if request.assignee_id is None and (uid := user_id(actor)) is not None:
        _assign(session, request, uid, actor)
    target = then or "open"
    if target == "resolved":
        _resolve(session, request, actor, now, autoclose_days)
    elif request.status in ("new", "reopened", "open", "pending_customer"):
        _set_status(session, request, target, actor, now)
    _touch(request, now)
    if first:
        sla.schedule(session, request)
    return message


def note(
    session: Session,
    actor: Actor,
    code: str,
    body: str,
    *,
    version: int | None = None,
    uploads: Sequence[files.Upload] = (),
    store: files.AttachmentStore | None = None,
) -> RequestMessage:
    """An internal note: staff and units see it, the customer never does."""
    request = get(session, code, lock=True)
    check_version(request, version)
    if request.merged_into_id is not None:
        target = session.get(Request, request.merged_into_id)
        raise AppError(errors.MERGED, code=request.code, target=target.code if target else "?")
    if not body.strip():
        raise AppError(errors.TEXT_REQUIRED)
    message = _message(session, request, "note", body, actor, uploads=uploads, store=store)
    events.append(session, ev.Noted(code=request.code, message_id=message.id), request.id, actor)
    _touch(request, utcnow())
    return message


# -- assignment --------------------------------------------------------------------------------------


def _assign(
    session: Session,
    request: Request,
    uid: int | None,
    actor: Actor,
    automatic: bool = False,
    name: str | None = None,
) -> None:
    """``name``: the new assignee's username when the caller has it (saves a query)."""
    previous = _username(session, request.assignee_id)
    request.assignee_id = uid
    now = utcnow()
    _touch(request, now)
    if uid is not None:
        session.execute(update(AgentProfile).where(AgentProfile.user_id == uid).values(last_assigned_at=now))
    event = ev.Assigned(
        code=request.code, assignee=name or _username(session, uid), previous=previous, automatic=automatic
    )
    events.append(session, event, request.id, actor)


def assign(
    session: Session, actor: Actor, code: str, username: str | None, *, version: int | None = None
) -> Request:
    request = _for_work(session, code, version, "assign")
    uid = _staff(session, username).id if username else None
    if uid != request.assignee_id:
        _assign(session, request, uid, actor)
        if uid is not None and request.status == "new":
            _set_status(session, request, "open", actor, utcnow())
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
            User.id.in_(
                select(UserRole.user_id)
                .join(RolePermission, RolePermission.role_code == UserRole.role_code)
                .where(RolePermission.permission_code == "requests.work")
            ),
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
    _assign(
        session, request, chosen.user_id, Actor.system("assignment"), automatic=True, name=chosen.username
    )
    if request.status == "new":
        _set_status(session, request, "open", Actor.system("assignment"), now)
    return chosen.username


def auto_assign(session: Session, actor: Actor, code: str, *, version: int | None = None) -> str:
    """Ask for the best online agent now (e.g. after a shift starts); refused when nobody fits."""
    request = _for_work(session, code, version, "assign")
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


# -- triage and status -------------------------------------------------------------------------------


def triage(
    session: Session, actor: Actor, code: str, changes: dict, *, version: int | None = None
) -> Request:
    """Change topic, type, priority, subject, province or tags. A new type or priority may mean
    another SLA policy: targets are set again, counted from when the request arrived."""
    request = _for_work(session, code, version, "update")
    diff: dict[str, list] = {}
    for field in ("topic", "type", "priority", "subject", "province", "tags"):
        if field not in changes or changes[field] is None:
            continue
        column = "province_code" if field == "province" else field
        new = changes[field] or None if field == "province" else changes[field]
        old = getattr(request, column)
        if new != old:
            diff[field] = [old, new]
            setattr(request, column, new)
    if not diff:
        return request
    if "type" in diff or "priority" in diff:
        now = utcnow()
        sla.apply_policy(session, request, request.created_at)
        if request.sla_paused_seconds:
            sla.shift(session, request, timedelta(seconds=request.sla_paused_seconds))
        request.sla_state = sla.state_of(request)
        sla.schedule(session, request)
        _touch(request, now)
    if "subject" in diff:
        search.index(session, request.id, search.folded(request.subject), append=True)
    _touch(request, utcnow())
    events.append(session, ev.Updated(code=request.code, changes=diff), request.id, actor)
    return request


def set_status(
    session: Session,
    actor: Actor,
    code: str,
    status: str,
    *,
    reason: str | None = None,
    version: int | None = None,
) -> Request:
    """Open, or wait for the customer (the SLA clock stops until they write or an agent reopens)."""
    request = _for_work(session, code, version, "status")
    if request.status in ("resolved", "pending_unit"):
        raise refused(request, "status")
    _set_status(session, request, status, actor, utcnow(), reason)
    return request


def _cancel_transfers(session: Session, request: Request, now: datetime) -> None:
    """Resolved or merged without the unit: its open transfer has nothing left to settle."""
    session.execute(
        update(RequestTransfer)
        .where(RequestTransfer.request_id == request.id, RequestTransfer.status.in_(OPEN_TRANSFER))
        .values(status="cancelled", closed_at=now),
        execution_options={"synchronize_session": False},
    )


def _resolve(session: Session, request: Request, actor: Actor, now: datetime, autoclose_days: int) -> None:
    late = request.resolution_due is not None and now > request.resolution_due
    if request.status == "pending_customer":
        sla.resume(session, request, now)
    old = request.status
    _cancel_transfers(session, request, now)
    request.status = "resolved"
    request.resolved_at = now
    _touch(request, now)
    events.append(session, ev.StatusChanged(code=request.code, old=old, new="resolved"), request.id, actor)
    events.append(session, ev.Resolved(code=request.code, late=late), request.id, actor)
    jobs.enqueue(
        session,
        AUTOCLOSE_JOB,
        {"request_id": request.id, "resolved_at": now.isoformat()},
        run_at=now + timedelta(days=autoclose_days),
    )
    _notify(session, request, "resolved", days=REOPEN_DAYS)
    sla.schedule(session, request)


def resolve(
    session: Session,
    actor: Actor,
    code: str,
    *,
    version: int | None = None,
    autoclose_days: int = AUTOCLOSE_DAYS,
) -> Request:
    request = _for_work(session, code, version, "resolve")
    if request.status == "resolved":
        raise refused(request, "resolve")
    _resolve(session, request, actor, utcnow(), autoclose_days)
    return request


def _reopen(session: Session, request: Request, actor: Actor, now: datetime, by_customer: bool) -> None:
    old = request.status
    request.status = "reopened"
    request.resolved_at = None
    request.closed_at = None
    _touch(request, now)
    events.append(session, ev.StatusChanged(code=request.code, old=old, new="reopened"), request.id, actor)
    events.append(session, ev.Reopened(code=request.code, by_customer=by_customer), request.id, actor)
    sla.schedule(session, request)


def reopen(session: Session, actor: Actor, code: str, *, version: int | None = None) -> Request:
    request = get(session, code, lock=True)
    check_version(request, version)
    if request.status not in ("resolved", "closed") or request.merged_into_id is not None:
        raise refused(request, "reopen")
    _reopen(session, request, actor, utcnow(), by_customer=False)
    return request


def close(
    session: Session, actor: Actor, code: str, *, version: int | None = None, automatic: bool = False
) -> Request:
    request = get(session, code, lock=True)
    check_version(request, version)
    if request.status != "resolved":
        raise refused(request, "close")
    now = utcnow()
    request.status = "closed"
    request.closed_at = now
    _touch(request, now)
    events.append(
        session, ev.StatusChanged(code=request.code, old="resolved", new="closed"), request.id, actor
    )
    events.append(session, ev.Closed(code=request.code, automatic=automatic), request.id, actor)
    return request


def autoclose(session: Session, request_id: int, resolved_at: datetime) -> bool:
    """Close a request still resolved since ``resolved_at`` (a later reopen makes this a no-op)."""
    request = session.get(Request, request_id, with_for_update=True)
    if request is None or request.status != "resolved" or request.resolved_at != resolved_at:
        return False
    close(session, Actor.system("autoclose"), request.code, automatic=True)
    return True


# -- merge and links ---------------------------------------------------------------------------------


def _link(session: Session, actor: Actor, a: Request, b: Request, kind: str) -> None:
    low, high = sorted((a.id, b.id))
    if session.get(RequestLink, (low, high)) is None:
        session.add(RequestLink(low_id=low, high_id=high, kind=kind, created_by=actor.ref))
        session.flush()
    for this, other in ((a, b), (b, a)):
        events.append(session, ev.Linked(code=this.code, other=other.code, kind=kind), this.id, actor)


def link(
    session: Session,
    actor: Actor,
    code: str,
    other: str,
    kind: str = "related",
    *,
    version: int | None = None,
) -> None:
    a, b = get(session, code, lock=True), get(session, other)
    check_version(a, version)
    if a.id == b.id:
        raise AppError(errors.LINK_SELF)
    _link(session, actor, a, b, kind)


def merge(session: Session, actor: Actor, code: str, into: str, *, version: int | None = None) -> Request:
    """A duplicate's messages move to the request that continues; the duplicate closes, pointing
    to it. Replies to the duplicate are refused from then on."""
    source = _for_work(session, code, version, "merge")
    target = _for_work(session, into, None, "merge")
    if source.id == target.id:
        raise AppError(errors.MERGE_SELF)
    now = utcnow()
    moved = session.execute(
        update(RequestMessage)
        .where(RequestMessage.request_id == source.id)
        .values(request_id=target.id, merged_from_id=source.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
    body = session.scalar(select(RequestSearch.body).where(RequestSearch.request_id == source.id))
    if body:
        search.index(session, target.id, body, append=True)
    old = source.status
    _cancel_transfers(session, source, now)
    source.status = "closed"
    source.closed_at = now
    source.merged_into_id = target.id
    _touch(source, now)
    _touch(target, now)
    session.flush()
    low, high = sorted((source.id, target.id))
    if session.get(RequestLink, (low, high)) is None:
        session.add(RequestLink(low_id=low, high_id=high, kind="merged", created_by=actor.ref))
    events.append(
        session, ev.StatusChanged(code=source.code, old=old, new="closed", reason="merged"), source.id, actor
    )
    events.append(session, ev.Merged(code=source.code, into=target.code, messages=moved), source.id, actor)
    events.append(
        session, ev.MergedIn(code=target.code, source=source.code, messages=moved), target.id, actor
    )
    return target


# -- saved views -------------------------------------------------------------------------------------


def save_view(session: Session, uid: int, name: str, filters: dict[str, str]) -> SavedView:
    if session.scalar(select(SavedView.id).where(SavedView.user_id == uid, SavedView.name == name)):
        raise AppError(errors.VIEW_NAME_TAKEN, name=name)
    view = SavedView(user_id=uid, name=name, filters=filters)
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, uid: int, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is not None and view.user_id == uid:
        session.delete(view)
