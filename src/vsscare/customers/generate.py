"""Customers for demonstrations and benchmarks: the people of the (synthetic) registry who have
contacted us, with their identifiers encrypted, blind-indexed and masked exactly as
``actions.create_person`` stores them, inserted in batches with Core statements."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from vsscare.core.crypto import Keyring
from vsscare.core.db import Database, utcnow
from vsscare.core.text import fold
from vsscare.customers.actions import context, protect
from vsscare.customers.identifiers import mask
from vsscare.customers.models import Customer, CustomerIdentity
from vsscare.customers.registry_models import RegistryPerson

BATCH = 5_000
CREATOR = "system:generate"


def customers_from_registry(
    db: Database,
    ring: Keyring,
    *,
    limit: int | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Make a customer of every registry person (up to ``limit``) not yet one; the number made.
    Each gets their phone as a channel identity too, unless someone else already has it."""
    made = 0
    after = ""
    while limit is None or made < limit:
        size = batch if limit is None else min(batch, limit - made)
        with db.read() as session:
            stmt = (
                select(RegistryPerson).where(RegistryPerson.si_code > after).order_by(RegistryPerson.si_code)
            )
            people = session.scalars(stmt.limit(size)).all()
        if not people:
            break
        after = people[-1].si_code
        rows = [_row(ring, p) for p in people]
        phones = {row["si_code_bi"]: p.phone for row, p in zip(rows, people, strict=True)}
        with db.session() as session:
            indexes = [r["si_code_bi"] for r in rows]
            known = set(session.scalars(select(Customer.si_code_bi).where(Customer.si_code_bi.in_(indexes))))
            rows = [r for r in rows if r["si_code_bi"] not in known]
            if rows:
                ids = _new_ids(session, len(rows))
                session.execute(insert(Customer), [r | {"id": i} for i, r in zip(ids, rows, strict=True)])
                identities = {}  # a phone shared by a family is the identity of its first holder only
                for cid, row in zip(ids, rows, strict=True):
                    if phone := phones[row["si_code_bi"]]:
                        identity = _identity(ring, cid, phone)
                        identities.setdefault(identity["value_bi"], identity)
                taken = session.scalars(
                    select(CustomerIdentity.value_bi).where(
                        CustomerIdentity.kind == "phone", CustomerIdentity.value_bi.in_(list(identities))
                    )
                )
                for value_bi in taken:
                    identities.pop(value_bi)
                if identities:
                    session.execute(insert(CustomerIdentity), list(identities.values()))
        made += len(rows)
        if progress:
            progress(len(people))
    return made


def _new_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new customers, so the rows go in one plain multi-row insert (an INSERT …
    RETURNING in parameter order is many times slower). SQLite: after the largest, inside this
    write transaction, which holds the database's write lock; PostgreSQL: from the sequence."""
    if session.get_bind().dialect.name == "sqlite":
        start = (session.scalar(select(func.max(Customer.id))) or 0) + 1
        return list(range(start, start + count))
    sequence = text("SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, :n)")
    return list(session.scalars(sequence, {"n": count}))


def _row(ring: Keyring, person: RegistryPerson) -> dict:
    now = utcnow()
    return {
        "kind": "person", "status": "active", "name": person.full_name, "name_folded": fold(person.full_name),
        "birth_date": person.birth_date, "gender": person.gender, "province_code": person.province_code,
        "created_by": CREATOR, "created_at": now, "updated_at": now, "version": 1,
        **protect(ring, "si_code", person.si_code), **protect(ring, "cccd", person.cccd),
        **protect(ring, "phone", person.phone),
    }  # fmt: skip


def _identity(ring: Keyring, customer_id: int, phone: str) -> dict:
    where = context("identity.phone")
    now = utcnow()
    return {
        "customer_id": customer_id, "kind": "phone", "value_enc": ring.encrypt(phone, context=where),
        "value_bi": ring.blind_index(phone, context=where), "value_masked": mask("phone", phone),
        "created_at": now, "last_seen_at": now,
    }  # fmt: skip
