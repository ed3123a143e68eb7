"""The job worker: claims due jobs, runs their handlers, records each outcome.

1. **Claim** (its own transaction, committed: the lease). Due queued jobs, and running jobs whose
   lease ran out (their worker died), are marked ``running``, ``locked_by`` = this worker,
   ``locked_until`` = now + lease, ``attempts`` + 1. PostgreSQL reads them ``FOR UPDATE SKIP
   LOCKED``, so workers on any number of machines never claim the same job. SQLite has one writer
   (every write transaction is ``BEGIN IMMEDIATE``), so there the claim is simply serialised.
2. **Run** in chunks: one transaction per chunk that first re-locks the chunk's jobs *still leased
   to us* (a job reclaimed by another worker is skipped, never completed twice), then runs each
   handler inside a SAVEPOINT, so a failing job rolls back only its own writes, and finally marks
   the successful ones ``done`` in the same transaction. A chunk ends after ``chunk_seconds``
   so a SQLite write lock or PostgreSQL row locks are never held for long.
3. **Failures**: back to ``queued`` with exponential backoff and jitter, ``dead`` after
   ``max_attempts``, at once for :class:`~vsscare.core.jobs.PermanentError` or an unknown kind.

A worker killed mid-chunk leaves its jobs ``running``; the open transaction is rolled back by
the database, and another worker reclaims the jobs once ``locked_until`` has passed.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic, perf_counter
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

import vsscare.handlers  # noqa: F401  (registers every job kind)
from vsscare.core.config import Settings
from vsscare.core.context import bound
from vsscare.core.db import Checkpointer, Database, utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.jobs import (
    DEAD,
    DONE,
    QUEUED,
    RUNNING,
    Job,
    JobContext,
    PermanentError,
    handler_for,
    schedule_recurring,
)

log = logging.getLogger("vsscare.worker")
jobs = Job.__table__

DEFAULT_BATCH = 200
MAX_BACKOFF_SECONDS = 3600
MAX_ERROR_CHARS = 4000

WORKER_RUNNING = ErrorCode(
    "worker_already_running",
    "Đã có một tiến trình xử lý tác vụ chạy trên cơ sở dữ liệu SQLite này ({path}). SQLite chỉ có "
    "một luồng ghi nên chỉ chạy một tiến trình xử lý; dùng PostgreSQL để chạy nhiều tiến trình.",
    "A worker is already running on this SQLite database ({path}). SQLite has a single writer, so "
    "it runs one worker; use PostgreSQL to run several.",
    409,
)


@dataclass(frozen=True)
class Claimed:
    """A job this worker holds the lease of."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int | None
    correlation_id: str | None
    priority: int
    run_at: datetime


_CLAIM_COLUMNS = [jobs.c[name] for name in Claimed.__dataclass_fields__]
_job_session = sessionmaker(join_transaction_mode="create_savepoint", expire_on_commit=False)

# For the claim transaction only. A claim lost in a server crash merely makes its jobs look
# queued again, so it need not wait for the WAL flush (the run transaction does). A queue table's
# statistics are always stale; left alone the planner may sort the whole backlog under the row
# locks, so make it walk ix_jobs_claim in (priority, run_at, id) order and stop after LIMIT rows.
_PG_CLAIM_SETTINGS = text(
    "SELECT set_config('synchronous_commit', 'off', true), set_config('enable_sort', 'off', true),"
    " set_config('enable_bitmapscan', 'off', true)"
)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempt: int) -> timedelta:
    """2^attempt seconds, capped at an hour, with "equal jitter": between half and all of it."""
    base = min(2 ** min(attempt, 32), MAX_BACKOFF_SECONDS)
    return timedelta(seconds=base / 2 + random.uniform(0, base / 2))


