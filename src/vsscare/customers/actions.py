"""Every write to customers: create people and employers, link channel identities, reveal a
protected value (audited). Identifiers are checked by ``identifiers``, then stored encrypted with
their blind index and masked form (``protect``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vsscare.core import audit, events
from vsscare.core.crypto import Keyring
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Actor
from vsscare.core.text import fold
from vsscare.customers import errors, identifiers
from vsscare.customers import events as ev
from vsscare.customers.models import PROTECTED, Customer, CustomerIdentity
from vsscare.customers.schemas import EmployerIn, IdentityIn, PersonIn


def context(field: str) -> str:
    """The associated data and index context of a protected column."""
    return f"customers.{field}"


def protect(ring: Keyring, field: str, value: str | None) -> dict[str, str | None]:
    """``{field}_enc``, ``{field}_bi`` and ``{field}_masked`` of a normalised value (all None for None)."""
    if value is None:
        return {f"{field}_enc": None, f"{field}_bi": None, f"{field}_masked": None}
    return {
        f"{field}_enc": ring.encrypt(value, context=context(field)),
        f"{field}_bi": ring.blind_index(value, context=context(field)),
        f"{field}_masked": identifiers.mask(field, value),
    }


def _same(session: Session, field: str, index: str | None) -> Customer | None:
    if index is None:
        return None
    column = getattr(Customer, f"{field}_bi")
    return session.scalar(select(Customer).where(column == index, Customer.status == "active").limit(1))


def _refuse_duplicates(session: Session, values: dict[str, Any]) -> None:
    for field in ("si_code", "cccd"):
        other = _same(session, field, values.get(f"{field}_bi"))
        if other is not None:
            raise AppError(
                errors.DUPLICATE, field=errors.FIELD_NAMES[field][0], field_en=errors.FIELD_NAMES[field][1],
                masked=values[f"{field}_masked"], id=other.id,
            )  # fmt: skip


def create_person(session: Session, actor: Actor, data: PersonIn, ring: Keyring) -> Customer:
    si = identifiers.si_code(data.si_code) if data.si_code else None
    card = identifiers.cccd(data.cccd, birth_date=data.birth_date, gender=data.gender) if data.cccd else None
    phone = identifiers.phone(data.phone) if data.phone else None
    values = protect(ring, "si_code", si) | protect(ring, "cccd", card) | protect(ring, "phone", phone)
    _refuse_duplicates(session, values)
    customer = Customer(
        kind="person", name=data.name, name_folded=fold(data.name), birth_date=data.birth_date,
        gender=data.gender, email=data.email, province_code=data.province, commune=data.commune,
        address=data.address, created_by=actor.ref, **values,
    )  # fmt: skip
    return _created(session, actor, customer, ring, phone, data.email)


def create_employer(session: Session, actor: Actor, data: EmployerIn, ring: Keyring) -> Customer:
    phone = identifiers.phone(data.phone) if data.phone else None
    if data.unit_code and session.scalar(
        select(Customer.id).where(Customer.unit_code == data.unit_code.upper(), Customer.status == "active")
    ):
        raise AppError(errors.EMPLOYER_DUPLICATE, unit_code=data.unit_code.upper())
    customer = Customer(
        kind="employer", name=data.name, name_folded=fold(data.name),
        unit_code=data.unit_code.upper() if data.unit_code else None, tax_code=data.tax_code,
        contact_person=data.contact_person, email=data.email, province_code=data.province,
        commune=data.commune, address=data.address, created_by=actor.ref, **protect(ring, "phone", phone),
    )  # fmt: skip
    return _created(session, actor, customer, ring, phone, data.email)


def _created(
    session: Session, actor: Actor, customer: Customer, ring: Keyring, phone: str | None, email: str | None
) -> Customer:
    session.add(customer)
    session.flush()
    events.append(session, ev.Created(kind=customer.kind), customer.id, actor)
    # The numbers on record are also how the customer will be recognised on the channels.
    for kind, value in (("phone", phone), ("email", email)):
        if value and _identity(session, ring, kind, value) is None:
            _add_identity(session, actor, ring, customer, kind, value)
    return customer


def identity_value(kind: str, value: str) -> str:
    """The normalised form an identity is stored and found by."""
    if kind == "phone":
        return identifiers.phone(value)
    if kind == "email":
        return value.strip().lower()
    return value.strip()


def _identity(session: Session, ring: Keyring, kind: str, value: str) -> CustomerIdentity | None:
    index = ring.blind_index(value, context=context(f"identity.{kind}"))
    return session.scalar(
        select(CustomerIdentity).where(CustomerIdentity.kind == kind, CustomerIdentity.value_bi == index)
    )


def _add_identity(
    session: Session, actor: Actor, ring: Keyring, customer: Customer, kind: str, value: str
) -> CustomerIdentity:
    where = context(f"identity.{kind}")
    identity = CustomerIdentity(
        customer_id=customer.id, kind=kind, value_enc=ring.encrypt(value, context=where),
        value_bi=ring.blind_index(value, context=where),
        value_masked=identifiers.mask(kind, value),
    )  # fmt: skip
    session.add(identity)
    events.append(session, ev.IdentityLinked(identity_kind=kind), customer.id, actor)
    return identity


def link_identity(
    session: Session,
    actor: Actor,
    customer_id: int,
    data: IdentityIn,
    ring: Keyring,
    *,
    now: datetime | None = None,
) -> CustomerIdentity:
    """Attach a channel identity to a customer; seen again, it is only touched. An identity that
    belongs to someone else is refused (merge the two customers instead)."""
    customer = get(session, customer_id)
    value = identity_value(data.kind, data.value)
    known = _identity(session, ring, data.kind, value)
    if known is not None:
        if known.customer_id != customer.id:
            raise AppError(errors.IDENTITY_TAKEN, masked=known.value_masked, id=known.customer_id)
        known.last_seen_at = now or utcnow()
        return known
    identity = _add_identity(session, actor, ring, customer, data.kind, value)
    identity.last_seen_at = now or utcnow()
    return identity


def get(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise AppError(errors.NOT_FOUND, id=customer_id)
    return customer


def reveal(
    session: Session, actor: Actor, customer_id: int, field: str, reason: str, ring: Keyring
) -> str | None:
    """The clear value of a protected field, for someone allowed to see it, with the reason
    written to the audit log. Permission is the caller's to check."""
    if field not in PROTECTED:
        raise AppError(errors.NOT_PROTECTED, field=field[:40])
    if len(reason.strip()) < 5:
        raise AppError(errors.REASON_REQUIRED)
    customer = get(session, customer_id)
    audit.record(
        session, "customer.reveal", actor, object_type="customer", object_id=customer.id,
        details={"field": field, "reason": reason.strip()[:300]},
    )  # fmt: skip
    token = getattr(customer, f"{field}_enc")
    return None if token is None else ring.decrypt(token, context=context(field))


