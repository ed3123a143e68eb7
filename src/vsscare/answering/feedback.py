"""Citizens' verdict on an answer: helpful or not, once per answer.

An unhelpful verdict opens the question in the gaps queue, where editors find the questions the
bank answers badly.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vsscare.answering import errors
from vsscare.answering.models import AnswerLog
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError


def rate(session: Session, log_id: int, *, helpful: bool) -> AnswerLog:
    """Record the verdict; ``answer_not_found`` (404) or ``answer_feedback_given`` (409) otherwise.

    One conditional UPDATE, so two verdicts sent at once cannot both be recorded."""
    values: dict = {"rating": "helpful" if helpful else "unhelpful", "rated_at": utcnow()}
    if not helpful:
        values["gap_status"] = "open"
    done = session.execute(
        update(AnswerLog)
        .where(AnswerLog.id == log_id, AnswerLog.rating.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        known = session.scalar(select(AnswerLog.id).where(AnswerLog.id == log_id))
        raise AppError(errors.LOG_NOT_FOUND if known is None else errors.FEEDBACK_GIVEN, log_id=log_id)
    row = session.get(AnswerLog, log_id, populate_existing=True)
    assert row is not None
    return row
