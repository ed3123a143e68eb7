"""The retention job: each night, records past their retention period are anonymised in small
batches (one batch per job, committed with it; while more remain, the next batch is queued at
once), then the next night's run is queued. Keys make every run and batch idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from vsscare.core.db import utcnow
from vsscare.core.events import Actor
from vsscare.core.jobs import JobContext, enqueue, handler, recurring
from vsscare.customers import privacy
from vsscare.orgunits.calendar import VN_TZ

RETENTION_JOB = "customers.retention"
BATCH = 500
RUN_AT = time(2, 0)  # Vietnam time: the quietest hour of the switchboard
RETENTION = Actor.system("retention")


def next_run(now: datetime) -> datetime:
    local = now.astimezone(VN_TZ)
    day = local.date() + timedelta(days=1)
    return datetime.combine(day, RUN_AT, tzinfo=VN_TZ)


@recurring
def schedule(session: Session, now: datetime | None = None) -> None:
    """Queue the next nightly run (once: keyed by its date)."""
    when = next_run(now or utcnow())
    enqueue(session, RETENTION_JOB, {"night": when.date().isoformat()}, run_at=when,
            key=f"{RETENTION_JOB}:{when.date().isoformat()}")  # fmt: skip


@handler(RETENTION_JOB)
def retention(ctx: JobContext, payload: dict[str, Any]) -> None:
    done = privacy.retention_run(ctx.session, RETENTION, limit=BATCH)
    batch = int(payload.get("batch", 0))
    if done == BATCH:
        enqueue(ctx.session, RETENTION_JOB, {"night": payload.get("night"), "batch": batch + 1},
                key=f"{RETENTION_JOB}:{payload.get('night')}:{batch + 1}")  # fmt: skip
    else:
        schedule(ctx.session)