# Fields a kept record takes from the one merged into it when it has none of its own.
MERGE_FILLS = (
    "birth_date", "gender", "email", "province_code", "commune", "address", "unit_code", "tax_code",
    "contact_person", *(f"{field}_{part}" for field in PROTECTED for part in ("enc", "bi", "masked")),
)  # fmt: skip


def merge(session: Session, actor: Actor, source_id: int, target_id: int, *, reason: str) -> Customer:
    """Fold a duplicate record into the one kept: its identities and requests move over, the gaps
    of the kept record are filled from it, and it stays as ``merged`` with a pointer, so its
    history and every link to it still lead somewhere. The caller checks both are visible."""
    from vsscare.requests import customer_data  # requests depends on customers, not the reverse

    if source_id == target_id:
        raise AppError(errors.MERGE_SAME)
    if len(reason.strip()) < 5:
        raise AppError(errors.REASON_REQUIRED)
    source, target = get(session, source_id), get(session, target_id)
    for customer in (source, target):
        if customer.status != "active":
            raise AppError(errors.MERGE_INACTIVE, id=customer.id)
    if source.kind != target.kind:
        raise AppError(errors.MERGE_KINDS)
    filled, conflicts = [], []
    for name in MERGE_FILLS:
        mine, theirs = getattr(target, name), getattr(source, name)
        if theirs is None:
            continue
        field = name.rsplit("_", 1)[0] if name.endswith(("_enc", "_bi", "_masked")) else name
        if mine is None:
            setattr(target, name, theirs)
            if field not in filled:
                filled.append(field)
        elif name.endswith("_enc"):
            continue  # ciphertexts differ for one value: the blind index tells
        elif mine != theirs and field not in conflicts:
            conflicts.append(field)
    taken = set(
        session.scalars(select(CustomerIdentity.value_bi).where(CustomerIdentity.customer_id == target.id))
    )
    moved = 0
    for identity in session.scalars(
        select(CustomerIdentity).where(CustomerIdentity.customer_id == source.id)
    ):
        if identity.value_bi in taken:
            session.delete(identity)
        else:
            identity.customer_id, moved = target.id, moved + 1
    source.status, source.merged_into_id = "merged", target.id
    now = utcnow()
    for customer in (source, target):
        customer.updated_at, customer.version = now, customer.version + 1
    requests_moved = customer_data.move_customer(session, source.id, target.id)
    event = ev.Merged(into=target.id, source=source.id, identities_moved=moved, requests_moved=requests_moved,
                      filled=filled, conflicts=conflicts)  # fmt: skip
    events.append(session, event, source.id, actor)
    events.append(session, event, target.id, actor)
    audit.record(
        session, "customer.merge", actor, object_type="customer", object_id=f"{source.id},{target.id}",
        details={"into": target.id, "reason": reason.strip()[:300]},
    )  # fmt: skip
    return target
