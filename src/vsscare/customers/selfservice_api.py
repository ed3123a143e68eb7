"""Self-service over the API (``/api/v1/self-service``), for the channel gateways and the IVR with
an API token holding ``customers.self_service``: prove who is on a conversation (a one-time code
by SMS or e-mail, or the voice questions), then look up that person's own records. The
conversation id is the channel's (``zalo:…``, ``web:…``, ``call:…``); a proof holds for it alone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from vsscare.accounts.auth import require
from vsscare.accounts.principal import Principal
from vsscare.core import crypto
from vsscare.core.errors import ErrorBody
from vsscare.core.web import write_session
from vsscare.customers import selfservice, services, verification

router = APIRouter(prefix="/api/v1/self-service", tags=["self-service"])

Channel = Annotated[Principal, Depends(require("customers.self_service"))]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
Conversation = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[\w.:@+\-/]+$")]


def _err(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _err("No API token"),
    403: _err("The token lacks `customers.self_service`, or the proof belongs to another conversation"),
    422: _err("Invalid body or SI code (the message says why)"),
    423: _err("Too many wrong answers: verification for this SI code is locked for a while"),
}


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation: Conversation
    si_code: str = Field(max_length=40, description="Mã số BHXH, 10 digits")
    via: Literal["sms", "email"] = "sms"


class CodeCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation: Conversation
    code: str = Field(max_length=20)


class QuestionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation: Conversation
    si_code: str = Field(max_length=40)
    birth_date: date
    cccd_last4: str = Field(max_length=10, description="The last 4 digits of the CCCD")


class VerificationOut(BaseModel):
    id: int
    method: str
    status: str
    sent_to: str | None = Field(description="Masked destination of the code")
    expires_at: datetime
    valid_until: datetime | None = Field(description="Once verified: the proof holds until then")


class AnswerOut(BaseModel):
    kind: str
    lang: str
    text: str = Field(description="For a chat bubble or a voice prompt")
    data: dict[str, Any]


def _out(row: Any) -> VerificationOut:
    return VerificationOut(
        id=row.id, method=row.method, status=row.status, sent_to=row.sent_to_masked,
        expires_at=row.expires_at, valid_until=row.valid_until,
    )  # fmt: skip


def _ring(request: Request) -> crypto.Keyring:
    return crypto.keyring(request.app.state.settings)


@router.post(
    "/verify/code",
    response_model=VerificationOut,
    status_code=201,
    summary="Send a one-time code",
    responses=ERRORS
    | {429: _err("Three codes were sent within 15 minutes"), 503: _err("SMS or e-mail down")},
)
def send_code(request: Request, principal: Channel, session: WriteSession, body: CodeIn) -> VerificationOut:
    """To the phone on record in the industry database, or the e-mail on the customer record."""
    settings = request.app.state.settings
    row = verification.start_otp(
        session, _ring(request), services.registry(settings, request.app.state.db),
        services.sms_gateway(settings) if body.via == "sms" else None, conversation=body.conversation,
        si_code=body.si_code, via=body.via, mailer=services.mailer(settings) if body.via == "email" else None,
        actor=principal.actor,
    )  # fmt: skip
    return _out(row)


@router.post(
    "/verify/code/{verification_id}",
    response_model=VerificationOut,
    summary="Check a one-time code",
    responses=ERRORS | {400: _err("Wrong code (attempts left)"), 404: _err("No such verification"),
                        409: _err("Already used"), 410: _err("Expired")},
)  # fmt: skip
def check_code(
    request: Request,
    principal: Channel,
    session: WriteSession,
    verification_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: CodeCheckIn,
) -> VerificationOut:
    row = verification.check_otp(
        session, _ring(request), verification_id, body.code, conversation=body.conversation,
        actor=principal.actor,
    )  # fmt: skip
    return _out(row)


@router.post(
    "/verify/questions",
    response_model=VerificationOut,
    summary="Verify on the phone line: date of birth and CCCD digits",
    responses=ERRORS | {400: _err("The answers do not match (attempts left)")},
)
def check_questions(
    request: Request, principal: Channel, session: WriteSession, body: QuestionsIn
) -> VerificationOut:
    row = verification.check_questions(
        session, _ring(request), services.registry(request.app.state.settings, request.app.state.db),
        conversation=body.conversation, si_code=body.si_code, birth_date=body.birth_date,
        cccd_last4=body.cccd_last4, actor=principal.actor,
    )  # fmt: skip
    return _out(row)


@router.get(
    "/lookup/{kind}",
    response_model=AnswerOut,
    summary="The verified person's own record",
    responses=ERRORS
    | {404: _err("Nothing on record (or not this person's dossier)"), 503: _err("Registry unavailable")},
)
def lookup(
    request: Request,
    principal: Channel,
    session: WriteSession,
    kind: Literal["contributions", "health_card", "dossier", "claims"],
    conversation: Annotated[str, Query(min_length=8, max_length=200, pattern=r"^[\w.:@+\-/]+$")],
    receipt_code: Annotated[str | None, Query(max_length=40)] = None,
    lang: Literal["vi", "en"] = "vi",
) -> AnswerOut:
    """Refused with `selfservice_unverified` until the conversation is verified; a dossier needs its
    receipt code and must be the verified person's."""
    answer = selfservice.lookup(
        session, _ring(request), services.registry(request.app.state.settings, request.app.state.db),
        conversation=conversation, kind=kind, receipt_code=receipt_code, lang=lang, actor=principal.actor,
    )  # fmt: skip
    return AnswerOut(kind=answer.kind, lang=answer.lang, text=answer.text, data=answer.data)
