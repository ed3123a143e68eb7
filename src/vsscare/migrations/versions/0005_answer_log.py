"""answer log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:51:59
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import vsscare.core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("handover_reason", sa.String(length=32), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("entry_code", sa.String(length=64), nullable=True),
        sa.Column(
            "candidates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("rated_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("correct_entry", sa.String(length=64), nullable=True),
        sa.Column("feedback_by", sa.String(length=80), nullable=True),
        sa.Column("feedback_at", vsscare.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gap_status", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_log")),
    )
    with op.batch_alter_table("answer_log", schema=None) as batch_op:
        batch_op.create_index("ix_answer_log_conversation", ["conversation_id", "id"], unique=False)
        batch_op.create_index("ix_answer_log_decision_time", ["decision", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_log_gap_status"), ["gap_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_log_gap_status"))
        batch_op.drop_index("ix_answer_log_decision_time")
        batch_op.drop_index("ix_answer_log_conversation")

    op.drop_table("answer_log")
