"""Reads of the answer log for staff: the gaps queue, its counts, one logged answer.

The gaps queue holds the questions the bank answers badly: those the engine could not answer
(clarify, handover, out of scope), those a citizen found unhelpful and those staff marked wrong.
Questions are stored masked, so nothing here reads personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vsscare.answering import errors
from vsscare.answering.models import AnswerLog
from vsscare.core.errors import AppError
from vsscare.knowledge.models import KbEntry

GAP_STATUSES = ("open", "resolved", "ignored")
DECISIONS = ("answer", "clarify", "handover", "out_of_scope")
REASONS = ("personal_record", "complaint", "low_confidence")
MAX_LIMIT = 200


@dataclass
class GapPage:
    items: list[AnswerLog]
    total: int


def gaps(
    session: Session,
    *,
    status: str | None = "open",
    decision: str | None = None,
    reason: str | None = None,
    channel: str | None = None,
    topic: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> GapPage:
    """Logged questions in the gaps queue, newest first; ``status=None``: every status."""
    stmt = select(AnswerLog)
    stmt = stmt.where(AnswerLog.gap_status == status if status else AnswerLog.gap_status.is_not(None))
    if decision:
        stmt = stmt.where(AnswerLog.decision == decision)
    if reason:
        stmt = stmt.where(AnswerLog.handover_reason == reason)
    if channel:
        stmt = stmt.where(AnswerLog.channel == channel)
    if topic:
        stmt = stmt.where(AnswerLog.topic == topic)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(AnswerLog.created_at.desc(), AnswerLog.id.desc())
    items = list(session.scalars(page.limit(min(max(limit, 1), MAX_LIMIT)).offset(max(offset, 0))))
    return GapPage(items, total)


def gap_counts(session: Session) -> dict[str, int]:
    """How many questions each gap status holds (every status present, zero if none)."""
    stmt = (
        select(AnswerLog.gap_status, func.count())
        .where(AnswerLog.gap_status.is_not(None))
        .group_by(AnswerLog.gap_status)
    )
    found = {status: count for status, count in session.execute(stmt)}
    return {status: found.get(status, 0) for status in GAP_STATUSES}


def channels(session: Session) -> list[str]:
    """The channels questions in the gaps queue came from (for the filter)."""
    stmt = select(AnswerLog.channel).where(AnswerLog.gap_status.is_not(None)).distinct()
    return sorted(session.scalars(stmt))


def get_log(session: Session, log_id: int, *, lock: bool = False) -> AnswerLog:
    """One logged answer; ``lock`` (writers) holds the row until the transaction ends."""
    stmt = select(AnswerLog).where(AnswerLog.id == log_id)
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise AppError(errors.LOG_NOT_FOUND, log_id=log_id)
    return row


def entry_questions(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """Entry code → its question, for the codes that exist (candidates shown with their question)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    stmt = select(KbEntry.code, KbEntry.question).where(KbEntry.code.in_(wanted))
    return {code: question for code, question in session.execute(stmt)}


def entry_version(session: Session, code: str) -> int | None:
    """The latest version number of an entry (None when there is no such entry)."""
    return session.scalar(select(KbEntry.version).where(KbEntry.code == code))
