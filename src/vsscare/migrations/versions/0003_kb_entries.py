"""q&a bank: kb_entries, kb_entry_bases, kb_entry_versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:42:53
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import vsscare.core.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column(
            "audiences",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column(
            "phrasings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("short_answer", sa.Text(), nullable=False),
        sa.Column("full_answer", sa.Text(), nullable=False),
        sa.Column("question_en", sa.Text(), nullable=True),
        sa.Column("short_answer_en", sa.Text(), nullable=True),
        sa.Column("full_answer_en", sa.Text(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("next_review_at", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entries")),
        sa.UniqueConstraint("code", name=op.f("uq_kb_entries_code")),
    )
    with op.batch_alter_table("kb_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_entries_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_entries_topic"), ["topic"], unique=False)

    op.create_table(
        "kb_entry_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["kb_entries.id"],
            name=op.f("fk_kb_entry_versions_entry_id_kb_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entry_versions")),
        sa.UniqueConstraint("entry_id", "version", name=op.f("uq_kb_entry_versions_entry_id_version")),
    )
    with op.batch_alter_table("kb_entry_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_entry_versions_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "kb_entry_bases",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("article_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_key"], ["legal_articles.key"], name=op.f("fk_kb_entry_bases_article_key_legal_articles")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["kb_entries.id"],
            name=op.f("fk_kb_entry_bases_entry_id_kb_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "article_key", name=op.f("pk_kb_entry_bases")),
    )
    with op.batch_alter_table("kb_entry_bases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_entry_bases_article_key"), ["article_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_entry_bases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_entry_bases_article_key"))

    op.drop_table("kb_entry_bases")
    with op.batch_alter_table("kb_entry_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_entry_versions_entry_id"))

    op.drop_table("kb_entry_versions")
    with op.batch_alter_table("kb_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_entries_topic"))
        batch_op.drop_index(batch_op.f("ix_kb_entries_status"))

    op.drop_table("kb_entries")
