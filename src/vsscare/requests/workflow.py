"""Working on one request: finding it for a change (version, status), recording messages and
notices, moving its status and resolving it. The building blocks of :mod:`vsscare.requests.actions`,
:mod:`vsscare.requests.assignment` and :mod:`vsscare.requests.unit_actions`; callers outside the
domain use those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.accounts.queries import holders
from vsscare.core import events, jobs
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import attachments as files
from vsscare.requests import errors, sla
from vsscare.requests import events as ev
from vsscare.requests.delivery import DELIVER_JOB
from vsscare.requests.labels import ACTION_LABELS, STATUS_LABELS, both
from vsscare.requests.models import (
    AttachmentBlob,
    Request,
    RequestAttachment,
    RequestCounter,
    RequestMessage,
    RequestTransfer,
)
from vsscare.requests.notices import notice

REOPEN_DAYS = 7  # a customer who writes within this many days after resolution reopens the request
AUTOCLOSE_DAYS = 7  # resolved requests close on their own after this many days
AUTOCLOSE_JOB = "requests.autoclose"
OPEN_TRANSFER = ("pending", "accepted", "info_requested")


# -- finding the request ---------------------------------------------------------------------------------


def get(session: Session, code: str, *, lock: bool = False) -> Request:
    stmt = select(Request).where(Request.code == code.strip().upper())
    if lock:
        stmt = stmt.with_for_update()
    request = session.scalar(stmt)
    if request is None:
        raise AppError(errors.REQUEST_NOT_FOUND, code=code[:30])
    return request


def for_work(session: Session, code: str, expected: int | None, action: str) -> Request:
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


def username_of(session: Session, uid: int | None) -> str | None:
    return session.scalar(select(User.username).where(User.id == uid)) if uid else None


def active_unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip().upper(), OrgUnit.is_active))
    if unit is None:
        raise AppError(errors.UNIT_NOT_FOUND, unit=code[:40])
    return unit


# Hot statements are built once: building one costs more than running it on SQLite.
_STAFF = select(User.id, User.username).where(
    User.username == bindparam("username"),
    User.is_active.is_(True),
    User.id.in_(holders("requests.work", "units.work")),
)
_BUMP = (
    update(RequestCounter)
    .where(RequestCounter.year == bindparam("for_year"))
    .values(value=RequestCounter.value + 1)
    .returning(RequestCounter.value)
    .execution_options(synchronize_session=False)
)


def staff_member(session: Session, username: str) -> Row:
    """(id, username) of an active user who may work on requests; only the columns, because
    loading a ``User`` also loads its roles and scopes."""
    row = session.execute(_STAFF, {"username": username.strip().lower()}).first()
    if row is None:
        raise AppError(errors.USER_NOT_FOUND, username=username[:60])
    return row


def next_code(session: Session, now: datetime) -> str:
    """YC-<year>-<number>: one counter row per year, taken under its row lock."""
    year = now.astimezone(VN_TZ).year
    number = session.execute(_BUMP, {"for_year": year}).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.add(RequestCounter(year=year, value=1))
            number = 1
        except IntegrityError:  # another request took the year's first number meanwhile
            number = session.execute(_BUMP, {"for_year": year}).scalar_one()
    return f"YC-{year}-{number:06d}"


# -- messages ----------------------------------------------------------------------------------------


def new_message(
    session: Session,
    request: Request,
    kind: str,
    body: str,
    actor: Actor,
    *,
    channel: str | None = None,
    external_id: str | None = None,
    now: datetime | None = None,
) -> RequestMessage:
    """A message added to the session; it gets its id at the next flush (a caller writing two
    messages flushes once)."""
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
    return message


def attach(
    session: Session,
    message: RequestMessage,
    checked: Sequence[files.Checked],
    store: files.AttachmentStore | None,
) -> None:
    """Store checked files and attach them to a flushed message (each content once)."""
    if not checked:
        return
    if store is None:
        raise ValueError("attachments need a store")
    for item in checked:
        store.put(item)
        if session.get(AttachmentBlob, item.sha256) is None:
            session.add(AttachmentBlob(sha256=item.sha256, size=item.size, content_type=item.content_type))
        session.add(RequestAttachment(message_id=message.id, sha256=item.sha256, filename=item.filename))
    session.flush()


def add_message(
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
    message = new_message(
        session, request, kind, body, actor, channel=channel, external_id=external_id, now=now
    )
    session.flush()
    attach(session, message, checked, store)
    if kind == "outbound":
        jobs.enqueue(session, DELIVER_JOB, {"message_id": message.id})
    return message


def draft_notice(session: Session, request: Request, about: str, **params: object) -> RequestMessage | None:
    """The notice to the customer, added unflushed; None when there is no way to reach them.
    :func:`send_notice` queues it once it has an id."""
    if not (request.contact_phone_bi or request.contact_email or request.external_ref):
        return None
    text = notice(about, request.lang, code=request.code, **params)
    return new_message(session, request, "outbound", text, Actor.system("notices"))


def send_notice(
    session: Session, request: Request, message: RequestMessage, about: str
) -> ev.CustomerNotified:
    """Queue a flushed notice for delivery; the event that records it is the caller's to append."""
    jobs.enqueue(session, DELIVER_JOB, {"message_id": message.id})
    return ev.CustomerNotified(code=request.code, message_id=message.id, about=about)


