"""``vsscare worker`` as a process: runs jobs, survives SIGKILL, stops on signals and outages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from vsscare.core import worker as worker_module
from vsscare.core.context import bound
from vsscare.core.db import Database
from vsscare.core.events import EventRecord
from vsscare.core.jobs import DONE, RUNNING, Job
from vsscare.core.system_jobs import PING, enqueue_ping
from vsscare.core.worker import Worker, graceful_signals

VSSCARE = Path(sys.executable).with_name("vsscare")


@pytest.fixture
def start_worker(db_url: str, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    procs: list[subprocess.Popen] = []

    def start(*args: str, lease: int = 60) -> subprocess.Popen:
        env = {
            **os.environ,
            "VSSCARE_DATABASE_URL": db_url,
            "VSSCARE_DATA_DIR": str(tmp_path / "data"),
            "VSSCARE_JOB_LEASE_SECONDS": str(lease),
            "VSSCARE_LOG_JSON": "true",
            "VSSCARE_LOG_LEVEL": "INFO",
        }
        cmd = [str(VSSCARE)] if VSSCARE.exists() else [sys.executable, "-m", "vsscare"]
        proc = subprocess.Popen(
            [*cmd, "worker", "--poll", "0.1", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=(tmp_path / f"worker-{len(procs)}.log").open("wb"),
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())


def test_worker_killed_mid_batch_is_replaced_and_every_job_runs_once(db, start_worker, tmp_path):
    with bound("req-from-web"), db.session() as session:
        jobs = [enqueue_ping(session, delay_ms=100) for _ in range(6)]
        session.flush()
        ids = [job.id for job in jobs]

    first = start_worker("--batch", "2", lease=1)
    assert "bắt đầu" in first.stdout.readline().decode()  # the one-line start message
    # Kill it once its first batch is committed and the second is claimed and under way.
    wait_for(lambda: (c := counts(db)).get(DONE, 0) >= 2 and c.get(RUNNING, 0) > 0)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert counts(db).get(RUNNING, 0) > 0  # still leased to the dead worker

    second = start_worker("--batch", "2")  # takes the rest, and the dead worker's jobs once leases expire
    wait_for(lambda: counts(db).get(DONE) == 6)
    began = time.monotonic()
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0
    assert time.monotonic() - began < 3

    with db.read() as session:
        subjects = session.scalars(select(EventRecord.subject_id).where(EventRecord.type == PING)).all()
        reclaimed = session.scalar(select(func.count()).where(Job.attempts == 2))
    assert sorted(map(int, subjects)) == sorted(ids)  # the killed batch's writes were rolled back
    assert reclaimed > 0
    logs = [json.loads(line) for line in (tmp_path / "worker-1.log").read_text().splitlines()]
    done = [line for line in logs if line["msg"] == "job done"]
    assert done and {line["correlation_id"] for line in done} == {"req-from-web"}
    assert {line["kind"] for line in done} == {PING} and all(line["ms"] >= 100 for line in done)


def test_the_loop_outlives_database_errors_except_in_burst_mode(settings):
    worker = Worker(None, settings, poll_interval=0.01)  # type: ignore[arg-type]
    stop = threading.Event()
    outage = OperationalError("SELECT", {}, Exception("server closed the connection"))
    claims = iter([outage, ["a", "b"], []])

    def claim() -> list:
        result = next(claims)
        if isinstance(result, Exception):
            raise result
        if not result:
            stop.set()
        return result

    worker.claim = claim
    worker.execute = len
    assert worker.run(stop) == 2
    worker.claim = lambda: (_ for _ in ()).throw(outage)
    with pytest.raises(OperationalError):
        worker.run(threading.Event(), burst=True)


def test_first_signal_asks_to_stop_and_a_second_exits_at_once(monkeypatch):
    exits: list[int] = []

    class Exited(Exception):
        pass

    def fake_exit(code: int) -> None:
        exits.append(code)
        raise Exited

    monkeypatch.setattr(worker_module.os, "_exit", fake_exit)
    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    with graceful_signals(stop):
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.wait(5) and not exits
        with pytest.raises(Exited):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs here
    assert exits == [128 + signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is before
