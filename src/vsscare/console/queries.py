"""Reads behind the console's admin pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from vsscare.accounts import queries as accounts
from vsscare.accounts.principal import Principal
from vsscare.core.audit import AuditEntry

AUDIT_LIMIT = 200
OUTCOMES = ("ok", "denied", "failed")


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # prefix: "user." matches every user action
    actor: str = ""  # part of the actor's name, or an exact ref such as "user:12"
    outcome: str = ""  # "", ok, denied, failed

    @classmethod
    def clean(cls, action: str | None, actor: str | None, outcome: str | None) -> AuditFilter:
        return cls(
            action=(action or "").strip()[:80],
            actor=(actor or "").strip()[:80],
            outcome=outcome if outcome in OUTCOMES else "",
        )


def audit_entries(
    session: Session, principal: Principal, filters: AuditFilter, limit: int = AUDIT_LIMIT
) -> list[AuditEntry]:
    """The latest audit entries, newest first.

    A principal limited to some provinces sees what the staff of those provinces did, and what was
    done to those staff accounts; a principal with every province sees everything."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if principal.provinces is not None:
        ids = [str(user.id) for user in accounts.list_users(session, principal)]
        stmt = stmt.where(
            or_(
                AuditEntry.actor.in_([f"user:{i}" for i in ids]),
                and_(AuditEntry.object_type == "user", AuditEntry.object_id.in_(ids)),
            )
        )
    if filters.action:
        stmt = stmt.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.actor:
        stmt = stmt.where(
            or_(
                AuditEntry.actor == filters.actor,
                AuditEntry.actor_name.icontains(filters.actor, autoescape=True),
            )
        )
    if filters.outcome:
        stmt = stmt.where(AuditEntry.outcome == filters.outcome)
    return list(session.scalars(stmt))
