"""Key rotation for personal data at rest: every encrypted column, how many values each key
holds, and re-encryption under the current key in small transactions (safe to interrupt and run
again; web and worker processes keep reading old values meanwhile, as both keys are configured)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from vsscare.core import audit
from vsscare.core.crypto import Keyring
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.customers.models import Customer, CustomerIdentity, Verification
from vsscare.requests.models import Request


@dataclass(frozen=True)
class Column:
    model: type
    name: str
    context: Callable[[object], str]  # the row's associated data

    @property
    def label(self) -> str:
        return f"{self.model.__tablename__}.{self.name}"


COLUMNS = (
    Column(Customer, "si_code_enc", lambda row: "customers.si_code"),
    Column(Customer, "cccd_enc", lambda row: "customers.cccd"),
    Column(Customer, "phone_enc", lambda row: "customers.phone"),
    Column(CustomerIdentity, "value_enc", lambda row: f"customers.identity.{row.kind}"),
    Column(Verification, "subject_enc", lambda row: "customers.si_code"),
    Column(Request, "contact_phone_enc", lambda row: "customers.phone"),  # requests.contact.CONTEXT
)


def key_use(db: Database, ring: Keyring) -> dict[str, Counter[str]]:
    """Column label → key id → number of values."""
    out: dict[str, Counter[str]] = {}
    with db.read() as session:
        for column in COLUMNS:
            attr = getattr(column.model, column.name)
            kid = (
                func.substr(attr, 1, func.instr(attr, ":") - 1)
                if db.is_sqlite
                else func.split_part(attr, ":", 1)
            )
            rows = session.execute(select(kid, func.count()).where(attr.is_not(None)).group_by(kid))
            out[column.label] = Counter({k: n for k, n in rows})
    return out


def rotate(
    db: Database,
    ring: Keyring,
    actor: Actor,
    *,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-encrypt every value not under the current key; the number re-encrypted."""
    done = 0
    for column in COLUMNS:
        attr = getattr(column.model, column.name)
        pk = column.model.id
        stale = attr.is_not(None) & ~attr.startswith(f"{ring.current}:", autoescape=True)
        while True:
            with db.session() as session:
                rows = session.scalars(select(column.model).where(stale).order_by(pk).limit(batch)).all()
                for row in rows:
                    clear = ring.decrypt(getattr(row, column.name), context=column.context(row))
                    session.execute(
                        update(column.model)
                        .where(pk == row.id)
                        .values({column.name: ring.encrypt(clear, context=column.context(row))})
                        .execution_options(synchronize_session=False)
                    )
                if rows:
                    audit.record(
                        session, "keys.rotate", actor, object_type=column.model.__tablename__,
                        details={"column": column.name, "values": len(rows), "key": ring.current},
                    )  # fmt: skip
            done += len(rows)
            if progress and rows:
                progress(len(rows))
            if len(rows) < batch:
                break
    return done
