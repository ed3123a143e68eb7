"""What the customers domain asks of requests about one person: move their requests to the record
they were merged into, export what the person is entitled to see, and anonymise their contact
details while keeping what reports count (channel, topic, type, status, dates, province, SLA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vsscare.core.crypto import Keyring
from vsscare.requests import contact, search
from vsscare.requests.masking import mask_text
from vsscare.requests.models import Request, RequestMessage, RequestSearch

# What the person sees of a conversation: their own messages and our replies, as on the portal.
# Internal notes are the staff's working documents and stay out of an export.
SHARED_KINDS = ("inbound", "outbound")
_FROM = {"inbound": "customer", "outbound": "vss"}


def _theirs(customer_id: int, phone_bi: str | None) -> Any:
    mine = Request.customer_id == customer_id
    return or_(mine, Request.contact_phone_bi == phone_bi) if phone_bi else mine


def move_customer(session: Session, from_id: int, to_id: int) -> int:
    """Re-point the requests of a merged customer; how many moved."""
    moved = session.execute(update(Request).where(Request.customer_id == from_id).values(customer_id=to_id))
    return moved.rowcount or 0


def export_for_customer(
    session: Session, ring: Keyring, customer_id: int, phone_bi: str | None
) -> list[dict[str, Any]]:
    """The person's requests (by record, or by the phone on record) with the messages exchanged."""
    rows = session.scalars(select(Request).where(_theirs(customer_id, phone_bi)).order_by(Request.id)).all()
    out = []
    for r in rows:
        messages = session.scalars(
            select(RequestMessage)
            .where(RequestMessage.request_id == r.id, RequestMessage.kind.in_(SHARED_KINDS))
            .order_by(RequestMessage.id)
        )
        out.append({
            "code": r.code, "channel": r.channel, "type": r.type, "topic": r.topic, "status": r.status,
            "subject": r.subject, "created_at": r.created_at.isoformat(),
            "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
            "contact": {"name": r.contact_name, "phone": contact.phone(ring, r), "email": r.contact_email},
            "messages": [{"at": m.created_at.isoformat(), "from": _FROM[m.kind], "channel": m.channel,
                          "text": m.body} for m in messages],
        })  # fmt: skip
    return out


def anonymise_for_customer(
    session: Session, customer_id: int, phone_bi: str | None, names: tuple[str, ...] = ()
) -> dict[str, int]:
    """Clear the contact details of the person's requests; mask identifiers and the person's known
    names in their subjects and messages; rebuild the search text from what is left. The requests
    stay, so reports still count them."""
    rows = session.scalars(select(Request).where(_theirs(customer_id, phone_bi))).all()
    changed = 0
    for r in rows:
        known = tuple(n for n in {*names, r.contact_name} if n and len(n) > 2)
        r.subject = _scrub(r.subject, known)
        r.contact_name = r.contact_email = r.external_ref = None
        for column, value in contact.protected(None, None).items():
            setattr(r, column, value)
        texts = []
        for message in session.scalars(select(RequestMessage).where(RequestMessage.request_id == r.id)):
            scrubbed = _scrub(message.body, known)
            if scrubbed != message.body:
                message.body, changed = scrubbed, changed + 1
            if message.kind == "inbound":
                texts.append(scrubbed)
        found = session.get(RequestSearch, r.id)
        if found is not None:
            found.body = search.folded(r.subject, *texts)[: search.MAX_BODY]
    return {"requests": len(rows), "messages": changed}


def _scrub(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        text = text.replace(name, "[…]")
    return mask_text(text)
