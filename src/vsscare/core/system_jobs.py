"""Built-in jobs. ``system.ping`` proves that a worker runs (``vsscare jobs ping``, the benchmark)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vsscare.core.context import correlation_id
from vsscare.core.db import utcnow
from vsscare.core.events import SYSTEM, Event, EventRecord
from vsscare.core.jobs import Job, JobContext, enqueue, handler

PING = "system.ping"
MAX_PING_DELAY_MS = 10_000
_INSERT_EVENT = EventRecord.__table__.insert()


class PingAnswered(Event):
    """A worker ran a ping job; ``latency_ms`` is from enqueueing to running."""

    type = "system.ping"
    subject = "job"
    worker: str
    attempt: int
    latency_ms: int | None = None


def enqueue_ping(session: Session, *, delay_ms: int = 0, key: str | None = None) -> Job:
    """``delay_ms`` makes the handler sleep, to stand in for slow work in load and crash tests."""
    payload: dict[str, Any] = {"sent_at": utcnow().isoformat()}
    if delay_ms:
        payload["delay_ms"] = min(int(delay_ms), MAX_PING_DELAY_MS)
    return enqueue(session, PING, payload, key=key)


@handler(PING)
def ping(ctx: JobContext, payload: dict[str, Any]) -> None:
    delay_ms = min(int(payload.get("delay_ms") or 0), MAX_PING_DELAY_MS)
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    latency = None
    if sent := payload.get("sent_at"):
        latency = int((utcnow() - datetime.fromisoformat(sent)).total_seconds() * 1000)
    event = PingAnswered(worker=ctx.worker_id, attempt=ctx.attempt, latency_ms=latency)
    # What events.append writes, as one prepared Core INSERT: pings are many and need no ORM object.
    ctx.session.execute(
        _INSERT_EVENT,
        {
            "occurred_at": utcnow(),
            "subject_type": event.subject,
            "subject_id": str(ctx.job_id),
            "type": event.type,
            "actor": SYSTEM.ref,
            "data": event.model_dump(mode="json"),
            "correlation_id": correlation_id(),
        },
    )
