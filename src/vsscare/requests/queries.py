"""Reads of the requests domain: queues with filters and keyset pages, full-text search, one
request with its timeline, a customer's history and a unit's queue.

Who sees a request: staff of its province (every province with ``scope.all_provinces``), the
team it belongs to, the unit it is transferred to, and its assignee.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from vsscare.accounts.models import User
from vsscare.accounts.principal import Principal, scope_clause
from vsscare.core import events
from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.orgunits.queries import codes_of, unit_and_below
from vsscare.requests import errors, search
from vsscare.requests.models import (
    ACTIVE,
    STATUSES,
    AttachmentBlob,
    Request,
    RequestAttachment,
    RequestEscalation,
    RequestLink,
    RequestMessage,
    RequestSearch,
    RequestTransfer,
    SavedView,
)
from vsscare.requests.unit_actions import OPEN_TRANSFER

MAX_LIMIT = 200
MAX_ID = 2**62
SORTS = ("newest", "oldest", "due")


@dataclass
class Filters:
    """A queue's filters; empty values mean "any". ``assignee`` is a username, ``me`` or ``none``."""

    q: str = ""
    status: Sequence[str] = ()
    channel: str | None = None
    topic: str | None = None
    type: str | None = None
    priority: str | None = None
    province: str | None = None
    unit: str | None = None
    team: str | None = None
    assignee: str | None = None
    sla: str | None = None
    escalated: bool = False
    tag: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "newest"

    def as_query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in vars(self).items():
            if name == "status":
                if value:
                    out[name] = ",".join(value)
            elif isinstance(value, bool):
                if value:
                    out[name] = "1"
            elif value not in (None, "") and not (name == "sort" and value == "newest"):
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


@dataclass
class Page:
    items: list[Request]
    next_cursor: str | None
    names: dict[int, str] = field(default_factory=dict)  # user id → username
    units: dict[int, str] = field(default_factory=dict)  # unit id → code


def visible_clause(session: Session, principal: Principal) -> ColumnElement[bool]:
    if principal.provinces is None:
        return true()
    clauses = [scope_clause(principal, Request.province_code), Request.assignee_id == principal.user_id]
    if principal.org_unit_id is not None:
        clauses.append(Request.team_unit_id == principal.org_unit_id)
        clauses.append(Request.unit_id.in_(sorted(unit_and_below(session, principal.org_unit_id))))
    return or_(*clauses)


def can_see(session: Session, principal: Principal, request: Request) -> bool:
    if principal.provinces is None or principal.can_see_province(request.province_code):
        return True
    if request.assignee_id == principal.user_id:
        return True
    mine = unit_and_below(session, principal.org_unit_id)
    return request.team_unit_id == principal.org_unit_id or request.unit_id in mine


def any_request(session: Session) -> bool:
    return session.scalar(select(Request.id).limit(1)) is not None


def get_visible(session: Session, principal: Principal, code: str) -> Request:
    request = session.scalar(select(Request).where(Request.code == code.strip().upper()))
    if request is None:
        raise AppError(errors.REQUEST_NOT_FOUND, code=code[:30])
    if not can_see(session, principal, request):
        raise AppError(errors.NOT_VISIBLE, code=request.code)
    return request


def _unit_id(session: Session, code: str) -> int:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code.strip().upper())) or -1


def _user_id(session: Session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username.strip().lower())) or -1


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), VN_TZ).astimezone(UTC)


