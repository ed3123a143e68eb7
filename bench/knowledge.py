"""Legal corpus import: the full ``articles.jsonl`` into a fresh database, then again unchanged.

SQLite (a file in a temporary folder) and a throwaway PostgreSQL cluster with fsync on (real
durability), both migrated with ``upgrade_and_seed``. Each import is one transaction, timed from
reading the file to the commit; a search with and without diacritics is timed on the result.

    .venv/bin/python bench/knowledge.py [--corpus PATH] [--no-sqlite] [--no-postgresql]

Target: < 10 s for the full corpus (1,363 articles) on each backend, first import and re-import.

The knowledge domain's other figure, the time from publishing a Q&A entry to it being
searchable, comes with the Q&A bank; this script will time it then.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.db import Database
from vsscare.core.paths import legal_corpus
from vsscare.devtools.pgcluster import PgCluster
from vsscare.knowledge import legal
from vsscare.knowledge import legal_queries as queries
from vsscare.knowledge.models import LegalArticle

TARGET_S = 10.0
QUERIES = ("tro cap that nghiep", "trợ cấp thất nghiệp")


@dataclass
class Result:
    backend: str
    articles: int
    first_s: float
    again_s: float
    search_ms: float


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
    db.dispose()
    return Result(backend, count, first_s, again_s, search_ms)


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


if __name__ == "__main__":
    main()
