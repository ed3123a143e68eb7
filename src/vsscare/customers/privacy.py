"""Data-subject requests (Decree 13/2023/NĐ-CP, Law 91/2025/QH15): give a person everything we
hold about them, erase their identity on request while keeping what statistics need, and erase
records nobody has needed for the retention period.

Records merged into one (``merged_into_id``) are the same person: an export or an erasure of the
kept record covers them too."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from vsscare.core import audit, events
from vsscare.core.audit import AuditEntry
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.customers import errors
from vsscare.customers import events as ev
from vsscare.customers.actions import PROTECTED, context, get
from vsscare.customers.models import Customer, CustomerIdentity, Verification
from vsscare.requests import customer_data
from vsscare.requests.models import Request

# A record with no request and no change for this long is erased by the retention job; requests
# closed for as long are anonymised with it. Five years: the period complaints and inspections
# may still reach back to.
RETENTION = timedelta(days=5 * 365)
ACCESS_TRAIL = 500  # the latest reads of the person's data listed in an export


def _family(session: Session, customer: Customer) -> list[Customer]:
    """The record and those merged into it."""
    merged = session.scalars(select(Customer).where(Customer.merged_into_id == customer.id)).all()
    return [customer, *merged]


def _clear(ring: Keyring, customer: Customer, field: str) -> str | None:
    token = getattr(customer, f"{field}_enc")
    return None if token is None else ring.decrypt(token, context=context(field))


def export(session: Session, actor: Actor, customer_id: int, ring: Keyring, *, reason: str) -> dict[str, Any]:
    """Everything held about the person, in clear (it is their own data). Internal notes of staff
    are working documents and are left out; the export says so."""
    if len(reason.strip()) < 5:
        raise AppError(errors.REASON_REQUIRED)
    customer = get(session, customer_id)
    if customer.status == "anonymised":
        raise AppError(errors.ALREADY_ANONYMISED, id=customer.id)
    family = _family(session, customer)
    ids = [c.id for c in family]
    identities = session.scalars(
        select(CustomerIdentity).where(CustomerIdentity.customer_id.in_(ids)).order_by(CustomerIdentity.id)
    )
    requests = []
    for member in family:
        requests += customer_data.export_for_customer(session, ring, member.id, member.phone_bi)
    indexes = [c.si_code_bi for c in family if c.si_code_bi]
    checks = session.scalars(
        select(Verification).where(Verification.subject_bi.in_(indexes)).order_by(Verification.id)
    ) if indexes else []  # fmt: skip
    reads = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "customer", AuditEntry.object_id.in_([str(i) for i in ids]))
        .order_by(AuditEntry.id.desc())
        .limit(ACCESS_TRAIL)
    )
    document = {
        "generated_at": utcnow().isoformat(),
        "customer": {
            "id": customer.id, "kind": customer.kind, "name": customer.name,
            "birth_date": customer.birth_date.isoformat() if customer.birth_date else None,
            "gender": customer.gender, "si_code": _clear(ring, customer, "si_code"),
            "cccd": _clear(ring, customer, "cccd"), "phone": _clear(ring, customer, "phone"),
            "email": customer.email, "province_code": customer.province_code, "commune": customer.commune,
            "address": customer.address, "unit_code": customer.unit_code, "tax_code": customer.tax_code,
            "contact_person": customer.contact_person, "created_at": customer.created_at.isoformat(),
            "merged_records": [c.id for c in family[1:]],
        },
        "identities": [{"kind": i.kind, "since": i.created_at.isoformat(),
                        "value": ring.decrypt(i.value_enc, context=context(f"identity.{i.kind}"))}
                       for i in identities],
        "requests": requests,
        "verifications": [{"method": v.method, "status": v.status, "at": v.created_at.isoformat()}
                          for v in checks],
        "access_log": [{"at": a.at.isoformat(), "action": a.action, "by": a.actor_name or a.actor,
                        "outcome": a.outcome} for a in reads],
        "not_included": ["internal notes of staff (working documents)", "one-time codes (never stored)"],
    }  # fmt: skip
    audit.record(
        session, "customer.export", actor, object_type="customer", object_id=customer.id,
        details={"reason": reason.strip()[:300], "requests": len(requests)},
    )  # fmt: skip
    return document


def anonymise(session: Session, actor: Actor, customer_id: int, *, reason: str) -> dict[str, int]:
    """Erase the person's identity for good; what statistics need stays (kind, province, gender,
    birth year, dates, and their requests' channel, topic, status and times)."""
    if len(reason.strip()) < 5:
        raise AppError(errors.REASON_REQUIRED)
    customer = get(session, customer_id)
    if customer.status == "anonymised":
        raise AppError(errors.ALREADY_ANONYMISED, id=customer.id)
    counts = {"requests": 0, "messages": 0, "identities": 0}
    for member in _family(session, customer):
        for key, n in _erase(session, member).items():
            counts[key] += n
    events.append(session, ev.Anonymised(**counts), customer.id, actor)
    audit.record(
        session, "customer.anonymise", actor, object_type="customer", object_id=customer.id,
        details={"reason": reason.strip()[:300], **counts},
    )  # fmt: skip
    return counts


def _erase(session: Session, customer: Customer) -> dict[str, int]:
    names = tuple(n for n in (customer.name, customer.contact_person) if n)
    counts = customer_data.anonymise_for_customer(session, customer.id, customer.phone_bi, names)
    identities = session.scalars(
        select(CustomerIdentity).where(CustomerIdentity.customer_id == customer.id)
    ).all()
    for identity in identities:
        session.delete(identity)
    for field in PROTECTED:
        for part in ("enc", "bi", "masked"):
            setattr(customer, f"{field}_{part}", None)
    label = f"Đã ẩn danh #{customer.id}"
    customer.name, customer.name_folded = label, f"da an danh #{customer.id}"
    if customer.birth_date is not None:
        customer.birth_date = date(customer.birth_date.year, 1, 1)  # the year is enough for statistics
    for name in ("email", "commune", "address", "contact_person", "tax_code", "unit_code"):
        setattr(customer, name, None)
    customer.status, customer.updated_at, customer.version = "anonymised", utcnow(), customer.version + 1
    return counts | {"identities": len(identities)}


def due_for_retention(session: Session, *, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Active records untouched for the retention period whose requests (if any) all closed
    before it began: the oldest first."""
    cutoff = (now or utcnow()) - RETENTION
    recent = exists().where(
        Request.customer_id == Customer.id,
        or_(Request.closed_at.is_(None), Request.closed_at > cutoff),
    )
    stmt = (
        select(Customer.id)
        .where(Customer.status == "active", Customer.updated_at < cutoff, ~recent)
        .order_by(Customer.updated_at, Customer.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def retention_run(session: Session, actor: Actor, *, now: datetime | None = None, limit: int = 500) -> int:
    """Anonymise one batch of records past their retention period; how many."""
    due = due_for_retention(session, now=now, limit=limit)
    for customer_id in due:
        anonymise(session, actor, customer_id, reason="Hết thời hạn lưu trữ / retention period ended")
    return len(due)
