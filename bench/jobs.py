"""Job throughput: real ``vsscare worker --burst`` processes draining ``system.ping`` jobs.

PostgreSQL (a throwaway cluster with fsync on, i.e. real durability) with 1 and then 2 worker
processes, and SQLite with its single worker for reference. Checks that every job ran exactly
once: all done, one attempt each, exactly one ping event per job.

    .venv/bin/python bench/jobs.py [--jobs 20000] [--batch 200]

Target: >= 1,000 jobs/s with 2 PostgreSQL workers on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.db import Database
from vsscare.core.events import EventRecord
from vsscare.core.jobs import DONE, Job
from vsscare.core.system_jobs import PING, enqueue_ping
from vsscare.devtools.pgcluster import PgCluster

TARGET = 1000.0


@dataclass
class Result:
    backend: str
    workers: int
    jobs: int
    enqueue_per_s: float
    wall_s: float  # first worker start to last worker exit, process start-up included
    run_s: float  # first handler run to last completion commit
    per_worker: dict[str, int]

    @property
    def rate(self) -> float:
        return self.jobs / self.run_s


def _command() -> list[str]:
    script = Path(sys.executable).with_name("vsscare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vsscare"]


def enqueue(db: Database, count: int) -> float:
    began = time.perf_counter()
    for start in range(0, count, 2000):
        with db.session() as session:
            for _ in range(min(2000, count - start)):
                enqueue_ping(session)
    return count / (time.perf_counter() - began)


def verify(db: Database, count: int) -> dict[str, int]:
    with db.read() as session:
        done = session.scalar(select(func.count()).where(Job.status == DONE))
        max_attempts = session.scalar(select(func.max(Job.attempts)))
        events, distinct = session.execute(
            select(func.count(), func.count(func.distinct(EventRecord.subject_id))).where(
                EventRecord.type == PING
            )
        ).one()
        per_worker = dict(session.execute(select(Job.locked_by, func.count()).group_by(Job.locked_by)).all())
    problems = []
    if done != count:
        problems.append(f"{done} of {count} jobs done")
    if max_attempts != 1:
        problems.append(f"a job was tried {max_attempts} times")
    if events != count or distinct != count:
        problems.append(f"{events} ping events for {distinct} jobs, expected {count} for {count}")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))
    return per_worker


def run_case(backend: str, url: str, workers: int, count: int, batch: int, logdir: Path) -> Result:
    db = Database(url)
    rate_in = enqueue(db, count)
    env = {**os.environ, "VSSCARE_DATABASE_URL": url, "VSSCARE_DATA_DIR": str(logdir)}
    began = time.perf_counter()
    procs = []
    for i in range(workers):
        log = (logdir / f"{backend}-{workers}-{i}.log").open("wb")
        cmd = [*_command(), "worker", "--burst", "--batch", str(batch), "--id", f"bench-{i}"]
        procs.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log))
    for proc, log in procs:
        if proc.wait(timeout=600) != 0:
            raise SystemExit(f"worker exited with {proc.returncode}; see {log.name}")
        log.close()
    wall = time.perf_counter() - began
    per_worker = verify(db, count)
    with db.read() as session:
        first = session.scalar(select(func.min(EventRecord.occurred_at)).where(EventRecord.type == PING))
        last = session.scalar(select(func.max(Job.finished_at)))
    db.dispose()
    return Result(backend, workers, count, rate_in, wall, (last - first).total_seconds(), per_worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="PostgreSQL worker counts to try, e.g. 1,2,4")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="vsscare-bench-") as tmp:
        logdir = Path(tmp)
        cluster = PgCluster(fsync=True).start()
        try:
            template = Database(cluster.create_database("bench_template"))
            upgrade_and_seed(template)
            template.dispose()
            for n, workers in enumerate(int(w) for w in args.workers.split(",")):
                url = cluster.create_database(f"bench_{n}", template="bench_template")
                results.append(run_case("postgresql", url, workers, args.jobs, args.batch, logdir))
                print(f"postgresql, {workers} worker(s): {results[-1].rate:,.0f} jobs/s", flush=True)
        finally:
            cluster.stop()
        if not args.no_sqlite:
            url = f"sqlite:///{logdir / 'bench.db'}"
            seeded = Database(url)
            upgrade_and_seed(seeded)
            seeded.dispose()
            results.append(run_case("sqlite", url, 1, args.jobs, args.batch, logdir))

    print(
        f"\n{args.jobs:,} system.ping jobs, batch {args.batch}, {os.cpu_count()} CPUs "
        f"(load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after); each job ran exactly once"
    )
    head = ("backend", "workers", "jobs/s", "run s", "wall s", "enqueue/s")
    print("{:<11} {:>7} {:>8} {:>7} {:>7} {:>10}  per worker".format(*head))
    for r in results:
        split = ", ".join(f"{n}" for _w, n in sorted(r.per_worker.items(), key=lambda kv: str(kv[0])))
        print(
            f"{r.backend:<11} {r.workers:>7} {r.rate:>8,.0f} {r.run_s:>7.2f} {r.wall_s:>7.2f} "
            f"{r.enqueue_per_s:>10,.0f}  {split}"
        )
    two = [r for r in results if r.backend == "postgresql" and r.workers == 2]
    if two:
        verdict = "meets" if two[0].rate >= TARGET else "MISSES"
        print(
            f"\n2 PostgreSQL workers: {two[0].rate:,.0f} jobs/s, {verdict} the target of {TARGET:,.0f} jobs/s"
        )


if __name__ == "__main__":
    main()
