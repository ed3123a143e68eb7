"""Answering engine: index build time, latency per question, memory; and the evaluation table.

Each size is measured in its own fresh process on a SQLite file database already filled with the
legal corpus, the shipped bank and, for the synthetic sizes, generated live entries
(``bench/_synthetic.py``), so that the memory figures are those of a process serving that index:

1. ``index.build`` timed from opening the session: the median of three at the shipped size, once
   at the synthetic sizes (minutes each while tokenising is Python);
2. ``Engine.answer`` over a mixed query set — the development questions, their unaccented forms
   and ~200 phrasings of bank entries — once to warm up, then ``--queries`` times in all;
   latency is the time of ``answer`` alone;
3. resident memory (``VmRSS``) after the questions and the peak (``VmHWM``) of the process;
4. keeping the index current: an entry is published through the workflow actions and
   ``index.updated`` timed (what every process does on noticing it); then a fifth of the entries
   are masked and ``index.pruned`` timed (it rewrites the most masked segment without them).

The evaluation table (Hit@1, Hit@3, MRR, balanced decision accuracy on ``dev.jsonl``) is computed
on the shipped size. If p95 misses the target at some size, that size's ``answer`` is profiled.

    .venv/bin/python bench/answering.py [--sizes 50000] [--queries 1280] [--no-50k] [--profile]

Targets: p95 < 20 ms with the shipped bank and every statute and at 50,000 entries; index build
< 10 s for the shipped data; resident memory < 500 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from vsscare.answering import index as ix
from vsscare.answering.engine import Engine, Result
from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.db import Database
from vsscare.core.events import Actor
from vsscare.core.paths import DATA_DIR, legal_corpus
from vsscare.core.text import fold
from vsscare.knowledge import actions, entries, legal
from vsscare.knowledge.content import parse_content
from vsscare.knowledge.models import KbEntry

sys.path.insert(0, str(Path(__file__).parent))
from _synthetic import bank_rows, insert_synthetic

P95_TARGET_MS = 20.0
BUILD_TARGET_S = 10.0
RSS_TARGET_MB = 500.0
DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval" / "dev.jsonl"
CHANNEL = "web"  # a chat channel: "clarify" is possible
PHRASINGS = 200


# -- the query set --------------------------------------------------------------------------------


def load_dev(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def query_set(dev: list[dict[str, Any]]) -> list[str]:
    """Development questions, their unaccented forms and one phrasing of ~200 bank entries."""
    questions = [d["question"] for d in dev]
    questions += [fold(q) for q in questions]
    rng = random.Random(7)
    rows = bank_rows()
    for row in rng.sample(rows, min(PHRASINGS, len(rows))):
        questions.append(rng.choice(row["phrasings"]) if row["phrasings"] else row["question"])
    return questions


# -- the evaluation -------------------------------------------------------------------------------


def _rank(result: Result, expected: set[str]) -> int | None:
    """1-based position of the first candidate citing an expected article."""
    return next((i for i, c in enumerate(result.candidates, 1) if expected & set(c.sources)), None)


def local_evaluation(engine: Engine, dev: list[dict[str, Any]]) -> dict[str, Any]:
    """Fallback while ``vsscare.answering.evaluation`` is missing: Hit@1, Hit@3 and MRR over
    answerable questions with expected articles (a candidate hits if it cites one of them);
    balanced accuracy: the mean over expected decisions of the share decided right (a clarify
    counts as right for an expected answer, as in the evaluation module)."""
    ranks: list[int | None] = []
    per_class: dict[str, list[bool]] = {}
    confusion: dict[str, dict[str, int]] = {}
    for item in dev:
        result = engine.answer(item["question"], channel=CHANNEL)
        expected = item["expected"]
        right = result.decision == expected or (expected == "answer" and result.decision == "clarify")
        per_class.setdefault(expected, []).append(right)
        row = confusion.setdefault(expected, {})
        row[result.decision] = row.get(result.decision, 0) + 1
        if expected == "answer" and item["expected_keys"]:
            ranks.append(_rank(result, set(item["expected_keys"])))
    n = max(len(ranks), 1)
    return {
        "source": "local (bench/answering.py)",
        "questions": len(dev),
        "ranked": len(ranks),
        "hit1": sum(r == 1 for r in ranks) / n,
        "hit3": sum(r is not None and r <= 3 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "balanced": statistics.mean(sum(v) / len(v) for v in per_class.values()),
        "confusion": confusion,
    }


def evaluation(engine: Engine, dev: list[dict[str, Any]], dev_path: Path) -> dict[str, Any]:
    """The numbers of ``vsscare.answering.evaluation`` when it exists, else the local ones."""
    try:
        from vsscare.answering import evaluation as ev
    except ImportError:
        return local_evaluation(engine, dev)
    questions = ev.read_questions(dev_path)
    report = ev.evaluate((q, engine.answer(q.question, channel=CHANNEL)) for q in questions)
    m = report.overall
    return {
        "source": "vsscare.answering.evaluation (clarify counts as correct for answer)",
        "questions": m.questions,
        "ranked": m.answerable,
        "hit1": m.hit_at_1 or 0.0,
        "hit3": m.hit_at_3 or 0.0,
        "mrr": m.mrr or 0.0,
        "balanced": m.decision_accuracy or 0.0,
        "confusion": m.decisions,
    }


# -- one size, in its own process -----------------------------------------------------------------


def _status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def _percentile(sorted_ms: list[float], p: float) -> float:
    k = (len(sorted_ms) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)


def measure(url: str, total: int, *, builds: int, evaluate: bool, profile: bool) -> dict[str, Any]:
    db = Database(url)
    build_s = []
    index = None
    for _ in range(builds):
        index = None  # do not hold two indexes at once
        began = time.perf_counter()
        with db.read() as session:
            index = ix.build(session)
        build_s.append(time.perf_counter() - began)
    assert index is not None
    engine = Engine(index)
    dev = load_dev(DEV)
    queries = query_set(dev)
    decisions: dict[str, int] = {}
    for q in queries:  # warm-up
        r = engine.answer(q, channel=CHANNEL)
        decisions[r.decision] = decisions.get(r.decision, 0) + 1
    load = os.getloadavg()[0]
    ms = []
    for n in range(total):
        q = queries[n % len(queries)]
        began = time.perf_counter()
        engine.answer(q, channel=CHANNEL)
        ms.append((time.perf_counter() - began) * 1000)
    ms.sort()
    result: dict[str, Any] = {
        "entries": index.live_count,
        "articles": len(index.articles),
        "builds_s": build_s,
        "build_s": statistics.median(build_s),
        "queries": total,
        "distinct": len(queries),
        "p50": _percentile(ms, 50),
        "p95": _percentile(ms, 95),
        "p99": _percentile(ms, 99),
        "max": ms[-1],
        "rss_mb": _status_kb("VmRSS") / 1024,
        "index_mb": index.nbytes() / 1e6,  # postings arrays and compressed texts
        "hwm_mb": _status_kb("VmHWM") / 1024,
        "decisions": decisions,
        "load": (load, os.getloadavg()[0]),  # 1-minute load average before / after the timed questions
    }
    if evaluate:
        result["eval"] = evaluation(engine, dev, DEV)
    if profile or result["p95"] >= P95_TARGET_MS:
        result["profile"] = profile_answers(engine, queries)
    result |= keeping_current(db, index)
    db.dispose()
    return result


def keeping_current(db: Database, index: ix.Index) -> dict[str, float]:
    """Publish one entry, time ``index.updated`` and check it answers; time ``index.pruned``."""
    editor, approver = Actor("user", "1", "bench-editor"), Actor("user", "2", "bench-approver")
    model = index.docs[0]
    question = "Câu hỏi mới về thời hạn nộp hồ sơ hưởng chế độ khi chuyển tỉnh đang làm việc?"
    content = {
        "topic": model.topic,
        "audiences": ["employee"],
        "question": question,
        "phrasings": [fold(question)],
        "short_answer": model.short_answer,
        "full_answer": model.full_answer,
        "legal_bases": list(model.legal_bases),
        "question_en": "",
        "short_answer_en": "",
        "full_answer_en": "",
        "effective_from": None,
        "effective_to": None,
        "next_review_at": None,
    }
    with db.session() as session:
        code = actions.create_entry(session, editor, parse_content(content)).code
        actions.submit(session, editor, code)
        actions.approve(session, approver, code)
        actions.publish(session, approver, code)
    began = time.perf_counter()
    with db.read() as session:
        current = ix.updated(index, session)
    update_ms = (time.perf_counter() - began) * 1000
    found = Engine(current).answer(question, channel=CHANNEL)
    assert found.candidates and found.candidates[0].entry_id == code, found
    live = current.live.copy()
    live[::5] = False
    began = time.perf_counter()
    ix.pruned(replace(current, live=live))
    took = time.perf_counter() - began
    return {"update_ms": update_ms, "prune_s": took, "prune_hwm_mb": _status_kb("VmHWM") / 1024}


def profile_answers(engine: Engine, queries: list[str]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for q in queries:
        engine.answer(q, channel=CHANNEL)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(25)
    return f"{len(queries)} questions profiled\n" + out.getvalue()


# -- preparing the databases ----------------------------------------------------------------------


def prepare(url: str, corpus: Path, synthetic: int) -> float:
    db = Database(url)
    upgrade_and_seed(db)
    with db.session() as session:
        legal.import_corpus(session, corpus)
    with db.session() as session:
        entries.import_bank(session, DATA_DIR / "knowledge")
    began = time.perf_counter()
    if synthetic:
        with db.session() as session:
            insert_synthetic(session, synthetic)
        with db.read() as session:
            live = session.scalar(select(func.count()).where(KbEntry.published_version.is_not(None)))
        took = time.perf_counter() - began
        print(f"  {synthetic:,} synthetic entries inserted in {took:.1f} s ({live:,} live)")
    db.dispose()
    return time.perf_counter() - began


def run_size(label: str, url: str, args: argparse.Namespace, *, evaluate: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    command = [
        sys.executable,
        __file__,
        "--child",
        url,
        "--out",
        str(out_path),
        "--queries",
        str(args.queries),
    ]
    command += ["--evaluate"] * evaluate + ["--profile"] * args.profile
    subprocess.run(command, check=True)
    result = json.loads(out_path.read_text())
    out_path.unlink()
    return {"size": label} | result


# -- report ---------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def report(results: list[dict[str, Any]], corpus: Path, load_before: float) -> None:
    load = f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    print(f"\n{corpus} · {os.cpu_count()} CPUs ({load})")
    print(
        f"latency: Engine.answer alone, channel {CHANNEL!r}, after a warm-up pass over the distinct queries\n"
    )
    head = (
        "size",
        "entries",
        "articles",
        "build s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "RSS MB",
        "peak MB",
        "update ms",
        "prune s",
    )
    print("{:<10} {:>8} {:>9} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>10} {:>10}".format(*head))
    for r in results:
        print(
            f"{r['size']:<10} {r['entries']:>8,} {r['articles']:>9,} {r['build_s']:>8.2f} {r['p50']:>7.2f} "
            f"{r['p95']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.1f} {r['rss_mb']:>7.0f} {r['hwm_mb']:>8.0f} "
            f"{r['update_ms']:>10.1f} {r['prune_s']:>10.2f}"
        )
    print()
    for r in results:
        builds = ", ".join(f"{b:.2f}" for b in r["builds_s"])
        load = "load average {:.2f} → {:.2f}".format(*r["load"])
        asked = f"{r['queries']:,} questions ({r['distinct']} distinct, {load})"
        held = f"index arrays and texts {r['index_mb']:.0f} MB"
        print(f"{r['size']}: {asked}; builds {builds} s; {held}; warm-up decisions {r['decisions']}")
    print("\ntargets")
    for r in results:
        ok = r["p95"] < P95_TARGET_MS
        print(f"  {r['size']:<10} p95 {r['p95']:6.2f} ms  < {P95_TARGET_MS:.0f} ms   {verdict(ok)}")
        if r["size"] == "shipped":
            ok = r["build_s"] < BUILD_TARGET_S
            print(
                f"  {r['size']:<10} build {r['build_s']:5.2f} s  < {BUILD_TARGET_S:.0f} s     {verdict(ok)}"
            )
        ok = max(r["rss_mb"], r["hwm_mb"]) < RSS_TARGET_MB
        memory = f"memory {r['rss_mb']:4.0f} MB (peak {r['hwm_mb']:.0f}, {r['prune_hwm_mb']:.0f} pruning)"
        print(f"  {r['size']:<10} {memory}  < {RSS_TARGET_MB:.0f} MB   {verdict(ok)}")
    for r in results:
        if "eval" in r:
            e = r["eval"]
            counted = f"{e['questions']} questions, {e['ranked']} ranked"
            print(f"\nevaluation on {DEV.name} ({counted}; {e['source']})")
            print("{:<10} {:>6} {:>6} {:>6} {:>13}".format("size", "Hit@1", "Hit@3", "MRR", "balanced acc"))
            print(
                f"{r['size']:<10} {e['hit1']:>6.3f} {e['hit3']:>6.3f} {e['mrr']:>6.3f} {e['balanced']:>13.3f}"
            )
            print("decisions (expected → given):")
            for expected, given in sorted(e["confusion"].items()):
                print(f"  {expected:<13} {dict(sorted(given.items()))}")
    for r in results:
        if "profile" in r:
            print(f"\nprofile of Engine.answer at {r['size']} ({r['entries']:,} entries)\n{r['profile']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="50000", help="synthetic entry counts added to the bank, comma-separated"
    )
    parser.add_argument("--queries", type=int, default=1280, help="timed questions per size (>= 1000)")
    parser.add_argument("--no-50k", action="store_true", help="leave out the 50,000-entry size")
    parser.add_argument(
        "--profile", action="store_true", help="profile every size, not only those missing p95"
    )
    parser.add_argument("--corpus", type=Path, default=None, help="articles.jsonl (default: legal_corpus())")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--evaluate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        builds = 3 if args.evaluate else 1
        result = measure(
            args.child, args.queries, builds=builds, evaluate=args.evaluate, profile=args.profile
        )
        args.out.write_text(json.dumps(result))
        return
    if args.queries < 1000:
        parser.error("--queries must be at least 1000")
    corpus = args.corpus or legal_corpus()
    if corpus is None:
        raise SystemExit("No legal corpus found: pass --corpus or set VSSCARE_LEGAL_CORPUS")
    sizes = [int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",") if s.strip()]
    if args.no_50k:
        sizes = [s for s in sizes if s != 50_000]
    load_before = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory(prefix="vsscare-bench-") as tmp:
        for label, synthetic in [
            ("shipped", 0),
            *((f"+{n // 1000}k" if n % 1000 == 0 else f"+{n}", n) for n in sizes),
        ]:
            url = f"sqlite:///{Path(tmp) / f'{label}.db'}"
            print(f"{label}: preparing the database", flush=True)
            prepare(url, corpus, synthetic)
            results.append(run_size(label, url, args, evaluate=synthetic == 0))
            r = results[-1]
            print(
                f"  {r['entries']:,} entries: build {r['build_s']:.2f} s, p95 {r['p95']:.2f} ms", flush=True
            )
    report(results, corpus, load_before)


if __name__ == "__main__":
    main()
