"""kb workflow: publication, approval, review dates, comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:07:14
"""

import sqlalchemy as sa
from alembic import op

import vsscare.core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_entry_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["kb_entries.id"],
            name=op.f("fk_kb_entry_comments_entry_id_kb_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entry_comments")),
    )
    with op.batch_alter_table("kb_entry_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_entry_comments_entry_id"), ["entry_id"], unique=False)

    with op.batch_alter_table("kb_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publish_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))

    # Entries published before versions were tracked went live at their current version.
    op.execute("UPDATE kb_entries SET published_version = version WHERE status = 'published'")


def downgrade() -> None:
    with op.batch_alter_table("kb_entries", schema=None) as batch_op:
        batch_op.drop_column("reviewed_on")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("approved_by")
        batch_op.drop_column("publish_on")
        batch_op.drop_column("published_version")

    with op.batch_alter_table("kb_entry_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_entry_comments_entry_id"))

    op.drop_table("kb_entry_comments")