def _conditions(session: Session, principal: Principal, f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [visible_clause(session, principal)]
    if f.status:
        # In the model's order: SQLite uses the partial index of active requests only when the
        # IN list is written exactly as in the index.
        statuses = sorted(set(f.status), key=lambda s: STATUSES.index(s) if s in STATUSES else 99)
        where.append(Request.status.in_(statuses) if len(statuses) > 1 else Request.status == statuses[0])
    for column, value in (
        (Request.channel, f.channel),
        (Request.topic, f.topic),
        (Request.type, f.type),
        (Request.priority, f.priority),
        (Request.province_code, f.province),
        (Request.sla_state, f.sla),
    ):
        if value:
            where.append(column == value)
    if f.unit:
        where.append(Request.unit_id == _unit_id(session, f.unit))
    if f.team:
        where.append(Request.team_unit_id == _unit_id(session, f.team))
    if f.assignee == "me":
        where.append(Request.assignee_id == principal.user_id)
    elif f.assignee == "none":
        where.append(Request.assignee_id.is_(None))
    elif f.assignee:
        where.append(Request.assignee_id == _user_id(session, f.assignee))
    if f.escalated:
        where.append(Request.escalation_level.is_not(None))
    if f.created_from:
        where.append(Request.created_at >= _day_start(f.created_from))
    if f.created_to:
        where.append(Request.created_at < _day_start(f.created_to + timedelta(days=1)))
    return where


def _encode(*parts: Any) -> str:
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[str]:
    """The parts of a cursor we made; anything else (tampered, truncated, absurd) reads as none."""
    try:
        parts = base64.urlsafe_b64decode(cursor[:200] + "=" * (-len(cursor[:200]) % 4)).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        return []
    if not parts or not parts[-1].isdigit() or int(parts[-1]) > MAX_ID:
        return []
    if len(parts) == 2:
        try:
            due = datetime.fromisoformat(parts[0])
        except ValueError:
            return []
        if due.tzinfo is None or not 2000 <= due.year <= 2200:
            return []
    return parts


def valid_cursor(cursor: str) -> bool:
    """Whether ``cursor`` is one this module hands out (``next_cursor``)."""
    return bool(_decode(cursor))


def _keyset(stmt: Select, sort: str, cursor: str | None, ident: ColumnElement[int] = Request.id) -> Select:
    """Order and continue after ``cursor``. ``ident`` is the id to page by (the search index's
    own request id when searching, so the index is read in order)."""
    parts = _decode(cursor) if cursor else []
    if sort == "due":
        stmt = stmt.where(Request.resolution_due.is_not(None))
        if len(parts) == 2:
            due, last = datetime.fromisoformat(parts[0]), int(parts[1])
            stmt = stmt.where(
                or_(Request.resolution_due > due, and_(Request.resolution_due == due, Request.id > last))
            )
        return stmt.order_by(Request.resolution_due, Request.id)
    if len(parts) == 1:
        stmt = stmt.where(ident > int(parts[0]) if sort == "oldest" else ident < int(parts[0]))
    return stmt.order_by(ident if sort == "oldest" else ident.desc())


def list_requests(
    session: Session, principal: Principal, f: Filters, *, limit: int = 50, cursor: str | None = None
) -> Page:
    """One page of the queue, newest first (or oldest, or nearest deadline); ``next_cursor``
    continues after the last row shown (keyset: as fast on page 1,000 as on page 1)."""
    stmt = select(Request).where(*_conditions(session, principal, f))
    if f.tag:
        if _is_pg(session):
            has_tag = type_coerce(Request.tags, JSONB).contains([f.tag])
        else:  # tags are plain [a-z0-9_-] words, so the quoted word cannot match anything else
            has_tag = cast(Request.tags, String).like(f'%"{f.tag}"%')
        stmt = stmt.where(has_tag)
    stmt, ident = search.matching(stmt, session, f.q)
    sort = f.sort if f.sort in SORTS else "newest"
    if sort == "newest" and search.words(f.q or "") and _is_pg(session):
        rows = _newest_matches(session, _keyset(stmt, sort, cursor, ident), ident, cursor, limit + 1)
    else:
        rows = list(session.scalars(_keyset(stmt, sort, cursor, ident).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode(last.resolution_due, last.id) if sort == "due" else _encode(last.id)
    names = usernames(session, {r.assignee_id for r in rows})
    return Page(rows, next_cursor, names, unit_codes(session, rows))


SEARCH_WINDOW = 50_000  # request ids a PostgreSQL search looks at first


def _newest_matches(
    session: Session, stmt: Select, ident: ColumnElement[int], cursor: str | None, want: int
) -> list[Request]:
    """PostgreSQL's text index yields matches in no order, so a common word would have every
    match read before the newest were picked: look among the newest ids first, and at the whole
    index only when they do not fill the page (SQLite's FTS5 reads newest first by itself)."""
    parts = _decode(cursor) if cursor else []
    top = (
        int(parts[0])
        if len(parts) == 1
        else (session.scalar(select(func.max(RequestSearch.request_id))) or 0) + 1
    )
    rows = list(session.scalars(stmt.where(ident >= top - SEARCH_WINDOW).limit(want)))
    if len(rows) >= want or top <= SEARCH_WINDOW:
        return rows
    return list(session.scalars(stmt.limit(want)))  # rare words: the whole index is quick then


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


def unit_codes(session: Session, rows: Sequence[Request]) -> dict[int, str]:
    return codes_of(session, {i for r in rows for i in (r.unit_id, r.team_unit_id)})


# -- one request ------------------------------------------------------------------------------------


@dataclass
class Detail:
    request: Request
    messages: list[RequestMessage]
    attachments: dict[int, list[tuple[RequestAttachment, AttachmentBlob]]]  # message id → files
    history: list[EventRecord]
    transfers: list[RequestTransfer]
    escalations: list[RequestEscalation]
    links: list[tuple[str, str, str]]  # (kind, code, status)
    names: dict[int, str]
    units: dict[int, str]
    merged_into: str | None

    @property
    def open_transfer(self) -> RequestTransfer | None:
        """The transfer a unit is still working on: the latest open one, as
        ``unit_actions.open_transfer`` finds it."""
        return next((t for t in reversed(self.transfers) if t.status in OPEN_TRANSFER), None)


def _of(session: Session, model: Any, request_id: int) -> list:
    """Rows of a per-request table, in the order they were written."""
    return list(session.scalars(select(model).where(model.request_id == request_id).order_by(model.id)))


def timeline(session: Session, request: Request) -> list[EventRecord]:
    return events.history(session, "request", request.id)


def saved_views(session: Session, user_id: int) -> list[SavedView]:
    return list(
        session.scalars(select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name))
    )


_MESSAGES_WITH_FILES = (
    select(RequestMessage, RequestAttachment, AttachmentBlob)
    .outerjoin(RequestAttachment, RequestAttachment.message_id == RequestMessage.id)
    .outerjoin(AttachmentBlob, AttachmentBlob.sha256 == RequestAttachment.sha256)
    .where(RequestMessage.request_id == bindparam("request_id"))
    .order_by(RequestMessage.id, RequestAttachment.id)
)


def detail(session: Session, request: Request) -> Detail:
    messages: list[RequestMessage] = []
    files: dict[int, list[tuple[RequestAttachment, AttachmentBlob]]] = {}
    for message, attachment, blob in session.execute(_MESSAGES_WITH_FILES, {"request_id": request.id}):
        if not messages or messages[-1] is not message:
            messages.append(message)
        if attachment is not None:
            files.setdefault(message.id, []).append((attachment, blob))
    transfers = _of(session, RequestTransfer, request.id)
    escalations = _of(session, RequestEscalation, request.id)
    link_rows = session.execute(
        select(RequestLink.kind, Request.code, Request.status)
        .join(
            Request,
            or_(
                and_(RequestLink.low_id == request.id, Request.id == RequestLink.high_id),
                and_(RequestLink.high_id == request.id, Request.id == RequestLink.low_id),
            ),
        )
        .where(or_(RequestLink.low_id == request.id, RequestLink.high_id == request.id))
    ).all()
    merged_into = None
    if request.merged_into_id:
        merged_into = session.scalar(select(Request.code).where(Request.id == request.merged_into_id))
    units = codes_of(session, {request.unit_id, request.team_unit_id, *(t.unit_id for t in transfers)})
    return Detail(
        request=request,
        messages=messages,
        attachments=files,
        history=timeline(session, request),
        transfers=transfers,
        escalations=escalations,
        links=[(k, c, s) for k, c, s in link_rows],
        names=usernames(session, {request.assignee_id}),
        units=units,
        merged_into=merged_into,
    )


def attachment(
    session: Session, principal: Principal, attachment_id: int
) -> tuple[RequestAttachment, AttachmentBlob]:
    row = session.execute(
        select(RequestAttachment, AttachmentBlob, RequestMessage.request_id)
        .join(AttachmentBlob, AttachmentBlob.sha256 == RequestAttachment.sha256)
        .join(RequestMessage, RequestMessage.id == RequestAttachment.message_id)
        .where(RequestAttachment.id == attachment_id)
    ).first()
    if row is None:
        raise AppError(errors.ATTACHMENT_NOT_FOUND)
    request = session.get_one(Request, row[2])
    if not can_see(session, principal, request):
        raise AppError(errors.ATTACHMENT_NOT_FOUND)
    return row[0], row[1]


# -- a customer's history, a unit's queue --------------------------------------------------------------


def history_of(
    session: Session,
    principal: Principal,
    *,
    customer_id: int | None = None,
    phone_bi: str | None = None,
    limit: int = 50,
) -> list[Request]:
    """Every request of one customer across channels: by customer record or by the blind index of
    the contact phone (``requests.contact.index``; the same as a customer's ``phone_bi``)."""
    clauses = []
    if customer_id is not None:
        clauses.append(Request.customer_id == customer_id)
    if phone_bi:
        clauses.append(Request.contact_phone_bi == phone_bi)
    if not clauses:
        return []
    stmt = (
        select(Request)
        .where(or_(*clauses) if len(clauses) > 1 else clauses[0], visible_clause(session, principal))
        .order_by(Request.id.desc())
        .limit(min(limit, MAX_LIMIT))
    )
    return list(session.scalars(stmt))


@dataclass
class UnitItem:
    transfer: RequestTransfer
    request: Request
    unit_code: str


def unit_queue(
    session: Session,
    unit_ids: frozenset[int] | None,
    *,
    statuses: Sequence[str] = OPEN_TRANSFER,
    limit: int = 100,
) -> list[UnitItem]:
    """Transfers waiting for the units (None: every unit), nearest deadline first."""
    stmt = (
        select(RequestTransfer, Request, OrgUnit.code)
        .join(Request, Request.id == RequestTransfer.request_id)
        .join(OrgUnit, OrgUnit.id == RequestTransfer.unit_id)
        .where(RequestTransfer.status.in_(list(statuses)))
        .order_by(RequestTransfer.due_at, RequestTransfer.id)
        .limit(limit)
    )
    if unit_ids is not None:
        stmt = stmt.where(RequestTransfer.unit_id.in_(sorted(unit_ids)))
    return [UnitItem(t, r, c) for t, r, c in session.execute(stmt)]


def counts(session: Session, principal: Principal) -> dict[str, int]:
    """Small numbers for the queue's side bar: mine, unassigned, breached, escalated (active only)."""
    from sqlalchemy import func

    base = [visible_clause(session, principal), Request.status.in_(ACTIVE)]
    cases = {
        "mine": Request.assignee_id == principal.user_id,
        "unassigned": Request.assignee_id.is_(None),
        "breached": Request.sla_state == "breached",
        "escalated": Request.escalation_level.is_not(None),
    }
    out = {}
    for name, clause in cases.items():
        out[name] = session.scalar(select(func.count()).select_from(Request).where(*base, clause)) or 0
    return out
