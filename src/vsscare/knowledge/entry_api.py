"""JSON API of the Q&A bank: entries, their review workflow, versions, diffs, comments, history.

Reading needs ``knowledge.view``; writing content (create, edit, submit, comment, roll back)
``knowledge.edit``; deciding (approve, request changes, publish, retire, reopen, review)
``knowledge.approve``. Browser sessions echo their CSRF token in ``X-CSRF-Token`` on writes;
API tokens (``Authorization: Bearer vss_…``) need none. Every write is one transaction through
:mod:`vsscare.knowledge.actions`; refusals come back as ``{code, message, message_en, details}``.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.core.errors import AppError, ErrorBody
from vsscare.core.web import read_session, write_session
from vsscare.knowledge import actions, errors
from vsscare.knowledge import entry_queries as queries
from vsscare.knowledge.content import CODE_PATTERN, Audience, Status, Topic
from vsscare.knowledge.entries import entry_dict
from vsscare.knowledge.entry_schemas import (
    MAX_VERSION,
    CommentIn,
    CommentOut,
    DiffOut,
    EntryCreate,
    EntryList,
    EntryOut,
    EntrySummary,
    EntryUpdate,
    EventOut,
    NewComment,
    PublishIn,
    ReasonIn,
    RetireIn,
    ReviewIn,
    ReviewQueueOut,
    RollbackIn,
    VersionDetail,
    VersionOut,
)
from vsscare.knowledge.models import KbEntry

Viewer = Annotated[Principal, Depends(require("knowledge.view"))]
Editor = Annotated[Principal, Depends(require("knowledge.edit"))]
Approver = Annotated[Principal, Depends(require("knowledge.approve"))]
# Declared after the principal, so a caller who is not signed in hears 401 rather than "CSRF".
Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
Flag = Literal["needs_review", "due", "scheduled", "live"]
_CODE = re.compile(CODE_PATTERN)
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


def entry_code(code: Annotated[str, Path(description="The entry's code, e.g. bhtn-001")]) -> str:
    """A code that cannot exist (wrong characters, too long) is simply not found."""
    if len(code) > 64 or not _CODE.match(code):
        raise AppError(errors.ENTRY_NOT_FOUND, code=code[:64])
    return code


Code = Annotated[str, Depends(entry_code)]
Version = Annotated[int, Path(ge=1, le=MAX_VERSION)]


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


READ_ERRORS = {
    401: _error("Not signed in"),
    403: _error("Missing the knowledge.view permission"),
    404: _error("No entry (or version) with this code"),
}
WRITE_ERRORS = {
    401: _error("Not signed in"),
    403: _error("Missing the permission, CSRF token missing, or approving your own version"),
    404: _error("No entry with this code"),
    409: _error("Not possible in the entry's status, retired, or someone saved a newer version"),
    422: _error("Invalid body, unknown or repealed legal basis, missing legal basis"),
}

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])


def entry_out(session: Session, entry: KbEntry) -> EntryOut:
    return EntryOut.of(entry, queries.bases(session, entry.legal_bases))


# -- reading --------------------------------------------------------------------------------------


@router.get("/entries", response_model=EntryList, summary="Search entries", responses=READ_ERRORS)
def list_entries(
    _principal: Viewer,
    session: ReadSession,
    q: Annotated[
        str, Query(max_length=200, pattern=NO_NUL, description="Words, with or without diacritics, or a code")
    ] = "",
    status: Status | None = None,
    topic: Topic | None = None,
    audience: Audience | None = None,
    flag: Annotated[
        Flag | None, Query(description="needs_review, due (review date passed), scheduled, live")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> EntryList:
    """Entries matching every word of ``q`` and the filters, by code."""
    page = queries.search_entries(
        session, q, status=status, topic=topic, audience=audience, flag=flag, limit=limit, offset=offset
    )
    return EntryList(total=page.total, items=[EntrySummary.of(e) for e in page.items])


@router.get(
    "/review-queue", response_model=ReviewQueueOut, summary="What waits for approvers", responses=READ_ERRORS
)
def review_queue(_principal: Viewer, session: ReadSession) -> ReviewQueueOut:
    """Entries to approve, to publish, flagged by a change of law, and past their review date."""
    return ReviewQueueOut.of(queries.review_queue(session))


@router.get("/entries/{code}", response_model=EntryOut, summary="One entry", responses=READ_ERRORS)
def get_entry(code: Code, _principal: Viewer, session: ReadSession) -> EntryOut:
    """The latest version (which may be a draft newer than the live ``published_version``)."""
    return entry_out(session, queries.get_entry(session, code))


@router.get(
    "/entries/{code}/versions", response_model=list[VersionOut], summary="Versions", responses=READ_ERRORS
)
def list_versions(code: Code, _principal: Viewer, session: ReadSession) -> list[VersionOut]:
    """Newest first."""
    entry = queries.get_entry(session, code)
    return [VersionOut.of(row, entry) for row in queries.versions(session, entry)]


@router.get(
    "/entries/{code}/versions/{version}",
    response_model=VersionDetail,
    summary="One version's content",
    responses=READ_ERRORS,
)
def get_version(code: Code, version: Version, _principal: Viewer, session: ReadSession) -> VersionDetail:
    entry = queries.get_entry(session, code)
    return VersionDetail.of(queries.get_version(session, entry, version), entry)


@router.get(
    "/entries/{code}/diff", response_model=DiffOut, summary="Compare two versions", responses=READ_ERRORS
)
def diff(
    code: Code,
    _principal: Viewer,
    session: ReadSession,
    from_version: Annotated[
        int | None,
        Query(
            alias="from", ge=1, le=MAX_VERSION, description="Default: the live version, else the previous one"
        ),
    ] = None,
    to_version: Annotated[
        int | None, Query(alias="to", ge=1, le=MAX_VERSION, description="Default: the latest version")
    ] = None,
) -> DiffOut:
    """The fields that differ, with their old and new text."""
    entry = queries.get_entry(session, code)
    new = to_version or entry.version
    old = from_version
    if old is None:
        live = entry.published_version
        old = live if live and live != new else max(new - 1, 1)

    def snapshot(version: int) -> dict:
        if version == entry.version:
            return entry_dict(entry)
        return dict(queries.get_version(session, entry, version).snapshot)

    return DiffOut.of(old, new, queries.diff(snapshot(old), snapshot(new)))


@router.get(
    "/entries/{code}/comments", response_model=list[CommentOut], summary="Comments", responses=READ_ERRORS
)
def list_comments(code: Code, _principal: Viewer, session: ReadSession) -> list[CommentOut]:
    """Oldest first: remarks, requests for changes, approvals, retirement reasons."""
    entry = queries.get_entry(session, code)
    return [CommentOut.model_validate(c) for c in queries.comments(session, entry)]


@router.get("/entries/{code}/history", response_model=list[EventOut], summary="Events", responses=READ_ERRORS)
def history(code: Code, _principal: Viewer, session: ReadSession) -> list[EventOut]:
    """The entry's events, newest first."""
    entry = queries.get_entry(session, code)
    return [EventOut.of(e) for e in queries.history(session, entry)]