def notify(session: Session, request: Request, about: str, **params: object) -> None:
    """A notice to the customer on their channel (or on the portal when it has no sender)."""
    message = draft_notice(session, request, about, **params)
    if message is not None:
        session.flush()
        events.append(session, send_notice(session, request, message, about), request.id)


def touch(request: Request, now: datetime) -> None:
    request.updated_at = now


def change_status(
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
    touch(request, now)
    events.append(
        session, ev.StatusChanged(code=request.code, old=old, new=new, reason=reason), request.id, actor
    )
    if old == "pending_customer" or new == "pending_customer":
        sla.schedule(session, request)


# -- resolving ------------------------------------------------------------------------------------------


def cancel_transfers(session: Session, request: Request, now: datetime) -> None:
    """Resolved or merged without the unit: its open transfer has nothing left to settle."""
    session.execute(
        update(RequestTransfer)
        .where(RequestTransfer.request_id == request.id, RequestTransfer.status.in_(OPEN_TRANSFER))
        .values(status="cancelled", closed_at=now),
        execution_options={"synchronize_session": False},
    )


def mark_resolved(
    session: Session, request: Request, actor: Actor, now: datetime, autoclose_days: int
) -> None:
    late = request.resolution_due is not None and now > request.resolution_due
    if request.status == "pending_customer":
        sla.resume(session, request, now)
    old = request.status
    cancel_transfers(session, request, now)
    request.status = "resolved"
    request.resolved_at = now
    touch(request, now)
    events.append(session, ev.StatusChanged(code=request.code, old=old, new="resolved"), request.id, actor)
    events.append(session, ev.Resolved(code=request.code, late=late), request.id, actor)
    jobs.enqueue(
        session,
        AUTOCLOSE_JOB,
        {"request_id": request.id, "resolved_at": now.isoformat()},
        run_at=now + timedelta(days=autoclose_days),
    )
    notify(session, request, "resolved", days=REOPEN_DAYS)
    sla.schedule(session, request)


def mark_reopened(session: Session, request: Request, actor: Actor, now: datetime, by_customer: bool) -> None:
    old = request.status
    request.status = "reopened"
    request.resolved_at = None
    request.closed_at = None
    touch(request, now)
    events.append(session, ev.StatusChanged(code=request.code, old=old, new="reopened"), request.id, actor)
    events.append(session, ev.Reopened(code=request.code, by_customer=by_customer), request.id, actor)
    sla.schedule(session, request)