def describe_error(exc: BaseException) -> str:
    """First line ``Type: message`` (shown by ``jobs list``), then the traceback's tail."""
    head = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:500]
    tb = "".join(traceback.format_exception(exc))
    room = MAX_ERROR_CHARS - len(head) - 1
    return f"{head}\n{tb[-room:]}" if room > 0 else head


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        worker_id: str | None = None,
        batch_size: int = DEFAULT_BATCH,
        poll_interval: float = 1.0,
        chunk_seconds: float = 0.5,
    ) -> None:
        self.db = db
        self.id = (worker_id or default_worker_id())[:80]
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.chunk_seconds = chunk_seconds
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self.max_attempts = settings.job_max_attempts
        self._stop = threading.Event()

    # --- loop ------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim and run one batch; the number of jobs run (done or failed)."""
        return self.execute(self.claim())

    def _schedule(self) -> None:
        try:
            with self.db.session() as session:
                schedule_recurring(session)
        except Exception:  # the database is away: the jobs already queued still run; the next start retries
            log.exception("recurring jobs not scheduled", extra={"worker": self.id})

    def run(self, stop_event: threading.Event, burst: bool = False) -> int:
        """Run batches until ``stop_event`` is set (or, with ``burst``, until nothing is due)."""
        self._stop = stop_event
        if not burst:  # a burst drains what is due; a long-running worker keeps the nightly jobs queued
            self._schedule()
        total, failures = 0, 0
        while not stop_event.is_set():
            try:
                claimed = self.claim()
                total += self.execute(claimed)
                failures = 0
            except Exception:
                if burst:
                    raise
                # The database went away or similar: keep the process, retry with a growing pause.
                failures += 1
                log.exception("worker loop failed", extra={"worker": self.id, "failures": failures})
                stop_event.wait(min(self.poll_interval * 2**failures, 30))
                continue
            if not claimed:
                if burst:
                    break
                stop_event.wait(self.poll_interval)
        return total

    # --- claim -----------------------------------------------------------------------------------

    def claim(self, limit: int | None = None) -> list[Claimed]:
        limit = limit or self.batch_size
        now = utcnow()
        with self.db.session() as session:
            if not self.db.is_sqlite:
                session.execute(_PG_CLAIM_SETTINGS)
            # Expired leases first: they are the oldest work, and there are few of them.
            ids = list(
                session.scalars(
                    select(Job.id)
                    .where(Job.status == RUNNING, Job.locked_until < now)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if len(ids) < limit:
                ids += session.scalars(
                    select(Job.id)
                    .where(Job.status == QUEUED, Job.run_at <= now)
                    .order_by(Job.priority, Job.run_at, Job.id)
                    .limit(limit - len(ids))
                    .with_for_update(skip_locked=True)
                )
            if not ids:
                return []
            rows = session.execute(
                update(jobs)
                .where(jobs.c.id.in_(ids))
                .values(
                    status=RUNNING,
                    locked_by=self.id,
                    locked_until=now + self.lease,
                    attempts=jobs.c.attempts + 1,
                )
                .returning(*_CLAIM_COLUMNS)
            ).all()
        claimed = [Claimed(*row) for row in rows]
        claimed.sort(key=lambda j: (j.priority, j.run_at, j.id))
        return claimed

    # --- run -------------------------------------------------------------------------------------

    def execute(self, claimed: Sequence[Claimed]) -> int:
        """Run claimed jobs in chunks; on a stop request, hand the unstarted ones back."""
        ran, start = 0, 0
        while start < len(claimed):
            if start and self._stop.is_set():
                self.release(claimed[start:])
                break
            with self.db.engine.connect() as conn, conn.begin():
                pending = claimed[start:]
                owned = self._own(conn, [j.id for j in pending], extend=start > 0)
                deadline = monotonic() + self.chunk_seconds
                succeeded: list[int] = []
                for job in pending:
                    start += 1
                    if job.id not in owned:
                        log.warning(
                            "job lease lost; another worker has it",
                            extra={"job_id": job.id, "kind": job.kind, "worker": self.id},
                        )
                        continue
                    ran += 1
                    if self._run_job(conn, job):
                        succeeded.append(job.id)
                    if monotonic() >= deadline:
                        break
                self._complete(conn, succeeded)
        return ran

    def _own(self, conn: Connection, ids: list[int], extend: bool) -> set[int]:
        """Lock the jobs still leased to us for this transaction; later chunks renew the lease."""
        mine = (jobs.c.id.in_(ids), jobs.c.locked_by == self.id, jobs.c.status == RUNNING)
        if extend:
            stmt = update(jobs).where(*mine).values(locked_until=utcnow() + self.lease).returning(jobs.c.id)
            return set(conn.scalars(stmt))
        return set(conn.scalars(select(jobs.c.id).where(*mine).with_for_update()))

    def _run_job(self, conn: Connection, job: Claimed) -> bool:
        limit = job.max_attempts or self.max_attempts
        info = {"job_id": job.id, "kind": job.kind, "attempt": job.attempts, "worker": self.id}
        with bound(job.correlation_id):
            fn = handler_for(job.kind)
            if fn is None:
                error = f"UnknownJobKind: no handler is registered for job kind {job.kind!r}"
                self._fail(conn, job, error, dead=True)
                log.error("job has an unknown kind; moved to the dead letter", extra=info)
                return False
            log.debug("job started", extra=info)
            began = perf_counter()
            # The job's own session lives in a SAVEPOINT of the chunk's transaction: a failure
            # (even in a flush) rolls back only this job, and a handler's commit() only releases it.
            failure: Exception | None = None
            with _job_session(bind=conn) as session:
                try:
                    fn(JobContext(job.id, job.kind, job.attempts, session, self.id, limit), job.payload)
                    session.commit()
                except Exception as exc:
                    session.rollback()
                    failure = exc
            if failure is not None:
                ms = round((perf_counter() - began) * 1000, 1)
                dead = isinstance(failure, PermanentError) or job.attempts >= limit
                retry_at = self._fail(conn, job, describe_error(failure), dead=dead)
                if dead:
                    log.error(
                        "job failed; moved to the dead letter", exc_info=failure, extra={**info, "ms": ms}
                    )
                else:
                    log.warning(
                        "job failed; will retry",
                        exc_info=failure,
                        extra={**info, "ms": ms, "retry_at": retry_at.isoformat()},
                    )
                return False
            log.info("job done", extra={**info, "ms": round((perf_counter() - began) * 1000, 1)})
            return True

    def _complete(self, conn: Connection, ids: list[int]) -> None:
        if not ids:
            return
        result = conn.execute(
            update(jobs)
            .where(jobs.c.id.in_(ids), jobs.c.locked_by == self.id, jobs.c.status == RUNNING)
            .values(status=DONE, finished_at=utcnow(), locked_until=None)
        )
        if result.rowcount != len(ids):  # cannot happen while _own's locks hold; never half-commit
            raise RuntimeError(f"lease lost while completing jobs {ids}")

    def _fail(self, conn: Connection, job: Claimed, error: str, dead: bool) -> datetime:
        now = utcnow()
        values: dict[str, Any] = {"last_error": error, "locked_until": None}
        if dead:
            values.update(status=DEAD, finished_at=now)
        else:
            values.update(status=QUEUED, run_at=now + backoff(job.attempts))
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job.id, jobs.c.locked_by == self.id, jobs.c.status == RUNNING)
            .values(**values)
        )
        return values.get("run_at", now)

    def release(self, claimed: Sequence[Claimed]) -> None:
        """Give back jobs that were claimed but not started (a graceful stop); the try is not counted."""
        if not claimed:
            return
        with self.db.session() as session:
            session.execute(
                update(jobs)
                .where(
                    jobs.c.id.in_([j.id for j in claimed]),
                    jobs.c.locked_by == self.id,
                    jobs.c.status == RUNNING,
                )
                .values(status=QUEUED, attempts=jobs.c.attempts - 1, locked_until=None)
            )
        log.info("unstarted jobs handed back", extra={"worker": self.id, "count": len(claimed)})


