"""Reference data read from the database and kept in the process for a while (SLA policies,
calendars, the unit tree): the same for every request, so read once a minute, not on each.
Kept per database URL, so that several databases in one process (tests, tools) never mix."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class PerDatabase(Generic[T]):
    """``load(session, *key)`` run at most once per ``ttl`` seconds for each database and key."""

    def __init__(self, load: Callable[..., T], ttl: float = 60.0) -> None:
        self.load, self.ttl = load, ttl
        self._values: dict[tuple[Hashable, ...], tuple[float, T]] = {}

    def get(self, session: Session, *key: Hashable) -> T:
        full = (str(session.get_bind().engine.url), *key)
        cached = self._values.get(full)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        value = self.load(session, *key)
        self._values[full] = (now, value)
        return value

    def clear(self) -> None:
        """Forget every value (after this process changed what they were read from)."""
        self._values.clear()
