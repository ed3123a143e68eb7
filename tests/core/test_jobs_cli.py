"""``vsscare worker`` and ``vsscare jobs …`` in-process, on both backends."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from vsscare.core.config import Settings
from vsscare.core.db import Database, utcnow
from vsscare.core.jobs import DEAD, DONE, QUEUED, Job, enqueue
from vsscare.core.worker import Worker, sqlite_single_worker


@pytest.fixture
def cli(run_cli) -> Iterator:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield run_cli
    assert {sig: signal.getsignal(sig) for sig in handlers} == handlers  # the worker put them back


def add(db_url: str, kind: str, **kwargs) -> int:
    db = Database(db_url)
    with db.session() as session:
        job = enqueue(session, kind, **kwargs)
        session.flush()
        job_id = job.id
    db.dispose()
    return job_id


def test_worker_list_stats_retry_purge(cli, db_url):
    assert "ping #" in cli("jobs", "ping", "--timeout", "0").output
    dead = add(db_url, "nobody.handles.this")
    later = add(db_url, "system.ping", priority=3)
    result = cli("worker", "--burst", "--id", "cli-test", "--batch", "5")
    assert result.exit_code == 0, result.output
    assert "cli-test" in result.output and "lô 5" in result.output

    listing = cli("jobs", "list").output
    assert "system.ping" in listing and "nobody.handles.this" in listing
    assert "UnknownJobKind: no handler is registered" in listing and "1/8" in listing
    dead_only = cli("jobs", "list", "--status", "dead").output
    assert "nobody.handles.this" in dead_only and "system.ping" not in dead_only
    assert "nobody" not in cli("jobs", "list", "--kind", "system.ping", "--limit", "1").output

    stats = cli("jobs", "stats").output
    assert "system.ping" in stats and "nobody.handles.this" in stats and "Tổng" in stats

    assert "1 tác vụ" in cli("jobs", "retry", str(dead)).output
    assert _status(db_url, dead) == (QUEUED, 0)
    missing = cli("jobs", "retry", "424242")
    assert missing.exit_code == 1 and "job_not_found" in missing.output and "424242" in missing.output
    refused = cli("jobs", "retry", str(later))
    assert refused.exit_code == 1 and "job_not_retryable" in refused.output
    assert cli("jobs", "retry").exit_code == 2  # neither ids nor --dead

    cli("worker", "--burst")
    assert _status(db_url, dead) == (DEAD, 1)
    assert "1 tác vụ" in cli("jobs", "retry", "--dead", "--kind", "nobody.handles.this").output

    _age(db_url)
    assert "Đã xoá 2 tác vụ done" in cli("jobs", "purge").output
    assert "Đã xoá 0 tác vụ dead" in cli("jobs", "purge", "--status", "dead", "--older-than", "0").output
    assert cli("jobs", "purge", "--status", "queued").exit_code == 2


def test_ping_waits_for_a_worker(cli, db_url, tmp_path):
    nobody = cli("jobs", "ping", "--timeout", "0.3")
    assert nobody.exit_code == 1 and "worker_not_responding" in nobody.output

    db = Database(db_url)
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data")
    stop = threading.Event()
    thread = threading.Thread(
        target=Worker(db, settings, worker_id="pinger", poll_interval=0.05).run, args=(stop,)
    )
    thread.start()
    try:
        answered = cli("jobs", "ping", "--timeout", "20")
    finally:
        stop.set()
        thread.join()
        db.dispose()
    assert answered.exit_code == 0 and "pinger" in answered.output and " ms" in answered.output


def test_worker_refuses_an_old_schema_and_a_second_sqlite_worker(cli, db_url, backend):
    if backend == "sqlite":
        db = Database(db_url)
        with sqlite_single_worker(db):
            second = cli("worker", "--burst")
        db.dispose()
        assert second.exit_code == 1 and "worker_already_running" in second.output
        assert cli("worker", "--burst").exit_code == 0  # the lock went with its holder
    assert cli("db", "downgrade", "base").exit_code == 0
    stale = cli("worker", "--burst")
    assert stale.exit_code == 1 and "schema_not_current" in stale.output


def _status(db_url: str, job_id: int) -> tuple[str, int]:
    db = Database(db_url)
    with db.read() as session:
        job = session.get(Job, job_id)
        result = (job.status, job.attempts)
    db.dispose()
    return result


def _age(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as session:
        old = utcnow().replace(year=utcnow().year - 1)
        session.execute(update(Job).where(Job.status == DONE).values(finished_at=old))
    db.dispose()