@contextmanager
def graceful_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT: finish the current chunk, then stop. A second signal exits at once."""

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            log.warning("second signal: exiting now", extra={"signal": signum})
            for handler in logging.getLogger().handlers:
                handler.flush()
            os._exit(128 + signum)  # claimed jobs stay leased; another worker reclaims them
        log.info("stopping after the current batch", extra={"signal": signum})
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def sqlite_single_worker(db: Database) -> Iterator[None]:
    """On SQLite, refuse a second worker: one writer means a second worker only adds lock waits.

    The lock is an ``flock`` on ``<database>.worker.lock``; the kernel drops it when the process
    ends, even on SIGKILL, so it never goes stale. PostgreSQL needs no such lock.
    """
    path = db.engine.url.database if db.is_sqlite else None
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    lock_path = f"{path}.worker.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AppError(WORKER_RUNNING, path=path) from None
        yield
    finally:
        os.close(fd)


@contextmanager
def in_background(db: Database, settings: Settings) -> Iterator[Worker]:
    """A worker thread beside the web server, for single-machine installs and the demo."""
    stop = threading.Event()
    runner = Worker(db, settings, poll_interval=0.5)
    with sqlite_single_worker(db), Checkpointer(db):
        thread = threading.Thread(target=runner.run, args=(stop,), name="vsscare-worker", daemon=True)
        thread.start()
        try:
            yield runner
        finally:
            stop.set()
            thread.join(30)
