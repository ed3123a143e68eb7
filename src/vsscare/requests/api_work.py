"""Work on one request through the API: replies and notes (with files), assignment, triage,
status, merge and links, transfer to a unit, escalation, leadership's decision and complaints.
Included by :mod:`vsscare.requests.api` under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError

from vsscare.accounts.auth import deny
from vsscare.requests import actions, queries, unit_actions
from vsscare.requests.api_common import (
    UPLOAD_ERRORS,
    WRITE_ERRORS,
    Assigner,
    Code,
    Csrf,
    Decider,
    Incoming,
    Supervisor,
    Worker,
    WriteSession,
    attachment_store,
    body_doc,
    error_doc,
    request_out,
    with_files,
)
from vsscare.requests.api_schemas import RequestOut
from vsscare.requests.schemas import (
    AssignIn,
    Body,
    CodeIn,
    ComplaintIn,
    EscalateIn,
    LinkIn,
    ReasonIn,
    ReplyIn,
    StatusIn,
    TransferIn,
    TriageIn,
    VersionIn,
)

router = APIRouter()


# -- messages ----------------------------------------------------------------------------------------


@router.post(
    "/requests/{code}/reply",
    response_model=RequestOut,
    summary="Reply to the customer",
    responses=UPLOAD_ERRORS,
    openapi_extra=body_doc(ReplyIn),
)
def reply(
    request: Request,
    code: Code,
    principal: Worker,
    _csrf: Csrf,
    body: Annotated[Incoming[ReplyIn], Depends(with_files(ReplyIn))],
    session: WriteSession,
) -> RequestOut:
    """Sent on the request's channel by the outbox; `then` sets the status with it (`resolved`
    resolves). Refused on a merged request (`request_merged`: reply on the one it went into)."""
    queries.get_visible(session, principal, code)
    data = body.data
    actions.reply(
        session, principal.actor, code, data.body, version=data.version, then=data.then,
        uploads=body.uploads, store=attachment_store(request),
    )  # fmt: skip
    return request_out(session, code)


@router.post(
    "/requests/{code}/note",
    response_model=RequestOut,
    summary="Internal note",
    responses=UPLOAD_ERRORS,
    openapi_extra=body_doc(Body),
)
def note(
    request: Request,
    code: Code,
    principal: Worker,
    _csrf: Csrf,
    body: Annotated[Incoming[Body], Depends(with_files(Body))],
    session: WriteSession,
) -> RequestOut:
    """Seen by staff and units, never by the customer."""
    queries.get_visible(session, principal, code)
    data = body.data
    actions.note(
        session, principal.actor, code, data.body, version=data.version, uploads=body.uploads,
        store=attachment_store(request),
    )  # fmt: skip
    return request_out(session, code)


# -- assignment, triage, status ------------------------------------------------------------------------


@router.post("/requests/{code}/assign", response_model=RequestOut, summary="Assign", responses=WRITE_ERRORS)
def assign(
    request: Request, code: Code, body: AssignIn, principal: Worker, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """To a staff member by username, or back to the shared queue (`assignee: null`). Without
    requests.assign you may only take a request yourself or give back your own."""
    wanted = (body.assignee or "").strip().lower() or None
    if not principal.has("requests.assign") and wanted != principal.username:
        # Decided before the write transaction starts: a refusal is audited in its own.
        current = None
        if wanted is None:
            with request.app.state.db.read() as reading:
                current = queries.get_visible(reading, principal, code).assignee_id
        if wanted is not None or current not in (None, principal.user_id):
            raise deny(request, principal, "requests.assign")
    queries.get_visible(session, principal, code)
    actions.assign(session, principal.actor, code, body.assignee, version=body.version)
    return request_out(session, code)


@router.post(
    "/requests/{code}/auto-assign",
    response_model=RequestOut,
    summary="Assign to the best online agent",
    responses=WRITE_ERRORS
    | {409: error_doc("Nobody online handles its topic (`request_no_agent`), or conflict")},
)
def auto_assign(
    code: Code, principal: Assigner, _csrf: Csrf, session: WriteSession, body: VersionIn | None = None
) -> RequestOut:
    """The online agent of its team who handles its topic and has the lightest load."""
    queries.get_visible(session, principal, code)
    actions.auto_assign(session, principal.actor, code, version=body.version if body else None)
    return request_out(session, code)


@router.post("/requests/{code}/triage", response_model=RequestOut, summary="Triage", responses=WRITE_ERRORS)
def triage(code: Code, body: TriageIn, principal: Worker, _csrf: Csrf, session: WriteSession) -> RequestOut:
    """Change topic, type, priority, subject, province (`""` clears it) or tags; fields left out
    stay. A new type or priority may bring another SLA policy, counted from arrival."""
    queries.get_visible(session, principal, code)
    changes = body.model_dump(exclude={"version"})
    actions.triage(session, principal.actor, code, changes, version=body.version)
    return request_out(session, code)


@router.post(
    "/requests/{code}/status", response_model=RequestOut, summary="Open or wait", responses=WRITE_ERRORS
)
def set_status(
    code: Code, body: StatusIn, principal: Worker, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """`pending_customer` stops the SLA clock until the customer writes; `open` restarts it."""
    queries.get_visible(session, principal, code)
    actions.set_status(session, principal.actor, code, body.status, reason=body.reason, version=body.version)
    return request_out(session, code)


@router.post("/requests/{code}/resolve", response_model=RequestOut, summary="Resolve", responses=WRITE_ERRORS)
def resolve(
    code: Code, principal: Worker, _csrf: Csrf, session: WriteSession, body: VersionIn | None = None
) -> RequestOut:
    """The customer is told; it closes by itself after 7 days unless they write again."""
    queries.get_visible(session, principal, code)
    actions.resolve(session, principal.actor, code, version=body.version if body else None)
    return request_out(session, code)


@router.post("/requests/{code}/reopen", response_model=RequestOut, summary="Reopen", responses=WRITE_ERRORS)
def reopen(
    code: Code, principal: Worker, _csrf: Csrf, session: WriteSession, body: VersionIn | None = None
) -> RequestOut:
    """A resolved or closed request back to work (not a merged one)."""
    queries.get_visible(session, principal, code)
    actions.reopen(session, principal.actor, code, version=body.version if body else None)
    return request_out(session, code)


@router.post("/requests/{code}/close", response_model=RequestOut, summary="Close", responses=WRITE_ERRORS)
def close(
    code: Code, principal: Worker, _csrf: Csrf, session: WriteSession, body: VersionIn | None = None
) -> RequestOut:
    """Only a resolved request closes; the customer's next message then starts a new one."""
    queries.get_visible(session, principal, code)
    actions.close(session, principal.actor, code, version=body.version if body else None)
    return request_out(session, code)