# -- writing content ------------------------------------------------------------------------------


@router.post(
    "/entries", response_model=EntryOut, status_code=201, summary="Create a draft", responses=WRITE_ERRORS
)
def create_entry(body: EntryCreate, principal: Editor, _csrf: Csrf, session: WriteSession) -> EntryOut:
    """A new draft at version 1; ``code`` defaults to the next free ``<topic>-NNN``."""
    try:
        entry = actions.create_entry(session, principal.actor, body.content(), code=body.code, note=body.note)
    except IntegrityError as exc:  # another editor took the same code a moment ago
        raise AppError(errors.CODE_TAKEN, code=body.code or body.topic) from exc
    return entry_out(session, entry)


@router.put("/entries/{code}", response_model=EntryOut, summary="Save a new version", responses=WRITE_ERRORS)
def update_entry(
    code: Code, body: EntryUpdate, principal: Editor, _csrf: Csrf, session: WriteSession
) -> EntryOut:
    """Replace the content; the entry goes back to draft (a published version stays live)."""
    entry = actions.update_entry(
        session, principal.actor, code, body.content(), expected_version=body.expected_version, note=body.note
    )
    return entry_out(session, entry)


@router.post(
    "/entries/{code}/rollback", response_model=EntryOut, summary="Restore a version", responses=WRITE_ERRORS
)
def rollback(code: Code, body: RollbackIn, principal: Editor, _csrf: Csrf, session: WriteSession) -> EntryOut:
    """A new draft version with the content of an earlier one."""
    entry = actions.rollback(session, principal.actor, code, body.version, note=body.note)
    return entry_out(session, entry)


