"""Jobs: the transactional outbox.

An action enqueues a job in the same transaction as its state change, so the job exists if and
only if the change committed. ``vsscare worker`` runs them (see :mod:`vsscare.core.worker`).
Handlers are registered by kind with :func:`handler`; they must be idempotent, because a job
whose worker died is run again once its lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vsscare.core.context import correlation_id
from vsscare.core.db import Base, BigId, JsonData, UTCDateTime, utcnow

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
STATUSES = (QUEUED, RUNNING, DONE, DEAD)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "status", "run_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower runs first
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload."""

    job_id: int
    kind: str
    attempt: int
    session: Session  # the transaction the job's completion commits with


Handler = Callable[[JobContext, dict[str, Any]], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind] is not fn:
            raise ValueError(f"job handler {kind!r} registered twice")
        _HANDLERS[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: timedelta | None = None,
    run_at: datetime | None = None,
    key: str | None = None,
    priority: int = 0,
    max_attempts: int | None = None,
) -> Job:
    """Add a job to the current transaction. With ``key``, an existing job of that key is returned."""
    if key is not None:
        existing = session.scalar(select(Job).where(Job.key == key))
        if existing is not None:
            return existing
    when = run_at or utcnow()
    if delay:
        when = when + delay
    job = Job(
        kind=kind,
        payload=payload or {},
        run_at=when,
        key=key,
        priority=priority,
        correlation_id=correlation_id(),
    )
    if max_attempts is not None:
        job.max_attempts = max_attempts
    session.add(job)
    return job
