"""SQLite's write-ahead log is copied into the database by the worker's checkpointer, not by commits."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from vsscare.core.db import Checkpointer, Database


def _write(db: Database, rows: int) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute(text("INSERT INTO t (body) VALUES (:b)"), [{"b": "x" * 500} for _ in range(rows)])


def test_commits_leave_the_log_and_the_checkpointer_copies_it(tmp_path: Path):
    path = tmp_path / "wal.db"
    db = Database(f"sqlite:///{path}")
    try:
        _write(db, 2000)  # about 250 pages: below the bound at which a commit would checkpoint
        before = path.stat().st_size
        assert Path(f"{path}-wal").stat().st_size > 500_000
        with Checkpointer(db, interval=0.05) as checkpointer:
            deadline = time.monotonic() + 10
            while checkpointer.runs == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
        assert checkpointer.runs >= 1
        assert path.stat().st_size > before + 500_000
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 2000
    finally:
        db.dispose()


def test_checkpointer_does_nothing_without_a_file(tmp_path: Path):
    db = Database("sqlite://")
    try:
        with Checkpointer(db, interval=0.01) as checkpointer:
            time.sleep(0.05)
        assert checkpointer.runs == 0
    finally:
        db.dispose()
