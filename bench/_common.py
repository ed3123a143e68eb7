"""What the benchmarks share: progress on stderr, nearest-rank percentiles, fresh planner
statistics before timing."""

from __future__ import annotations

import math
import sys
import time

from vsscare.core import crypto
from vsscare.core.config import Settings
from vsscare.core.db import Database

# The data keys of the benchmark databases (kept in var/bench and reused between runs).
RING = crypto.keyring(Settings(secret_key="bench-secret-key-not-for-production"))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least ``q`` of the samples at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def analyze(db: Database) -> float:
    """Planner statistics (and, on PostgreSQL, the visibility map) brought up to date after a
    load, as a deployment's autovacuum would have them; the seconds it took."""
    started = time.perf_counter()
    if db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started
