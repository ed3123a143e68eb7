"""Small helpers shared by the web tests."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from vsscare.accounts import passwords
from vsscare.core.audit import AuditEntry
from vsscare.core.db import Database

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token a signed-in page hands to its forms."""
    match = META_CSRF.search(client.get(path).text)
    assert match and match.group(1), "page has no CSRF token"
    return match.group(1)


def audit_rows(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


# Argon2id at its smallest cost: the web tests check the flow, not the strength of the hash.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def use_fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", FAST_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY", FAST_HASHER.hash("vsscare-dummy-password-1"))
