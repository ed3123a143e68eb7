"""Legal corpus import, and the delay from publishing a Q&A entry to finding it.

SQLite (a file in a temporary folder) and a throwaway PostgreSQL cluster with fsync on (real
durability), both migrated with ``upgrade_and_seed``.

1. Import: the full ``articles.jsonl`` into a fresh database, then again unchanged. Each import is
   one transaction, timed from reading the file to the commit; a search with and without
   diacritics is timed on the result. Target: < 10 s on each backend.
2. Publish → searchable: the shipped bank is imported, then entries written and approved by two
   different people are published one by one. Timed from the start of the ``publish`` action
   until the entry is found (a) by a search in this process and (b) across processes, by a
   ``vsscare serve`` on the same database answering ``GET /api/v1/kb/entries?q=…&flag=live`` and
   showing its public page ``/hoi-dap/{code}``. Target: < 1 s.

    .venv/bin/python bench/knowledge.py [--corpus PATH] [--no-sqlite] [--no-postgresql]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from vsscare.accounts import actions as user_actions
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.db import Database
from vsscare.core.events import SYSTEM, Actor
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.devtools.pgcluster import PgCluster
from vsscare.knowledge import actions, entries, entry_queries, legal
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.content import parse_content
from vsscare.knowledge.models import LegalArticle

TARGET_S = 10.0
PUBLISH_TARGET_MS = 1000.0
QUERIES = ("tro cap that nghiep", "trợ cấp thất nghiệp")
ENTRIES = 20  # published one by one
EDITOR = Actor("user", "9001", "bench-editor")
APPROVER = Actor("user", "9002", "bench-approver")


@dataclass
class Result:
    backend: str
    articles: int
    first_s: float
    again_s: float
    search_ms: float
    local_ms: list[float] = field(default_factory=list)  # publish → found in this process
    remote_ms: list[float] = field(default_factory=list)  # publish → found by the server's API
    page_ms: list[float] = field(default_factory=list)  # publish → the server's public page is up


def _import(db: Database, path: Path) -> tuple[float, legal.ImportReport]:
    began = time.perf_counter()
    with db.session() as session:
        report = legal.import_corpus(session, path)
    return time.perf_counter() - began, report


def run_case(backend: str, url: str, path: Path) -> Result:
    db = Database(url)
    upgrade_and_seed(db)
    first_s, first = _import(db, path)
    again_s, again = _import(db, path)
    if again.changed_anything or again.articles_unchanged != first.articles_new:
        raise SystemExit(f"FAILED: the re-import on {backend} changed something: {again.summary()}")
    with db.read() as session:
        count = session.scalar(select(func.count(LegalArticle.id))) or 0
        began = time.perf_counter()
        found = [queries.search_articles(session, q).total for q in QUERIES for _ in range(5)]
        search_ms = (time.perf_counter() - began) * 1000 / len(found)
    if len(set(found)) != 1:
        raise SystemExit(f"FAILED: searches with and without diacritics disagree on {backend}: {found}")
    result = Result(backend, count, first_s, again_s, search_ms)
    with db.session() as session:
        entries.import_bank(session, DATA_DIR / "knowledge")
    time_publication(db, url, result)
    db.dispose()
    return result


def _approved_entries(db: Database) -> list[tuple[str, str]]:
    """(code, a word only it contains), approved and waiting to be published."""
    made = []
    with db.session() as session:
        for i in range(ENTRIES):
            word = f"bench{i:03d}kiemtra"
            data = {
                "topic": "other", "audiences": ["all"], "question": f"Câu hỏi đo thời gian {word} số {i}?",
                "phrasings": [f"cau hoi do thoi gian {word}"], "short_answer": "Câu trả lời ngắn.",
                "full_answer": "Câu trả lời đầy đủ.", "question_en": None, "short_answer_en": None,
                "full_answer_en": None, "legal_bases": ["41/2024/QH15#1"], "effective_from": None,
                "effective_to": None, "next_review_at": None,
            }  # fmt: skip
            entry = actions.create_entry(session, EDITOR, parse_content(data))
            actions.submit(session, EDITOR, entry.code)
            actions.approve(session, APPROVER, entry.code)
            made.append((entry.code, word))
    return made


def _viewer_token(db: Database) -> str:
    with db.session() as session:
        user_actions.create_user(session, SYSTEM, username="bench-viewer", full_name="Bench viewer",
                                 password="Bench-viewer-2026-x", roles=["agent"])  # fmt: skip
        return user_actions.create_api_token(session, SYSTEM, "bench-viewer", "bench")[1]


def _until(found, began: float, timeout: float = 10.0) -> float:
    while not found():
        if time.perf_counter() - began > timeout:
            raise SystemExit(f"FAILED: not found within {timeout} s")
    return (time.perf_counter() - began) * 1000


def time_publication(db: Database, url: str, result: Result) -> None:
    made = _approved_entries(db)
    token = _viewer_token(db)
    with tempfile.TemporaryDirectory(prefix="vsscare-serve-") as data_dir, serving(url, data_dir) as base:
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        for code, word in made:
            began = time.perf_counter()
            with db.session() as session:
                actions.publish(session, APPROVER, code)
            marks = {}

            def local(word: str = word) -> bool:
                with db.read() as session:
                    return entry_queries.search_entries(session, word, flag="live").total == 1

            def remote(word: str = word) -> bool:
                answer = client.get("/api/v1/kb/entries", params={"q": word, "flag": "live"})
                return answer.status_code == 200 and answer.json()["total"] == 1

            marks["local"] = _until(local, began)
            marks["remote"] = _until(remote, began)
            marks["page"] = _until(lambda code=code: client.get(f"/hoi-dap/{code}").status_code == 200, began)
            result.local_ms.append(marks["local"])
            result.remote_ms.append(marks["remote"])
            result.page_ms.append(marks["page"])
        client.close()


@contextmanager
def serving(url: str, data_dir: str) -> Iterator[str]:
    """``vsscare serve`` in its own process on the same database; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "VSSCARE_DATABASE_URL": url,
        "VSSCARE_DATA_DIR": data_dir,
        "VSSCARE_LOG_LEVEL": "WARNING",
    }
    script = Path(sys.executable).with_name("vsscare")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "vsscare"]
    proc = subprocess.Popen([*command, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        began = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.perf_counter() - began > 30:
                raise SystemExit("FAILED: vsscare serve did not start")
            time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None, help="articles.jsonl (default: legal_corpus())")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    path = args.corpus or legal_corpus()
    if path is None:
        raise SystemExit("No legal corpus found: pass --corpus or set VSSCARE_LEGAL_CORPUS")
    load_before = os.getloadavg()[0]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="vsscare-bench-") as tmp:
        if not args.no_sqlite:
            results.append(run_case("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", path))
            print(f"sqlite: {results[-1].first_s:.2f} s", flush=True)
        if not args.no_postgresql:
            cluster = PgCluster(fsync=True).start()
            try:
                results.append(run_case("postgresql", cluster.create_database("bench_legal"), path))
                print(f"postgresql: {results[-1].first_s:.2f} s", flush=True)
            finally:
                cluster.stop()

    print(
        f"\n{path} · {os.cpu_count()} CPUs (load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after)"
    )
    head = ("backend", "articles", "first import s", "re-import s", "search ms")
    print("{:<11} {:>8} {:>15} {:>12} {:>10}".format(*head))
    for r in results:
        print(f"{r.backend:<11} {r.articles:>8,} {r.first_s:>15.2f} {r.again_s:>12.2f} {r.search_ms:>10.1f}")
    worst = max(max(r.first_s, r.again_s) for r in results)
    verdict = "meets" if worst < TARGET_S else "MISSES"
    print(f"\nslowest import {worst:.2f} s: {verdict} the target of < {TARGET_S:.0f} s")

    print(f"\npublish → searchable, {ENTRIES} entries each (ms: median / max)")
    print(
        "{:<11} {:>18} {:>22} {:>22}".format(
            "backend", "same process", "other process: API", "other process: page"
        )
    )
    for r in results:
        cells = [
            f"{statistics.median(xs):.1f} / {max(xs):.1f}" for xs in (r.local_ms, r.remote_ms, r.page_ms)
        ]
        print(f"{r.backend:<11} {cells[0]:>18} {cells[1]:>22} {cells[2]:>22}")
    slowest = max(max(r.local_ms + r.remote_ms + r.page_ms) for r in results)
    verdict = "meets" if slowest < PUBLISH_TARGET_MS else "MISSES"
    print(
        f"\nslowest publish → searchable {slowest:.0f} ms: "
        f"{verdict} the target of < {PUBLISH_TARGET_MS:.0f} ms"
    )


if __name__ == "__main__":
    main()
