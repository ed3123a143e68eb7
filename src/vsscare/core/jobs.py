"""Jobs: the transactional outbox.

An action enqueues a job in the same transaction as its state change, so the job exists if and
only if the change committed. ``vsscare worker`` runs them (see :mod:`vsscare.core.worker`).
Handlers are registered by kind with :func:`handler` in a module listed in :mod:`vsscare.handlers`.
They must be idempotent towards the outside world: a job whose worker died is run again once its
lease runs out. Their database writes go through ``ctx.session`` and commit together with the
job's completion, so those happen exactly once. A handler need not commit (``ctx.session`` lives
in a SAVEPOINT of the worker's transaction; its ``commit()`` only releases that savepoint). Raise
to fail: the job is retried with backoff, or goes to the dead letter at once on
:class:`PermanentError`.

The administration functions at the bottom (list, stats, retry, purge) serve the CLI and console.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from vsscare.core import audit
from vsscare.core.context import correlation_id
from vsscare.core.db import Base, BigId, JsonData, UTCDateTime, utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import SYSTEM, Actor

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
STATUSES = (QUEUED, RUNNING, DONE, DEAD)


class Job(Base):
    __tablename__ = "jobs"
    # Claims read "status = 'queued' ORDER BY priority, run_at, id LIMIT n" straight off this
    # index (no sort of the whole backlog); expired leases come from its status = 'running' range.
    __table_args__ = (Index("ix_jobs_claim", "status", "priority", "run_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower runs first
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # counted when claimed
    max_attempts: Mapped[int | None] = mapped_column(Integer)  # None: settings.job_max_attempts
    locked_by: Mapped[str | None] = mapped_column(String(80))  # current, then last, worker
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the lease
    last_error: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PermanentError(Exception):
    """Raised by a handler when trying again cannot help: the job goes to the dead letter at once."""


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload."""

    job_id: int
    kind: str
    attempt: int  # 1 on the first try
    session: Session  # its own SAVEPOINT in the transaction the job's completion commits with
    worker_id: str = ""
    max_attempts: int = 0

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts > 0


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


_SCHEDULERS: list[Callable[[Session], None]] = []


def recurring(schedule: Callable[[Session], None]) -> Callable[[Session], None]:
    """Register a function that queues the next run of a recurring job (idempotently, by key); a
    worker calls every one when it starts, and the job queues its own next run when it is done."""
    if schedule not in _SCHEDULERS:
        _SCHEDULERS.append(schedule)
    return schedule


def schedule_recurring(session: Session) -> None:
    for schedule in _SCHEDULERS:
        schedule(session)


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
        max_attempts=max_attempts,
        correlation_id=correlation_id(),
    )
    session.add(job)
    return job


# --- administration ---------------------------------------------------------------------------

JOB_NOT_FOUND = ErrorCode("job_not_found", "Không có tác vụ số {id}.", "There is no job {id}.", 404)
JOB_NOT_RETRYABLE = ErrorCode(
    "job_not_retryable",
    "Tác vụ số {id} đang ở trạng thái {status}: chỉ chạy lại được tác vụ hỏng (dead) hoặc đang chờ thử lại.",
    "Job {id} is {status}: only dead jobs and jobs waiting for a retry can be retried.",
    409,
)


def list_jobs(
    session: Session, *, status: str | None = None, kind: str | None = None, limit: int = 50
) -> list[Job]:
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class QueueStats:
    counts: dict[tuple[str, str], int]  # (kind, status) -> jobs
    oldest_due: datetime | None  # run_at of the longest-waiting due job: the queue's lag
    expired_leases: int  # running jobs whose worker seems gone; another worker will take them


def stats(session: Session) -> QueueStats:
    rows = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    now = utcnow()
    oldest = session.scalar(select(func.min(Job.run_at)).where(Job.status == QUEUED, Job.run_at <= now))
    expired = session.scalar(select(func.count()).where(Job.status == RUNNING, Job.locked_until < now))
    return QueueStats({(k, s): n for k, s, n in rows}, oldest, expired or 0)


def retry(
    session: Session,
    ids: Sequence[int] = (),
    *,
    all_dead: bool = False,
    kind: str | None = None,
    actor: Actor = SYSTEM,
) -> list[int]:
    """Put dead jobs (or jobs waiting out a backoff) back in the queue, due now, attempts reset."""
    chosen = list(dict.fromkeys(ids))
    if chosen:
        found = dict(session.execute(select(Job.id, Job.status).where(Job.id.in_(chosen))).all())
        for job_id in chosen:
            if job_id not in found:
                raise AppError(JOB_NOT_FOUND, id=job_id)
            if found[job_id] not in (DEAD, QUEUED):
                raise AppError(JOB_NOT_RETRYABLE, id=job_id, status=found[job_id])
    if all_dead:
        stmt = select(Job.id).where(Job.status == DEAD)
        if kind:
            stmt = stmt.where(Job.kind == kind)
        chosen += [i for i in session.scalars(stmt) if i not in chosen]
    if not chosen:
        return []
    session.execute(
        update(Job)
        .where(Job.id.in_(chosen))
        .values(status=QUEUED, run_at=utcnow(), attempts=0, locked_until=None, finished_at=None),
        execution_options={"synchronize_session": False},
    )
    audit.record(session, "jobs.retry", actor, object_type="job", details={"ids": chosen[:1000]})
    return chosen


def purge(
    session: Session, *, status: str = DONE, older_than: timedelta = timedelta(days=30), actor: Actor = SYSTEM
) -> int:
    """Delete finished jobs (done or dead) that finished before ``older_than`` ago."""
    if status not in (DONE, DEAD):
        raise ValueError("only done or dead jobs can be purged")
    cutoff = utcnow() - older_than
    result = session.execute(
        delete(Job).where(Job.status == status, Job.finished_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    count = result.rowcount or 0
    audit.record(
        session,
        "jobs.purge",
        actor,
        object_type="job",
        details={"status": status, "before": cutoff.isoformat(), "count": count},
    )
    return count
