"""Customers and the embedded industry database at volume, on SQLite and PostgreSQL:

- generation of N registry people (``vsscare registry generate``), target < 5 min for 1 M;
- customers made from them (identifiers encrypted, blind-indexed, masked);
- p50/p95 of a lookup by SI code, by CCCD and by phone (``customers.queries.find`` in its own
  transaction, audit row included, as the API runs it), target < 5 ms;
- p50/p95 of one person's contribution history (``EmbeddedRegistry.contributions``), < 10 ms.

    .venv/bin/python bench/customers.py --people 1000000 [--backends sqlite,postgresql] [--json F]

Databases are kept in ``var/bench`` (``customers-N-seedS.db``, ``pg-customers-N-seedS``) and
reused by the next run when they hold the same load. Each operation: 20 warm-up calls, then
``--samples`` timed calls on people drawn at random (a tenth of them unknown numbers).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from _common import RING, analyze, percentile, say
from vsscare.accounts.principal import Principal
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core import crypto
from vsscare.core.db import Checkpointer, Database
from vsscare.customers import queries
from vsscare.customers.generate import customers_from_registry
from vsscare.customers.models import Customer
from vsscare.customers.registry_embedded import EmbeddedRegistry
from vsscare.customers.registry_generate import generate
from vsscare.customers.registry_models import RegistryPerson
from vsscare.devtools.pgcluster import PgCluster

ROOT = Path(__file__).resolve().parents[1] / "var" / "bench"
TARGETS = {"lookup_si_code": 5.0, "lookup_cccd": 5.0, "lookup_phone": 5.0, "contributions": 10.0}
GENERATE_TARGET_S = 300.0  # for 1,000,000 people
WARMUP = 20
EVERYWHERE = Principal(0, "bench", "Bench", "vi", frozenset(), frozenset({"customers.view"}), None, None)


@contextmanager
def database(backend: str, people: int, seed: int) -> Iterator[Database]:
    if backend == "sqlite":
        db = Database(f"sqlite:///{ROOT / f'customers-{people}-seed{seed}.db'}")
        try:
            yield db
        finally:
            db.dispose()
        return
    cluster = PgCluster(
        fsync=True, root=ROOT / f"pg-customers-{people}-seed{seed}", shared_buffers="2GB"
    ).start()
    db = Database(cluster.database("vsscare_bench"))
    try:
        yield db
    finally:
        db.dispose()
        cluster.stop()


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def load(db: Database, ring: crypto.Keyring, people: int, seed: int) -> dict[str, Any]:
    upgrade_and_seed(db)
    info: dict[str, Any] = {}
    have = _count(db, RegistryPerson)
    if have not in (0, people):
        raise SystemExit(f"{db.url} holds {have:,} registry people, not {people:,}: remove it to start again")
    if have == 0:
        say(f"generating {people:,} registry people ...")
        report = generate(db, people, seed=seed, progress=_progress("registry", people))
        info["generate_s"] = report.seconds
        info["generated"] = {k: v for k, v in vars(report).items() if isinstance(v, int | float)}
    if _count(db, Customer) < people:
        say("making customers of them ...")
        started = time.perf_counter()
        customers_from_registry(db, ring, progress=_progress("customers", people))
        info["customers_s"] = time.perf_counter() - started
    info["analyze_s"] = analyze(db)
    return info


def _progress(what: str, total: int) -> Callable[[int], None]:
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        if done[0] % 100_000 < n or done[0] >= total:
            say(f"  {what}: {done[0]:,} / {total:,}")

    return advance


def _sample(db: Database, n: int) -> list[RegistryPerson]:
    """``n`` people drawn at random (one scan of the table, before any timing)."""
    with db.read() as session:
        return list(session.scalars(select(RegistryPerson).order_by(func.random()).limit(n)))


def time_op(calls: list[Callable[[], Any]]) -> dict[str, float]:
    for call in calls[:WARMUP]:
        call()
    times = []
    for call in calls[WARMUP:]:
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "n": len(times)}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    ring = RING
    with database(backend, args.people, args.seed) as db, Checkpointer(db):
        info = load(db, ring, args.people, args.seed)
        rng = random.Random(args.seed)
        people = _sample(db, WARMUP + args.samples)
        registry = EmbeddedRegistry(db)

        def find(**by: str | None) -> Callable[[], Any]:
            def call() -> Any:
                with db.session() as session:
                    return queries.find(session, EVERYWHERE, ring, **by)

            return call

        def unknown(p: RegistryPerson) -> bool:
            return rng.random() < 0.1

        ops = {
            "lookup_si_code": time_op(
                [find(si_code=("0" + p.si_code[1:]) if unknown(p) else p.si_code) for p in people]
            ),
            "lookup_cccd": time_op([find(cccd=p.cccd or "001080000000") for p in people]),
            "lookup_phone": time_op([find(phone=p.phone or "+84912000000") for p in people]),
            "contributions": time_op([(lambda si=p.si_code: registry.contributions(si)) for p in people]),
        }
    return {"backend": backend, "people": args.people, "load": info, "ops": ops}


def report(results: list[dict[str, Any]]) -> None:
    for result in results:
        info = result["load"]
        print(f"\n== {result['backend']}: {result['people']:,} registry people and customers")
        if "generate_s" in info:
            per_million = info["generate_s"] / result["people"] * 1_000_000
            ok = per_million < GENERATE_TARGET_S
            took = f"{info['generate_s']:,.1f} s ({per_million / 60:,.1f} min per million)"
            print(f"   registry generated in {took}, target < 5 min per million  {'PASS' if ok else 'FAIL'}")
        else:
            print("   registry generated by an earlier run (reused)")
        if "customers_s" in info:
            print(f"   customers made in {info['customers_s']:,.1f} s")
        for op, stats in result["ops"].items():
            ok = stats["p95"] < TARGETS[op]
            print(f"   {op:<16}{stats['p50']:>8.2f} / {stats['p95']:<8.2f} ms  p95 < {TARGETS[op]:g} ms  "
                  f"{'PASS' if ok else 'FAIL'}  n {stats['n']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="customers and the embedded registry at volume")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends: sqlite, postgresql")
    ROOT.mkdir(parents=True, exist_ok=True)
    results = [run_backend(b, args) for b in backends]
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
