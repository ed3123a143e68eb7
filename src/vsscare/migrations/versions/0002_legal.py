"""legal corpus: legal_documents, legal_articles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:18:15.994145
"""

import sqlalchemy as sa
from alembic import op

import vsscare.core.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("doc_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("superseded_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_legal_documents_number")),
    )
    op.create_table(
        "legal_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("article", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("chapter", sa.String(length=300), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["legal_documents.id"],
            name=op.f("fk_legal_articles_document_id_legal_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_articles")),
        sa.UniqueConstraint("key", name=op.f("uq_legal_articles_key")),
    )
    with op.batch_alter_table("legal_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_articles_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_articles_document_id"))

    op.drop_table("legal_articles")
    op.drop_table("legal_documents")
