"""Every question the engine answered, for the conversation context, the gaps queue and reports.

Identifiers are masked before the question is stored (:mod:`vsscare.answering.masking`): the log
is read by editors looking for missing answers, not by people entitled to personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vsscare.core.db import Base, BigId, JsonData, UTCDateTime, utcnow


class AnswerLog(Base):
    __tablename__ = "answer_log"
    __table_args__ = (
        Index("ix_answer_log_conversation", "conversation_id", "id"),
        Index("ix_answer_log_decision_time", "decision", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2))
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)  # masked
    decision: Mapped[str] = mapped_column(String(16))
    handover_reason: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    topic: Mapped[str | None] = mapped_column(String(40))
    entry_code: Mapped[str | None] = mapped_column(String(64))  # the answer given, if any
    candidates: Mapped[list[Any]] = mapped_column(JsonData, default=list)  # codes, best first
    latency_ms: Mapped[float] = mapped_column(Float)
    # The citizen's rating ("helpful"/"unhelpful"), once; kept apart from staff's verdict.
    rating: Mapped[str | None] = mapped_column(String(16))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff's verdict ("right", or "wrong" with the right entry); a later one replaces it.
    verdict: Mapped[str | None] = mapped_column(String(16))
    correct_entry: Mapped[str | None] = mapped_column(String(64))
    feedback_by: Mapped[str | None] = mapped_column(String(80))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The gaps queue: open until an editor deals with the question.
    gap_status: Mapped[str | None] = mapped_column(String(16), index=True)
