"""Bring a database to the current schema with the shipped reference data (roles, permissions)."""

from __future__ import annotations

from vsscare.accounts import actions as accounts
from vsscare.core import migrate
from vsscare.core.db import Database


def upgrade_and_seed(db: Database, revision: str = "head") -> None:
    migrate.upgrade(db, revision)
    if revision == "head":
        with db.session() as session:
            accounts.sync_roles(session)
