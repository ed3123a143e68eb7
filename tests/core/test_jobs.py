"""The outbox and the worker, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from vsscare.core import events, jobs
from vsscare.core.audit import AuditEntry
from vsscare.core.context import bound, correlation_id
from vsscare.core.db import Database, utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import Event, EventRecord
from vsscare.core.jobs import DEAD, DONE, QUEUED, RUNNING, Job, JobContext, PermanentError, enqueue
from vsscare.core.logging import JsonFormatter
from vsscare.core.system_jobs import PING
from vsscare.core.worker import Worker, backoff, describe_error

calls: list[tuple[str, int, int]] = []  # (kind, job id, attempt) of every handler run
flaky_state = {"fail": True}
seen_ids: list[str] = []


class Touched(Event):
    type = "test.job_touched"
    subject = "job"
    note: str


def _touch(ctx: JobContext, note: str) -> None:
    calls.append((ctx.kind, ctx.job_id, ctx.attempt))
    events.append(ctx.session, Touched(note=note), ctx.job_id)
    ctx.session.flush()  # the write reaches the database before any failure below


@jobs.handler("test.touch")
def touch(ctx: JobContext, payload: dict[str, Any]) -> None:
    _touch(ctx, payload.get("note", ""))


@jobs.handler("test.touch_then_fail")
def touch_then_fail(ctx: JobContext, payload: dict[str, Any]) -> None:
    _touch(ctx, "doomed")
    raise RuntimeError("boom\nsecond line")


@jobs.handler("test.flaky")
def flaky(ctx: JobContext, payload: dict[str, Any]) -> None:
    _touch(ctx, "flaky")
    if flaky_state["fail"]:
        raise RuntimeError("not yet")


@jobs.handler("test.permanent")
def permanent(ctx: JobContext, payload: dict[str, Any]) -> None:
    raise PermanentError("recipient blocked the official account")


@jobs.handler("test.cid")
def remember_correlation_id(ctx: JobContext, payload: dict[str, Any]) -> None:
    seen_ids.append(correlation_id())
    _touch(ctx, "cid")


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    seen_ids.clear()
    flaky_state["fail"] = True


def add(db: Database, kind: str, payload: dict[str, Any] | None = None, **kwargs: Any) -> int:
    with db.session() as session:
        job = enqueue(session, kind, payload, **kwargs)
        session.flush()
        return job.id


def get(db: Database, job_id: int) -> Job:
    with db.read() as session:
        return session.get(Job, job_id)


def make_due(db: Database, job_id: int) -> None:
    with db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(run_at=utcnow() - timedelta(seconds=1)))


def touched(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.scalars(
            select(EventRecord).where(EventRecord.type == Touched.type).order_by(EventRecord.id)
        )
        return [(r.subject_id, r.data["note"]) for r in rows]


def test_enqueue_with_key_is_idempotent(db):
    with db.session() as session:
        first = enqueue(session, "test.touch", {"note": "a"}, key="notify:request:7")
        again = enqueue(session, "test.touch", {"note": "b"}, key="notify:request:7")
        assert again is first
    with db.session() as session:
        later = enqueue(session, "test.touch", {"note": "c"}, key="notify:request:7")
        assert later.id == first.id and later.payload == {"note": "a"}
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_handler_effects_and_completion_commit_together(db, settings):
    job_id = add(db, "test.touch", {"note": "hello"})
    assert Worker(db, settings).run_once() == 1
    job = get(db, job_id)
    assert job.status == DONE and job.attempts == 1 and job.finished_at is not None
    assert touched(db) == [(str(job_id), "hello")]

    # If the completion cannot be written, the handler's writes are not kept either.
    other = add(db, "test.touch", {"note": "lost"})
    worker = Worker(db, settings)

    def broken(session, ids):
        raise RuntimeError("database went away")

    worker._complete = broken
    with pytest.raises(RuntimeError):
        worker.run_once()
    assert get(db, other).status == RUNNING  # leased; another worker takes it after the lease
    assert touched(db) == [(str(job_id), "hello")]


def test_a_failing_job_rolls_back_only_its_own_writes(db, settings):
    good_before = add(db, "test.touch", {"note": "before"})
    bad = add(db, "test.touch_then_fail")
    good_after = add(db, "test.touch", {"note": "after"})
    assert Worker(db, settings).run_once() == 3
    assert touched(db) == [(str(good_before), "before"), (str(good_after), "after")]
    assert get(db, good_before).status == DONE and get(db, good_after).status == DONE
    failed = get(db, bad)
    assert failed.status == QUEUED and failed.attempts == 1
    assert failed.last_error.splitlines()[0] == "RuntimeError: boom"
    assert "Traceback" in failed.last_error and "touch_then_fail" in failed.last_error


def test_failures_back_off_then_go_to_the_dead_letter(db, settings):
    settings = settings.model_copy(update={"job_max_attempts": 3})
    worker = Worker(db, settings)
    job_id = add(db, "test.flaky")
    for attempt in (1, 2):
        before = utcnow()
        assert worker.run_once() == 1
        job = get(db, job_id)
        assert job.status == QUEUED and job.attempts == attempt and job.locked_until is None
        delay = (job.run_at - before).total_seconds()
        assert 2**attempt / 2 - 0.01 <= delay <= 2**attempt + 1  # exponential, with jitter
        assert worker.run_once() == 0  # not due yet
        make_due(db, job_id)
    assert worker.run_once() == 1
    job = get(db, job_id)
    assert job.status == DEAD and job.attempts == 3 and job.finished_at is not None
    assert job.last_error.startswith("RuntimeError: not yet")
    assert [c[2] for c in calls] == [1, 2, 3]
    assert touched(db) == []  # every try's writes were rolled back


def test_hopeless_jobs_go_to_the_dead_letter_at_once(db, settings):
    once = add(db, "test.flaky", max_attempts=1)  # per-job override of settings.job_max_attempts
    blocked = add(db, "test.permanent")
    unknown = add(db, "nobody.handles.this")
    assert Worker(db, settings).run_once() == 3
    for job_id, error in (
        (once, "RuntimeError: not yet"),
        (blocked, "PermanentError: recipient blocked"),
        (unknown, "UnknownJobKind: no handler is registered for job kind 'nobody.handles.this'"),
    ):
        job = get(db, job_id)
        assert job.status == DEAD and job.attempts == 1 and job.finished_at is not None
        assert job.last_error.startswith(error)


def test_retry_brings_dead_jobs_back_and_refuses_others(db, settings):
    job_id = add(db, "test.flaky", max_attempts=1)
    done = add(db, "test.touch")
    worker = Worker(db, settings)
    worker.run_once()
    assert get(db, job_id).status == DEAD
    with db.session() as session:
        assert jobs.retry(session, [job_id]) == [job_id]
    job = get(db, job_id)
    assert job.status == QUEUED and job.attempts == 0 and job.run_at <= utcnow() and job.finished_at is None
    flaky_state["fail"] = False
    assert worker.run_once() == 1
    assert get(db, job_id).status == DONE
    with db.read() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "jobs.retry")) == 1

    with db.session() as session, pytest.raises(AppError) as err:
        jobs.retry(session, [999_999])
    assert err.value.code == "job_not_found" and "999999" in err.value.message
    with db.session() as session, pytest.raises(AppError) as err:
        jobs.retry(session, [done])
    assert err.value.code == "job_not_retryable" and "done" in err.value.message_en

    dead = [add(db, "nobody.handles.this") for _ in range(2)] + [add(db, "other.unknown")]
    worker.run_once()
    with db.session() as session:
        assert sorted(jobs.retry(session, all_dead=True, kind="nobody.handles.this")) == dead[:2]
    with db.session() as session:
        assert jobs.retry(session, all_dead=True) == [dead[2]]
        assert jobs.retry(session, all_dead=True) == []


def test_purge_removes_only_old_finished_jobs_of_the_status(db, settings):
    ids = [add(db, "test.touch") for _ in range(3)] + [add(db, "nobody.handles.this")]
    Worker(db, settings).run_once()
    old = utcnow() - timedelta(days=40)
    with db.session() as session:
        session.execute(update(Job).where(Job.id.in_([ids[0], ids[1], ids[3]])).values(finished_at=old))
    queued = add(db, "test.touch", delay=timedelta(hours=1))
    with db.session() as session:
        assert jobs.purge(session, older_than=timedelta(days=30)) == 2
    with db.session() as session:
        assert jobs.purge(session, status=DEAD, older_than=timedelta(days=30)) == 1
        with pytest.raises(ValueError):
            jobs.purge(session, status=QUEUED)
    with db.read() as session:
        assert sorted(session.scalars(select(Job.id))) == [ids[2], queued]


def test_an_expired_lease_is_reclaimed_by_another_worker(db, settings):
    job_id = add(db, "test.touch", {"note": "x"})
    first = Worker(db, settings, worker_id="A")
    assert [j.id for j in first.claim()] == [job_id]  # …and then A dies without running it
    second = Worker(db, settings, worker_id="B")
    assert second.run_once() == 0  # the lease still holds
    with db.session() as session:
        session.execute(update(Job).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert second.run_once() == 1
    job = get(db, job_id)
    assert job.status == DONE and job.locked_by == "B" and job.attempts == 2
    assert calls == [("test.touch", job_id, 2)]


def test_a_stolen_lease_is_not_completed_by_the_old_worker(db, settings):
    job_id = add(db, "test.touch", {"note": "x"})
    slow = Worker(db, settings, worker_id="A")
    claimed = slow.claim()
    with db.session() as session:
        session.execute(update(Job).values(locked_until=utcnow() - timedelta(seconds=1)))
    thief = Worker(db, settings, worker_id="B")
    stolen = thief.claim()
    assert slow.execute(claimed) == 0  # A finds the job leased to B: it neither runs nor completes it
    job = get(db, job_id)
    assert job.status == RUNNING and job.locked_by == "B"
    assert thief.execute(stolen) == 1
    assert slow.execute(claimed) == 0
    assert calls == [("test.touch", job_id, 2)] and len(touched(db)) == 1
    assert get(db, job_id).status == DONE


def test_priority_then_due_time_order_and_future_jobs_wait(db, settings):
    later = add(db, "test.touch", {"note": "later"}, priority=5)
    urgent = add(db, "test.touch", {"note": "urgent"}, priority=-1)
    normal = add(db, "test.touch", {"note": "normal"})
    future = add(db, "test.touch", {"note": "future"}, delay=timedelta(minutes=5))
    assert Worker(db, settings).run_once() == 3
    assert [c[1] for c in calls] == [urgent, normal, later]
    assert get(db, future).status == QUEUED


def test_correlation_id_of_the_enqueuing_request_is_bound_in_the_handler_and_logs(db, settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vsscare.worker")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with bound("req-4711"):
            job_id = add(db, "test.cid")
        with bound("worker-loop"):
            Worker(db, settings).run_once()
            assert correlation_id() == "worker-loop"  # restored after the job
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert seen_ids == ["req-4711"]
    with db.read() as session:
        record = session.scalar(select(EventRecord).where(EventRecord.type == Touched.type))
        assert record.correlation_id == "req-4711"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    done = next(line for line in lines if line["msg"] == "job done")
    assert done["correlation_id"] == "req-4711" and done["job_id"] == job_id
    assert done["kind"] == "test.cid" and done["attempt"] == 1 and done["ms"] >= 0


def test_burst_drains_the_queue_and_a_stop_hands_back_unstarted_jobs(db, settings):
    for _ in range(25):
        add(db, PING)
    assert Worker(db, settings, batch_size=10).run(threading.Event(), burst=True) == 25
    with db.read() as session:
        assert set(session.scalars(select(Job.status))) == {DONE}
        assert session.scalar(select(func.count()).where(EventRecord.type == PING)) == 25

    ids = [add(db, "test.touch") for _ in range(3)]
    worker = Worker(db, settings, chunk_seconds=0)  # one job per transaction
    stop = threading.Event()
    worker._stop = stop
    claimed = worker.claim()
    stop.set()
    assert worker.execute(claimed) == 1
    states = [(get(db, i).status, get(db, i).attempts) for i in ids]
    assert states == [(DONE, 1), (QUEUED, 0), (QUEUED, 0)]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_workers_run_each_of_2000_jobs_exactly_once(db_url, settings):
    setup = Database(db_url)
    with setup.session() as session:
        session.execute(insert(Job), [{"kind": PING, "payload": {}}] * 2000)
    counts: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        own = Database(db_url)
        try:
            counts[name] = Worker(own, settings, worker_id=name, batch_size=50).run(
                threading.Event(), burst=True
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(counts.values()) == 2000 and min(counts.values()) > 0
    with setup.read() as session:
        assert session.execute(select(Job.status, func.max(Job.attempts)).group_by(Job.status)).all() == [
            (DONE, 1)
        ]
        pings = select(func.count(), func.count(func.distinct(EventRecord.subject_id))).where(
            EventRecord.type == PING
        )
        assert session.execute(pings).one() == (2000, 2000)
        done_by = dict(session.execute(select(Job.locked_by, func.count()).group_by(Job.locked_by)).all())
    assert done_by == counts
    setup.dispose()


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    for attempt in range(1, 12):
        seconds = backoff(attempt).total_seconds()
        assert 2**attempt / 2 <= seconds <= 2**attempt
    assert 1800 <= backoff(40).total_seconds() <= 3600


def test_error_text_is_trimmed_with_the_message_first():
    try:
        raise ValueError("x" * 10_000)
    except ValueError as exc:
        text = describe_error(exc)
    assert len(text) <= 4000 and text.startswith("ValueError: xxx")
