"""Request and response shapes of the answering API, and the clean-up of an incoming question."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vsscare.answering import errors
from vsscare.core.errors import AppError

MAX_QUESTION = 4000  # characters; longer is refused (the engine reads the first 1,000 anyway)
Channel = Literal["web", "chat", "zalo", "facebook", "email", "phone", "portal", "sms", "api"]
Lang = Literal["vi", "en"]
CONVERSATION_ID = r"^[A-Za-z0-9_.:-]{1,100}$"

_SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# C0/C1 control characters and lone surrogates: PostgreSQL text cannot hold NUL, and a lone
# surrogate cannot be encoded as UTF-8 at all.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")


def clean_question(text: str) -> str:
    """The question as the engine sees it: control characters removed, trimmed, within limits.

    Raises ``answer_question_too_long`` or ``answer_question_empty``."""
    text = text.strip()
    if len(text) > MAX_QUESTION:
        raise AppError(errors.QUESTION_TOO_LONG, details={"length": len(text)}, limit=MAX_QUESTION)
    text = _CONTROL.sub("", _SPACES.sub(" ", text)).strip()
    if not text:
        raise AppError(errors.QUESTION_EMPTY)
    return text


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description=f"The citizen's question (at most {MAX_QUESTION:,} characters)")
    channel: Channel = Field("api", description="Where the question came from")
    lang: Lang | None = Field(None, description="Answer language; detected from the question if absent")
    conversation_id: str | None = Field(
        None,
        max_length=100,
        pattern=CONVERSATION_ID,
        description="Groups a conversation's questions so that a follow-up borrows the previous one",
    )


class AnswerText(BaseModel):
    short: str
    full: str
    entry_id: str


class SourceOut(BaseModel):
    key: str = Field(description="DOC_NUMBER#ARTICLE, e.g. 41/2024/QH15#70")
    title: str
    in_force: bool


class CandidateOut(BaseModel):
    entry_id: str
    question: str
    score: float
    sources: list[str]


class AnswerOut(BaseModel):
    decision: Literal["answer", "clarify", "handover", "out_of_scope"] = Field(
        description="answer: give `answer`; clarify: offer `candidates`; handover: a person answers "
        "(see `handover_reason`); out_of_scope: not about social, health or unemployment insurance"
    )
    answer: AnswerText | None
    sources: list[SourceOut]
    confidence: float
    topic: str | None
    candidates: list[CandidateOut]
    handover_reason: str | None = Field(description="personal_record, complaint or low_confidence")
    self_service: Literal["contributions", "health_card", "dossier", "claims"] | None = Field(
        None,
        description="With personal_record: the lookup the person may run once verified "
        "(POST /api/v1/self-service/verify/…, then GET /api/v1/self-service/lookup/{kind})",
    )
    lang: Lang
    latency_ms: float
    note: str | None
    log_id: int | None = Field(description="For feedback: POST /api/v1/answers/{log_id}/feedback")

    @classmethod
    def of(cls, result: Any, log_id: int | None) -> AnswerOut:
        return cls.model_validate(result.as_dict() | {"log_id": log_id})


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool


class FeedbackOut(BaseModel):
    log_id: int
    rating: Literal["helpful", "unhelpful"]
    gap_status: str | None
