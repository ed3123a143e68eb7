"""Small helpers shared by the web tests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

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
