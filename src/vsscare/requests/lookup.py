"""The customer's status lookup, by request code and the phone given with it (portal page and API).

A wrong code and a wrong phone get the same answer, so the lookup tells nobody which codes exist.
Every attempt is in the audit log (never the phone). After :data:`MAX_FAILURES` failed attempts
on one code within an hour, that code answers nothing for the rest of the hour, even to the
right phone: guessing the phone of a known code takes too long to be worth it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vsscare.core import audit
from vsscare.core.audit import AuditEntry
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.requests import contact, errors
from vsscare.requests.models import Request, RequestMessage
from vsscare.requests.schemas import CODE_PATTERN, phone_e164

ACTION = "requests.lookup"
CUSTOMER = Actor("customer", None, "portal")
MAX_FAILURES = 5
WINDOW = timedelta(hours=1)
_CODE = re.compile(CODE_PATTERN)


@dataclass
class Lookup:
    request: Request | None = None
    messages: list[RequestMessage] | None = None
    error: AppError | None = None


def _failures(session: Session, code: str) -> int:
    stmt = select(func.count()).where(
        AuditEntry.object_type == "request",
        AuditEntry.object_id == code,
        AuditEntry.action == ACTION,
        AuditEntry.outcome == "denied",
        AuditEntry.at >= utcnow() - WINDOW,
    )
    return session.scalar(stmt) or 0


def _find(session: Session, ring: Keyring, code: str, phone: str) -> tuple[Request, list[RequestMessage]]:
    try:
        wanted = phone_e164(phone)
    except ValueError as exc:
        raise AppError(errors.BAD_PHONE, phone=phone[:40]) from exc
    if not _CODE.match(code):
        raise AppError(errors.LOOKUP_FAILED)
    if _failures(session, code) >= MAX_FAILURES:
        raise AppError(errors.LOOKUP_LOCKED)
    request = session.scalar(select(Request).where(Request.code == code))
    if request is None or not contact.same_phone(ring, request, wanted):
        raise AppError(errors.LOOKUP_FAILED)
    while request.merged_into_id is not None:
        request = session.get_one(Request, request.merged_into_id)
    messages = session.scalars(
        select(RequestMessage)
        .where(RequestMessage.request_id == request.id, RequestMessage.kind.in_(("inbound", "outbound")))
        .order_by(RequestMessage.id)
    )
    return request, list(messages)


def lookup(session: Session, ring: Keyring, code: str, phone: str) -> Lookup:
    """Find the request and record the attempt in ``session`` (a write transaction). A refusal is
    returned, not raised, so the caller commits its audit row before answering."""
    code = code.strip().upper()[:30]
    try:
        request, messages = _find(session, ring, code, phone)
    except AppError as exc:
        shown = code if _CODE.match(code) else None
        audit.record(
            session, ACTION, CUSTOMER, outcome="denied", object_type="request", object_id=shown,
            details={"reason": exc.code},
        )  # fmt: skip
        return Lookup(error=exc)
    audit.record(session, ACTION, CUSTOMER, object_type="request", object_id=request.code)
    return Lookup(request, messages)
