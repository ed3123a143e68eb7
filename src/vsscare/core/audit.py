"""The audit log: who read or tried what, when, from where. Append-only.

Actions call :func:`record` inside their own transaction. Denials and failures that roll the
action back use :func:`record_now`, which commits on its own so the trail survives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from vsscare.core.context import client, correlation_id
from vsscare.core.db import Base, BigId, Database, JsonData, UTCDateTime, utcnow
from vsscare.core.events import SYSTEM, Actor


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20), default="ok")  # ok | denied | failed
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    correlation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)


def record(
    session: Session,
    action: str,
    actor: Actor = SYSTEM,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    ip, agent = client()
    entry = AuditEntry(
        actor=actor.ref,
        actor_name=actor.name,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        user_agent=agent,
        correlation_id=correlation_id(),
        details=details or {},
    )
    session.add(entry)
    return entry


def record_now(db: Database, action: str, actor: Actor = SYSTEM, **kwargs: Any) -> None:
    with db.session() as session:
        record(session, action, actor, **kwargs)