# -- merge, links, transfer, escalation, complaints -------------------------------------------------------


@router.post(
    "/requests/{code}/merge", response_model=RequestOut, summary="Merge a duplicate", responses=WRITE_ERRORS
)
def merge(code: Code, body: CodeIn, principal: Worker, _csrf: Csrf, session: WriteSession) -> RequestOut:
    """`{code}` is the duplicate: its messages move to `other`, which continues and is returned;
    the duplicate closes, pointing to it."""
    queries.get_visible(session, principal, code)
    queries.get_visible(session, principal, body.other)
    target = actions.merge(session, principal.actor, code, body.other, version=body.version)
    return request_out(session, target.code)


@router.post("/requests/{code}/link", response_model=RequestOut, summary="Link", responses=WRITE_ERRORS)
def link(code: Code, body: LinkIn, principal: Worker, _csrf: Csrf, session: WriteSession) -> RequestOut:
    """Mark two requests as related, or `other` as a follow-up of `{code}`."""
    queries.get_visible(session, principal, code)
    queries.get_visible(session, principal, body.other)
    actions.link(session, principal.actor, code, body.other, body.kind, version=body.version)
    return request_out(session, code)


@router.post(
    "/requests/{code}/transfer",
    response_model=RequestOut,
    summary="Transfer to a unit",
    responses=WRITE_ERRORS,
)
def transfer(
    code: Code, body: TransferIn, principal: Worker, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """To the unit that settles it, with a summary and a deadline (default: 5 working days of
    that unit). One open transfer at a time (`transfer_pending`)."""
    queries.get_visible(session, principal, code)
    if body.due_at is not None and body.due_at.year > 2100:
        problem = {"loc": ("body", "due_at"), "msg": "quá xa / too far ahead", "type": "less_than_equal"}
        raise RequestValidationError([problem])
    unit_actions.transfer(
        session, principal.actor, code, body.unit, body.summary, due_at=body.due_at, version=body.version
    )
    return request_out(session, code)


@router.post(
    "/requests/{code}/info", response_model=RequestOut, summary="Answer the unit", responses=WRITE_ERRORS
)
def provide_info(
    code: Code, body: ReasonIn, principal: Worker, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """The information the unit asked for; the unit carries on."""
    queries.get_visible(session, principal, code)
    unit_actions.provide_info(session, principal.actor, code, body.text, version=body.version)
    return request_out(session, code)


@router.post(
    "/requests/{code}/escalate", response_model=RequestOut, summary="Escalate", responses=WRITE_ERRORS
)
def escalate(
    request: Request, code: Code, body: EscalateIn, principal: Worker, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """To a supervisor, or to leadership (requests.supervise) with a `summary` of the case and a
    `proposal` for the General Director."""
    if body.level == "leadership" and not principal.has("requests.supervise"):
        raise deny(request, principal, "requests.supervise")
    queries.get_visible(session, principal, code)
    unit_actions.escalate(
        session, principal.actor, code, body.level, body.reason, summary=body.summary, proposal=body.proposal,
        version=body.version,
    )  # fmt: skip
    return request_out(session, code)


@router.post(
    "/requests/{code}/decision",
    response_model=RequestOut,
    summary="Leadership's decision",
    responses=WRITE_ERRORS,
)
def decide(code: Code, body: ReasonIn, principal: Decider, _csrf: Csrf, session: WriteSession) -> RequestOut:
    """On the case submitted to leadership; the agent carries it out."""
    queries.get_visible(session, principal, code)
    unit_actions.decide(session, principal.actor, code, body.text)
    return request_out(session, code)


@router.post(
    "/requests/{code}/complaint/accept",
    response_model=RequestOut,
    summary="Accept a complaint",
    responses=WRITE_ERRORS,
)
def accept_complaint(
    code: Code, body: ComplaintIn, principal: Supervisor, _csrf: Csrf, session: WriteSession
) -> RequestOut:
    """Thụ lý: the settlement deadline runs from now (30 days; 45 if complex; more when remote).
    Again later to change `complex` or `remote`."""
    queries.get_visible(session, principal, code)
    unit_actions.accept_complaint(
        session, principal.actor, code, complex=body.complex, remote=body.remote, version=body.version
    )
    return request_out(session, code)
