"""Correlation id of the current HTTP request, job or CLI command."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def correlation_id() -> str:
    """The current id, or a fresh one bound to this context (e.g. a CLI command)."""
    value = _correlation_id.get()
    if value is None:
        value = new_id()
        _correlation_id.set(value)
    return value


@contextmanager
def bound(value: str | None) -> Iterator[str]:
    token = _correlation_id.set(value or new_id())
    try:
        yield _correlation_id.get()  # type: ignore[misc]
    finally:
        _correlation_id.reset(token)


_client: ContextVar[tuple[str | None, str | None]] = ContextVar("client", default=(None, None))


def client() -> tuple[str | None, str | None]:
    """(ip, user agent) of the current HTTP request, if any."""
    return _client.get()


@contextmanager
def bound_client(ip: str | None, user_agent: str | None) -> Iterator[None]:
    token = _client.set((ip, (user_agent or "")[:300] or None))
    try:
        yield
    finally:
        _client.reset(token)
