"""The requests benchmark (run it as ``bench/requests.py``, which explains what it measures).

For each backend: a database kept and reused when it holds exactly the N generated requests
(SQLite: ``var/bench/requests-N-seedS.db``; PostgreSQL: a cluster with fsync on and 2 GB of
shared buffers in ``var/bench/pg-N-seedS``, started for the run and stopped after it), the
schema, the unit tree, N generated requests, ANALYZE, then each operation warmed up 10 times and
timed ``samples`` times (fewer if it exceeds its time budget, at least 5), wall clock per call,
p50/p95 by nearest rank as ``bench/helpdesk_side.py`` computes them. All five operations are
measured ``--rounds`` times in turn (3 by default) on both sides, and each side reports each
operation's quietest round (``helpdesk_side.best_round``): on a shared machine, another tenant's
burst can slow a round by half. On SQLite the worker's checkpointer runs meanwhile, as in a
deployment:

- create: ``actions.create`` of a new request in its own transaction (assignment included: half
  are phone calls typed by an agent, half arrive on Zalo, the web … and are given to an online
  agent of the centre);
- list: ``queries.list_requests`` as a supervisor of the centre or of Hồ Chí Minh City, cycling
  through five queues (open + topic, active + province, assignee + status, SLA breached, nearest
  deadline first), 50 rows;
- search: the same with ``q`` of 1–3 words of the generated vocabulary, half without diacritics;
- customer_history: ``queries.history_of`` by customer id or by phone;
- request_page: ``GET /console/requests/{code}`` rendered by the real app for a signed-in
  administrator (``queries.detail`` if the page is missing).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import helpdesk_side
from _common import RING, analyze
from _common import percentile as _percentile
from _common import say as _say
from _requests_report import explain, print_report
from vsscare.accounts import actions as accounts
from vsscare.accounts import queries as account_queries
from vsscare.accounts.models import User
from vsscare.accounts.principal import Principal
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.audit import AuditEntry
from vsscare.core.db import Checkpointer, Database
from vsscare.core.events import Actor
from vsscare.core.paths import DATA_DIR
from vsscare.devtools.pgcluster import PgCluster
from vsscare.orgunits import actions as orgunits
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import actions, contact, queries
from vsscare.requests import generate_text as words
from vsscare.requests.generate import database_size, generate
from vsscare.requests.models import ACTIVE, Request
from vsscare.requests.queries import Filters
from vsscare.requests.schemas import NewRequest

ROOT = Path(__file__).resolve().parents[1] / "var" / "bench"
BENCH = Actor("system", None, "bench")
PASSWORD = "Bench-mat-khau-2026"
WARMUP = 10
MIN_SAMPLES = 5
ONLINE_AGENTS = 30
PG_BUFFERS = "2GB"


class Timer:
    """Warm-up, then samples within a time budget; per-kind times when the caller names kinds."""

    def __init__(self, samples: int, budget_s: float) -> None:
        self.samples, self.budget_s = samples, budget_s

    def run(self, name: str, prepare: Callable[[int], tuple[str, Callable[[], Any]]], how: str) -> dict:
        began = time.perf_counter()
        for i in range(WARMUP):
            prepare(i)[1]()
        times: list[float] = []
        kinds: dict[str, list[float]] = {}
        for i in range(self.samples):
            kind, call = prepare(WARMUP + i)
            t0 = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - t0) * 1000
            times.append(elapsed)
            kinds.setdefault(kind, []).append(elapsed)
            if time.perf_counter() - began > self.budget_s and len(times) >= MIN_SAMPLES:
                break
        times.sort()
        out = {"p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "n": len(times), "how": how}
        if len(kinds) > 1:
            out["kinds"] = {k: {"p50": _percentile(sorted(v), 0.5), "p95": _percentile(sorted(v), 0.95),
                                "n": len(v)} for k, v in kinds.items()}  # fmt: skip
        _say(f"  {name}: p50 {out['p50']:.2f} ms, p95 {out['p95']:.2f} ms, n {out['n']}")
        return out


# -- the database ----------------------------------------------------------------------------------


@contextmanager
def backend_database(backend: str, count: int, seed: int) -> Iterator[tuple[Database, Callable[[], str]]]:
    """Our database, and how to make django-helpdesk's on the same backend."""
    if backend == "sqlite":
        path = ROOT / f"requests-{count}-seed{seed}.db"
        helpdesk = ROOT / "helpdesk-side" / f"helpdesk-{count}.db"
        db = Database(f"sqlite:///{path}")
        if path.exists() and _generated(db) != count:  # another or an unfinished load: start again
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            db = Database(f"sqlite:///{path}")
        try:
            yield db, lambda: f"sqlite:///{helpdesk}"
        finally:
            db.dispose()
        return
    # As a server would be set up: durable commits, a quarter of a small machine's memory for buffers.
    cluster = PgCluster(fsync=True, root=ROOT / f"pg-{count}-seed{seed}", shared_buffers=PG_BUFFERS).start()
    db = Database(cluster.database("vsscare_bench"))
    if _generated(db) not in (count, -1):  # another or an unfinished load: start again
        db.dispose()
        cluster.drop_database("vsscare_bench")
        db = Database(cluster.database("vsscare_bench"))
    try:
        yield db, lambda: cluster.database("helpdesk")
    finally:
        db.dispose()
        cluster.stop()


