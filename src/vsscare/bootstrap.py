"""Bring a database to the current schema with the shipped reference data (roles, permissions,
SLA policies)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vsscare.accounts import actions as accounts
from vsscare.core import migrate
from vsscare.core.crypto import Keyring
from vsscare.core.db import Database
from vsscare.core.paths import DATA_DIR
from vsscare.requests import sla
from vsscare.requests.models import SlaPolicy


def upgrade_and_seed(db: Database, revision: str = "head", *, keyring: Keyring | None = None) -> None:
    """``keyring``: the data keys, for migrations that convert personal data already stored."""
    migrate.upgrade(db, revision, keyring=keyring)
    if revision == "head":
        with db.session() as session:
            accounts.sync_roles(session)
            _seed_sla(session)


def _seed_sla(session: Session) -> None:
    """The shipped SLA policies, unless an administrator has loaded their own."""
    if not session.scalar(select(func.count()).select_from(SlaPolicy)):
        sla.load_policies(session, DATA_DIR / "requests" / "sla.yaml")
