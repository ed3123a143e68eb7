"""Every write on a request: intake, messages, triage, status, merge and links.

Assignment is in :mod:`vsscare.requests.assignment`; transfers to units, escalation and
complaints in :mod:`vsscare.requests.unit_actions`; both, like this module, are built on
:mod:`vsscare.requests.workflow`. The names callers need from those are available here too.

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

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.core import events
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.orgunits.models import OrgUnit
from vsscare.orgunits.queries import UnitRef, unit_ref
from vsscare.requests import attachments as files
from vsscare.requests import contact, errors, search, sla
from vsscare.requests import events as ev
from vsscare.requests.assignment import (
    ONLINE_WITHIN,
    assign,
    assign_automatically,
    assign_to,
    auto_assign,
    mark_assigned,
    online_agents,
    open_load,
    pick_agent,
    set_presence,
    set_skills,
)
from vsscare.requests.models import Request, RequestLink, RequestMessage, RequestSearch, SavedView
from vsscare.requests.schemas import NewRequest
from vsscare.requests.workflow import (
    AUTOCLOSE_DAYS,
    AUTOCLOSE_JOB,
    OPEN_TRANSFER,
    REOPEN_DAYS,
    active_unit,
    add_message,
    attach,
    cancel_transfers,
    change_status,
    check_version,
    draft_notice,
    for_work,
    get,
    mark_reopened,
    mark_resolved,
    new_message,
    next_code,
    refused,
    send_notice,
    staff_member,
    touch,
    user_id,
)

DEFAULT_TEAM = "CCC"  # the customer-care centre answers what no other unit was named for

__all__ = [  # re-exported from assignment and workflow (this module's own actions are public too)
    "AUTOCLOSE_DAYS",
    "AUTOCLOSE_JOB",
    "ONLINE_WITHIN",
    "OPEN_TRANSFER",
    "REOPEN_DAYS",
    "assign",
    "assign_automatically",
    "auto_assign",
    "check_version",
    "get",
    "online_agents",
    "open_load",
    "refused",
    "set_presence",
    "set_skills",
    "user_id",
]


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
    ring: Keyring | None = None,
) -> Request:
    """A new request with the customer's first message. A channel's retry of the same message id
    returns the request it already created. ``ring`` encrypts the contact phone (needed with one)."""
    if data.external_id:
        known = session.scalar(
            select(RequestMessage.request_id).where(
                RequestMessage.channel == data.channel, RequestMessage.external_id == data.external_id
            )
        )
        if known is not None:
            return session.get_one(Request, known)
    checked = files.check_all(list(uploads)) if uploads else []  # refused before anything is written
    now = now or utcnow()
    team = active_unit(session, data.team) if data.team else _default_team(session, actor)
    assignee = staff_member(session, data.assignee) if data.assignee else None
    # Chosen before the insert, so the row is written once with its owner.
    chosen = None
    if auto_assign and assignee is None:
        chosen = pick_agent(session, team.id if team else None, data.topic, now)
    owner = assignee or chosen  # (id, username)
    if owner is not None:
        mark_assigned(session, owner.id, now)  # before anything is pending: no flush
    request = Request(
        code=next_code(session, now),
        channel=data.channel,
        type=data.type,
        topic=data.topic,
        priority=data.priority,
        status="open" if chosen else "new",
        subject=data.subject,
        lang=data.lang,
        customer_id=data.customer_id,
        contact_name=data.contact_name,
        **contact.protected(ring, data.contact_phone),
        contact_email=data.contact_email,
        external_ref=data.external_ref,
        province_code=data.province or (team.province_code if team else None),
        team_unit_id=team.id if team else None,
        assignee_id=owner.id if owner else None,
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
    message = new_message(
        session, request, "inbound", data.body, actor, external_id=data.external_id, now=now
    )
    search.index(
        session,
        request.id,
        search.folded(data.subject, data.contact_name, data.contact_email, data.body),
        new=True,
    )
    # A caller hears the code from the agent; other channels get it in a notice.
    notice = draft_notice(session, request, "created") if request.channel != "phone" else None
    session.flush()  # both messages and the search row at once
    attach(session, message, checked, store)
    created = ev.Created(
        code=request.code,
        channel=request.channel,
        request_type=request.type,
        topic=request.topic,
        priority=request.priority,
        sla_policy=policy.code if policy else None,
    )
    log: list[tuple[events.Event, Actor]] = [
        (created, actor),
        (ev.MessageReceived(code=request.code, message_id=message.id, channel=request.channel), actor),
    ]
    if owner is not None:
        by = Actor.system("assignment") if chosen else actor
        log.append((ev.Assigned(code=request.code, assignee=owner.username, automatic=bool(chosen)), by))
        if chosen:
            log.append((ev.StatusChanged(code=request.code, old="new", new="open"), by))
    sla.schedule(session, request)
    if notice is not None:
        log.append((send_notice(session, request, notice, "created"), events.SYSTEM))
    events.append_all(session, request.id, log)
    return request


_OWN_UNIT = (
    select(OrgUnit.id, OrgUnit.province_code)
    .join(User, User.org_unit_id == OrgUnit.id)
    .where(User.id == bindparam("uid"))
)


def _default_team(session: Session, actor: Actor) -> Row | UnitRef | None:
    """(id, province_code) of the unit of the agent who typed the request in, else the centre's."""
    uid = user_id(actor)
    own = session.execute(_OWN_UNIT, {"uid": uid}).first() if uid is not None else None
    return own or unit_ref(session, DEFAULT_TEAM)


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
            contact_name=request.contact_name, contact_email=request.contact_email,
            customer_id=request.customer_id,
            province=request.province_code, external_ref=request.external_ref, external_id=external_id,
        )  # fmt: skip
        new = create(session, actor, follow, uploads=uploads, store=store, now=now)
        contact.copy(request, new)
        _link(session, actor, request, new, "follow_up")
        return new, None
    message = add_message(
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
        mark_reopened(session, request, actor, now, by_customer=True)
    elif request.status == "pending_customer":
        change_status(session, request, "open", actor, now, reason="customer_replied")
    else:
        touch(request, now)
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
    request = for_work(session, code, version, "reply")
    if not body.strip():
        raise AppError(errors.TEXT_REQUIRED)
    message = add_message(session, request, "outbound", body, actor, uploads=uploads, store=store, now=now)
    first = request.first_responded_at is None
    if first:
        request.first_responded_at = now
    events.append(
        session, ev.Replied(code=request.code, message_id=message.id, first_response=first), request.id, actor
    )
    if request.assignee_id is None and (uid := user_id(actor)) is not None:
        assign_to(session, request, uid, actor)
    target = then or "open"
    if target == "resolved":
        mark_resolved(session, request, actor, now, autoclose_days)
    elif request.status in ("new", "reopened", "open", "pending_customer"):
        change_status(session, request, target, actor, now)
    touch(request, now)
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
    message = add_message(session, request, "note", body, actor, uploads=uploads, store=store)
    events.append(session, ev.Noted(code=request.code, message_id=message.id), request.id, actor)
    touch(request, utcnow())
    return message


# -- triage and status -------------------------------------------------------------------------------


def triage(
    session: Session, actor: Actor, code: str, changes: dict, *, version: int | None = None
) -> Request:
    """Change topic, type, priority, subject, province or tags. A new type or priority may mean
    another SLA policy: targets are set again, counted from when the request arrived."""
    request = for_work(session, code, version, "update")
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
        touch(request, now)
    if "subject" in diff:
        search.index(session, request.id, search.folded(request.subject), append=True)
    touch(request, utcnow())
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
    request = for_work(session, code, version, "status")
    if request.status in ("resolved", "pending_unit"):
        raise refused(request, "status")
    change_status(session, request, status, actor, utcnow(), reason)
    return request


def resolve(
    session: Session,
    actor: Actor,
    code: str,
    *,
    version: int | None = None,
    autoclose_days: int = AUTOCLOSE_DAYS,
) -> Request:
    request = for_work(session, code, version, "resolve")
    if request.status == "resolved":
        raise refused(request, "resolve")
    mark_resolved(session, request, actor, utcnow(), autoclose_days)
    return request


def reopen(session: Session, actor: Actor, code: str, *, version: int | None = None) -> Request:
    request = get(session, code, lock=True)
    check_version(request, version)
    if request.status not in ("resolved", "closed") or request.merged_into_id is not None:
        raise refused(request, "reopen")
    mark_reopened(session, request, actor, utcnow(), by_customer=False)
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
    touch(request, now)
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
    source = for_work(session, code, version, "merge")
    target = for_work(session, into, None, "merge")
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
    cancel_transfers(session, source, now)
    source.status = "closed"
    source.closed_at = now
    source.merged_into_id = target.id
    touch(source, now)
    touch(target, now)
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