def _generated(db: Database) -> int:
    """Requests the generator has put in this database, by its audit rows."""
    try:
        with db.read() as session:
            rows = session.scalars(select(AuditEntry.details).where(AuditEntry.action == "requests.generate"))
            return sum(int((d or {}).get("requests", 0)) for d in rows)
    except Exception:  # no schema yet
        return -1


def load(db: Database, count: int, messages: float, seed: int) -> dict[str, Any]:
    upgrade_and_seed(db, keyring=RING)
    with db.session() as session:
        if session.scalar(select(OrgUnit.id).limit(1)) is None:
            orgunits.load_file(session, DATA_DIR / "orgunits.yaml", BENCH)
    info: dict[str, Any] = {"reused": _generated(db) == count}
    if not info["reused"]:
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if done[0] % 50_000 < n or done[0] == count:
                _say(f"  generated {done[0]:,} / {count:,}")

        before = _cpu()
        report = generate(db, count, ring=RING, messages_per_request=messages, seed=seed, progress=progress)
        after = _cpu()
        info.update(
            cpu_writer_s=after[0] - before[0], cpu_maker_s=after[1] - before[1], seconds=report.seconds,
            rows=report.rows, rows_per_s=report.rows_per_second, requests=count,
            requests_per_s=report.requests / report.seconds, messages=report.messages, events=report.events,
        )  # fmt: skip
    info["analyze_s"] = analyze(db)
    info["size_mb"] = database_size(db) / 1e6
    return info


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the generator's maker)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def _user(session: Session, username: str, role: str, unit: str) -> User:
    user = account_queries.user_by_username(session, username)
    if user is None:
        user = accounts.create_user(session, BENCH, username=username, full_name=username, password=PASSWORD,
                                    roles=[role], org_unit_code=unit)  # fmt: skip
    return user


class Sampled(NamedTuple):
    code: str
    customer_id: int | None
    contact_phone: str | None
    contact_phone_bi: str | None
    contact_name: str | None
    province_code: str | None
    topic: str


def _clear(phone_enc: str | None) -> str | None:
    return RING.decrypt(phone_enc, context=contact.CONTEXT) if phone_enc else None


