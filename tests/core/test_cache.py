"""Reference data kept per database: reused, never mixed between databases, forgotten on request."""

from __future__ import annotations

from pathlib import Path

from vsscare.core.cache import PerDatabase
from vsscare.core.db import Database


def test_values_are_kept_per_database_and_key_until_cleared(tmp_path: Path):
    reads: list[tuple[str, object]] = []

    def load(session, *key):
        url = str(session.get_bind().engine.url)
        reads.append((url, key))
        return (url, key)

    cache = PerDatabase(load)
    one, two = Database(f"sqlite:///{tmp_path / 'one.db'}"), Database(f"sqlite:///{tmp_path / 'two.db'}")
    try:
        with one.read() as a, two.read() as b:
            assert cache.get(a) == cache.get(a) == (str(one.engine.url), ())
            assert cache.get(b)[0] == str(two.engine.url)  # another database, its own value
            assert cache.get(a, 7) == (str(one.engine.url), (7,))
            assert len(reads) == 3
            cache.clear()
            cache.get(a)
            assert len(reads) == 4
            expired = PerDatabase(load, ttl=0)
            expired.get(a), expired.get(a)
            assert len(reads) == 6
    finally:
        one.dispose()
        two.dispose()