@router.post(
    "/entries/{code}/submit", response_model=EntryOut, summary="Send for approval", responses=WRITE_ERRORS
)
def submit(
    code: Code, principal: Editor, _csrf: Csrf, session: WriteSession, body: CommentIn | None = None
) -> EntryOut:
    entry = actions.submit(session, principal.actor, code, comment=body.comment if body else None)
    return entry_out(session, entry)


@router.post(
    "/entries/{code}/comments",
    response_model=CommentOut,
    status_code=201,
    summary="Comment",
    responses=WRITE_ERRORS,
)
def add_comment(
    code: Code, body: NewComment, principal: Viewer, _csrf: Csrf, session: WriteSession
) -> CommentOut:
    return CommentOut.model_validate(actions.comment(session, principal.actor, code, body.body))


# -- deciding -------------------------------------------------------------------------------------


@router.post("/entries/{code}/approve", response_model=EntryOut, summary="Approve", responses=WRITE_ERRORS)
def approve(
    code: Code, principal: Approver, _csrf: Csrf, session: WriteSession, body: CommentIn | None = None
) -> EntryOut:
    """Four eyes: refused (403 ``kb_self_approval``) to anyone who wrote a version not yet live."""
    entry = actions.approve(session, principal.actor, code, comment=body.comment if body else None)
    return entry_out(session, entry)


@router.post(
    "/entries/{code}/request-changes",
    response_model=EntryOut,
    summary="Send back to the editors",
    responses=WRITE_ERRORS,
)
def request_changes(
    code: Code, body: ReasonIn, principal: Approver, _csrf: Csrf, session: WriteSession
) -> EntryOut:
    entry = actions.request_changes(session, principal.actor, code, body.comment)
    return entry_out(session, entry)


@router.post("/entries/{code}/publish", response_model=EntryOut, summary="Publish", responses=WRITE_ERRORS)
def publish(
    code: Code, principal: Approver, _csrf: Csrf, session: WriteSession, body: PublishIn | None = None
) -> EntryOut:
    """Now, or on the day ``on`` (the entry stays approved with ``publish_on`` until then)."""
    entry = actions.publish(session, principal.actor, code, on=body.on if body else None)
    return entry_out(session, entry)


@router.post("/entries/{code}/retire", response_model=EntryOut, summary="Retire", responses=WRITE_ERRORS)
def retire(code: Code, body: RetireIn, principal: Approver, _csrf: Csrf, session: WriteSession) -> EntryOut:
    """Take the entry out of use: nothing of it stays live."""
    entry = actions.retire(session, principal.actor, code, body.reason)
    return entry_out(session, entry)


@router.post("/entries/{code}/reopen", response_model=EntryOut, summary="Reopen", responses=WRITE_ERRORS)
def reopen(code: Code, principal: Approver, _csrf: Csrf, session: WriteSession) -> EntryOut:
    """A retired entry back as a draft."""
    return entry_out(session, actions.reopen(session, principal.actor, code))


@router.post(
    "/entries/{code}/review", response_model=EntryOut, summary="Mark as reviewed", responses=WRITE_ERRORS
)
def review(
    code: Code, principal: Approver, _csrf: Csrf, session: WriteSession, body: ReviewIn | None = None
) -> EntryOut:
    """Checked against the law in force: clears ``needs_review``, renews ``next_review_at``."""
    entry = actions.mark_reviewed(
        session,
        principal.actor,
        code,
        next_review_at=body.next_review_at if body else None,
        comment=body.comment if body else None,
    )
    return entry_out(session, entry)
