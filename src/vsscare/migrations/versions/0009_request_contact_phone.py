"""requests: the contact phone encrypted at rest, with a blind index and its masked form

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 09:10:00

Existing numbers are encrypted in place with the data keys the upgrade is run with
(``vsscare db upgrade`` reads them from the settings); a database that holds numbers and is
upgraded without keys is refused, and nothing changes.
"""

import sqlalchemy as sa
from alembic import op

from vsscare.core.errors import AppError
from vsscare.core.migrate import KEYS_NEEDED

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CONTEXT = "customers.phone"
BATCH = 5000
_requests = sa.table(
    "requests",
    sa.column("id", sa.BigInteger),
    sa.column("contact_phone", sa.String),
    sa.column("contact_phone_enc", sa.Text),
    sa.column("contact_phone_bi", sa.String),
    sa.column("contact_phone_masked", sa.String),
)


def _keyring(conn: sa.Connection, column: str):
    ring = op.get_context().config.attributes.get("keyring")
    if (
        ring is None
        and conn.execute(sa.text(f"SELECT 1 FROM requests WHERE {column} IS NOT NULL LIMIT 1")).first()
    ):
        raise AppError(KEYS_NEEDED)
    return ring


def _mask(e164: str) -> str:
    digits = "0" + e164[3:] if e164.startswith("+84") else e164
    return "*" * len(digits) if len(digits) <= 6 else digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def _convert(conn: sa.Connection, source: str, rewrite) -> None:
    """Rewrite rows in id order, a batch at a time (a million requests fit in little memory)."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_requests.c.id, _requests.c[source])
            .where(_requests.c.id > last, _requests.c[source].is_not(None))
            .order_by(_requests.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            _requests.update().where(_requests.c.id == sa.bindparam("rid")),
            [{"rid": rid, **rewrite(value)} for rid, value in rows],
        )
        last = rows[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    ring = _keyring(conn, "contact_phone")
    op.add_column("requests", sa.Column("contact_phone_enc", sa.Text(), nullable=True))
    op.add_column("requests", sa.Column("contact_phone_bi", sa.String(length=32), nullable=True))
    op.add_column("requests", sa.Column("contact_phone_masked", sa.String(length=20), nullable=True))
    if ring is not None:
        _convert(conn, "contact_phone", lambda e164: {
            "contact_phone_enc": ring.encrypt(e164, context=CONTEXT),
            "contact_phone_bi": ring.blind_index(e164, context=CONTEXT),
            "contact_phone_masked": _mask(e164),
        })  # fmt: skip
    op.drop_index("ix_requests_contact_phone_id", table_name="requests")
    # SQLite ≥ 3.35 drops a column in place: no copy of the table and its foreign keys.
    op.execute("ALTER TABLE requests DROP COLUMN contact_phone")
    op.create_index("ix_requests_contact_phone_bi_id", "requests", ["contact_phone_bi", "id"], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    ring = _keyring(conn, "contact_phone_enc")
    op.add_column("requests", sa.Column("contact_phone", sa.String(length=20), nullable=True))
    if ring is not None:
        _convert(conn, "contact_phone_enc", lambda enc: {"contact_phone": ring.decrypt(enc, context=CONTEXT)})
    op.drop_index("ix_requests_contact_phone_bi_id", table_name="requests")
    for column in ("contact_phone_masked", "contact_phone_bi", "contact_phone_enc"):
        op.execute(f"ALTER TABLE requests DROP COLUMN {column}")
    op.create_index("ix_requests_contact_phone_id", "requests", ["contact_phone", "id"], unique=False)
