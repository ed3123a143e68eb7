"""The public answering API: ``POST /api/v1/answers`` and the citizen's feedback on an answer.

No sign-in: the portal's ask box and the channel drivers call it (rate limits come with the
channels). The endpoints are plain functions, so FastAPI runs the engine in its threadpool.
Bad input is refused with ``{code, message, message_en, details}``, never a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from vsscare.answering import errors, feedback
from vsscare.answering.schemas import AnswerOut, AskIn, FeedbackIn, FeedbackOut, clean_question
from vsscare.answering.service import answerer
from vsscare.core.errors import AppError, ErrorBody
from vsscare.core.web import write_session

WriteSession = Annotated[Session, Depends(write_session, scope="function")]
MAX_ID = 2**63 - 1

router = APIRouter(prefix="/api/v1/answers", tags=["answering"])


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


def answer_log_id(log_id: Annotated[str, Path(description="The `log_id` of an answer")]) -> int:
    """An id that cannot exist (not a positive 64-bit integer) is simply not found."""
    if not (log_id.isascii() and log_id.isdigit()) or not 0 < int(log_id) <= MAX_ID:
        raise AppError(errors.LOG_NOT_FOUND, log_id=log_id[:30])
    return int(log_id)


@router.post(
    "",
    response_model=AnswerOut,
    summary="Answer a question",
    responses={422: _error("Empty or too long question, unknown channel or language, bad conversation id")},
)
def ask(body: AskIn, request: Request) -> AnswerOut:
    """Answer from the published Q&A bank, or say why not.

    `decision` is `answer` (the `answer` and its legal `sources`, each with whether it is in force
    today), `clarify` (offer the `candidates`), `handover` (a person answers: `handover_reason` is
    `personal_record`, `complaint` or `low_confidence`) or `out_of_scope`. The question is logged
    with identifiers masked; `log_id` takes the citizen's feedback."""
    question = clean_question(body.question)
    result, logged = answerer(request.app.state.db).ask(
        question, channel=body.channel, lang=body.lang, conversation_id=body.conversation_id
    )
    return AnswerOut.of(result, logged)


@router.post(
    "/{log_id}/feedback",
    response_model=FeedbackOut,
    summary="Was the answer helpful?",
    responses={404: _error("No answer with this id"), 409: _error("This answer was already rated")},
)
def rate(
    log_id: Annotated[int, Depends(answer_log_id)], body: FeedbackIn, session: WriteSession
) -> FeedbackOut:
    """Once per answer. An unhelpful rating puts the question in the editors' gaps queue."""
    row = feedback.rate(session, log_id, helpful=body.helpful)
    return FeedbackOut(log_id=row.id, rating=row.rating, gap_status=row.gap_status)