class World:
    """The people and samples the operations draw from."""

    def __init__(self, db: Database, seed: int) -> None:
        self.db, self.rng = db, random.Random(seed)
        with db.session() as session:
            self.admin = account_queries.principal_for(session, _user(session, "bench.admin", "admin", "CCC"))
            self.principals = [
                account_queries.principal_for(session, _user(session, "bench.sup.ccc", "supervisor", "CCC")),
                account_queries.principal_for(
                    session, _user(session, "bench.sup.hcm", "supervisor", "BHXH-79")
                ),
            ]
            ccc = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "CCC"))
            rows = session.execute(
                select(User.id, User.username, User.org_unit_id).where(User.username.like("agent.gen.%"))
            ).all()
            self.agents = [(uid, name) for uid, name, _unit in rows]
            self.online = [(uid, name) for uid, name, unit in rows if unit == ccc][:ONLINE_AGENTS]
            low, high = session.execute(select(func.min(Request.id), func.max(Request.id))).one()
            ids = sorted({self.rng.randint(low, high) for _ in range(3000)})
            rows = session.execute(
                select(Request.code, Request.customer_id, Request.contact_phone_enc, Request.contact_phone_bi,
                       Request.contact_name, Request.province_code, Request.topic).where(Request.id.in_(ids))
            ).all()  # fmt: skip
        self.sample = [Sampled(*r[:2], _clear(r[2]), *r[3:]) for r in rows]
        self.provinces = sorted({r.province_code for r in self.sample if r.province_code})
        self.topics = sorted({r.topic for r in self.sample})

    def principal(self, i: int) -> Principal:
        return self.principals[(i // 5) % len(self.principals)]

    def go_online(self) -> None:
        with self.db.session() as session:
            for uid, _name in self.online:
                actions.set_presence(session, uid, "online")


# -- the operations --------------------------------------------------------------------------------


def op_create(w: World, timer: Timer) -> dict:
    w.go_online()
    rng, db = w.rng, w.db

    def prepare(i: int) -> tuple[str, Callable[[], Any]]:
        row = rng.choice(w.sample)
        channel = "phone" if i % 2 else rng.choice(("zalo", "web", "facebook", "email"))
        conversation = words.Conversation(
            rng, kind="question", topic=row.topic, channel=channel, lang="vi",
            name=row.contact_name or "Khách", given="An", title="anh", place="Hà Nội", ssn="0123456789",
            phone=row.contact_phone or "+84912345678", year=2026, month=3,
        )  # fmt: skip
        subject, body = conversation.first()
        uid, agent = rng.choice(w.online)
        data = NewRequest(
            channel=channel, topic=row.topic, subject=subject, body=body, contact_name=row.contact_name,
            contact_phone=row.contact_phone or "0912345678", customer_id=row.customer_id,
            province=row.province_code, assignee=agent if channel == "phone" else None,
        )  # fmt: skip
        actor = Actor("user", str(uid), agent) if channel == "phone" else Actor("customer", None, channel)

        def call() -> None:
            with db.session() as session:
                actions.create(session, actor, data, ring=RING)

        return channel, call

    return timer.run("create", prepare, "actions.create, its own transaction, assignment included")


LISTS: list[tuple[str, Callable[[World], Filters]]] = [
    ("open + topic", lambda w: Filters(status=("open",), topic=w.rng.choice(w.topics))),
    ("active + province", lambda w: Filters(status=ACTIVE, province=w.rng.choice(w.provinces))),
    (
        "assignee + status",
        lambda w: Filters(assignee=w.rng.choice(w.agents)[1], status=w.rng.choice((("closed",), ACTIVE))),
    ),
    ("SLA breached", lambda w: Filters(status=ACTIVE, sla="breached")),
    ("nearest deadline", lambda w: Filters(status=ACTIVE, sort="due")),
]


def _query(w: World, kind: str, principal: Principal, filters: Filters) -> tuple[str, Callable[[], Any]]:
    def call() -> None:
        with w.db.read() as session:
            queries.list_requests(session, principal, filters, limit=50)

    return kind, call


def op_list(w: World, timer: Timer) -> dict:
    def prepare(i: int) -> tuple[str, Callable[[], Any]]:
        kind, filters = LISTS[i % len(LISTS)]
        return _query(w, kind, w.principal(i), filters(w))

    return timer.run("list", prepare, "queries.list_requests, 50 rows, five queues of two supervisors")


def search_words(rng: random.Random) -> str:
    phrase = rng.choice(words.SEARCH_PHRASES).split()
    size = min(len(phrase), rng.randint(1, 3))
    start = rng.randrange(len(phrase) - size + 1)
    q = " ".join(phrase[start : start + size])
    return words.styled(q, "plain").lower() if rng.random() < 0.5 else q


def op_search(w: World, timer: Timer) -> dict:
    def prepare(i: int) -> tuple[str, Callable[[], Any]]:
        q = search_words(w.rng)
        return _query(w, f"{len(q.split())} word(s)", w.principal(i), Filters(q=q))

    return timer.run("search", prepare, "queries.list_requests with q (1–3 words, half unaccented)")


def op_history(w: World, timer: Timer) -> dict:
    def prepare(i: int) -> tuple[str, Callable[[], Any]]:
        row = w.rng.choice([r for r in w.sample if r.customer_id and r.contact_phone])
        by_phone = i % 2 == 1
        kwargs = {"phone_bi": row.contact_phone_bi} if by_phone else {"customer_id": row.customer_id}

        def call() -> None:
            with w.db.read() as session:
                queries.history_of(session, w.principal(i), **kwargs)

        return "phone" if by_phone else "customer id", call

    return timer.run("customer_history", prepare, "queries.history_of by customer id or phone")


def op_page(w: World, timer: Timer, url: str) -> dict:
    from fastapi.testclient import TestClient

    from vsscare.app import create_app
    from vsscare.core.config import Settings

    settings = Settings(
        database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench", log_json=False,
        log_level="WARNING",
    )  # fmt: skip
    app = create_app(settings, w.db)
    with TestClient(app) as client:
        client.get("/login")
        form = {
            "username": w.admin.username,
            "password": PASSWORD,
            "csrf_token": client.cookies.get("vsscare_csrf"),
        }
        signed_in = client.post("/login", data=form, follow_redirects=False)
        if signed_in.status_code != 303:
            raise RuntimeError(f"sign-in failed: HTTP {signed_in.status_code}")
        if client.get(f"/console/requests/{w.sample[0].code}").status_code == 404:  # an existing code
            return op_detail(w, timer)

        def prepare(i: int) -> tuple[str, Callable[[], Any]]:
            code = w.rng.choice(w.sample).code

            def call() -> None:
                response = client.get(f"/console/requests/{code}")
                if response.status_code != 200:
                    raise RuntimeError(f"GET /console/requests/{code}: HTTP {response.status_code}")

            return "page", call

        return timer.run("request_page", prepare, "GET /console/requests/{code} as an administrator")


def op_detail(w: World, timer: Timer) -> dict:
    _say("  request_page: the console page is missing; timing queries.detail instead")

    def prepare(i: int) -> tuple[str, Callable[[], Any]]:
        code = w.rng.choice(w.sample).code

        def call() -> None:
            with w.db.read() as session:
                queries.detail(session, queries.get_visible(session, w.admin, code))

        return "detail", call

    return timer.run("request_page", prepare, "queries.detail + timeline (no console page yet)")


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    _say(f"{backend}: {args.requests:,} requests")
    with backend_database(backend, args.requests, args.seed) as (db, helpdesk_url):
        info = load(db, args.requests, args.messages, args.seed)
        w = World(db, args.seed)
        timer = Timer(args.samples, args.budget)
        rounds = []
        with Checkpointer(db):  # as the worker runs it beside the web processes
            for r in range(args.rounds):
                _say(f"round {r + 1} of {args.rounds}")
                w.rng = random.Random(args.seed)  # the same samples in every round
                rounds.append({
                    "create": op_create(w, timer),
                    "list": op_list(w, timer),
                    "search": op_search(w, timer),
                    "customer_history": op_history(w, timer),
                    "request_page": op_page(w, timer, db.url),
                })  # fmt: skip
        ops = helpdesk_side.best_round(rounds)
        if args.explain:
            explain(w, LISTS)
        result: dict[str, Any] = {"backend": backend, "requests": args.requests, "load": info, "ops": ops}
        if not args.skip_helpdesk:
            python = helpdesk_side.ensure_venv(ROOT)
            result["helpdesk"] = helpdesk_side.run(
                python, db_url=helpdesk_url(), requests=args.requests, messages_per_request=args.messages,
                seed=args.seed, samples=args.samples, workdir=ROOT / "helpdesk-side", op_budget_s=args.budget,
                rounds=args.rounds,
            )  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="vsscare requests at volume, beside django-helpdesk")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--messages", type=float, default=5.0, help="messages per request, on average")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds at most per operation")
    parser.add_argument(
        "--rounds", type=int, default=3, help="measure every operation this many times; report the quietest"
    )
    parser.add_argument("--skip-helpdesk", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queues and search")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    ROOT.mkdir(parents=True, exist_ok=True)
    if args.rounds < 1:
        parser.error("--rounds: 1 or more")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends: sqlite, postgresql")
    results = [run_backend(backend, args) for backend in backends]
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), "utf-8")
