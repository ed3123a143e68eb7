"""JSON API of requests (``/api/v1/requests``), units' queue, agents' own settings and the
customer's status lookup.

Reading needs ``requests.view`` and shows only what the caller may see (one request of another
province or unit: 403 ``request_not_visible``); writing needs ``requests.work``, and more to assign
others, escalate to leadership, accept complaints or decide. Personal data is masked unless
``?unmask=true`` by someone with ``personal_data.unmask``; every such read is audited. Browser
sessions echo their CSRF token in ``X-CSRF-Token`` on writes; API tokens need none. Creating,
replying and noting also take ``multipart/form-data``: the JSON body in a ``data`` field, files in
``files``. Every refusal is ``{code, message, message_en, details}``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import FileResponse

from vsscare.accounts.auth import deny
from vsscare.core import audit, crypto
from vsscare.core.errors import AppError
from vsscare.requests import actions, api_units, api_work, errors, queries
from vsscare.requests.api_common import (
    READ_ERRORS,
    UPLOAD_ERRORS,
    Code,
    Csrf,
    Incoming,
    ReadSession,
    Viewer,
    Worker,
    WriteSession,
    attachment_store,
    body_doc,
    error_doc,
    request_out,
    with_files,
)
from vsscare.requests.api_schemas import (
    MAX_ID,
    EventOut,
    FilterQuery,
    RequestList,
    RequestOut,
    RequestSummary,
    ViewOut,
    personal_fields,
    user_ids,
)
from vsscare.requests.schemas import NewRequest

router = APIRouter(prefix="/api/v1", tags=["requests"])


# -- reading ------------------------------------------------------------------------------------------


@router.get("/requests", response_model=RequestList, summary="Queue with filters", responses=READ_ERRORS)
def list_requests(principal: Viewer, session: ReadSession, f: Annotated[FilterQuery, Query()]) -> RequestList:
    """Requests the caller may see, newest first (or `oldest`, or `due`: nearest deadline), one
    page of `limit` at a time; pass `next_cursor` back as `cursor` for the next page. Unknown
    values of `status`, `channel`, `topic`, `type`, `priority`, `sla` or `sort` are a 422."""
    page = queries.list_requests(session, principal, f.filters(), limit=f.limit, cursor=f.cursor)
    items = [RequestSummary.of(r, page.names, page.units) for r in page.items]
    return RequestList(items=items, next_cursor=page.next_cursor)


@router.get("/requests/views", response_model=list[ViewOut], summary="My saved views", responses=READ_ERRORS)
def list_views(principal: Viewer, session: ReadSession) -> list[ViewOut]:
    """Your saved queue filters, by name."""
    return [
        ViewOut.model_validate(v, from_attributes=True)
        for v in queries.saved_views(session, principal.user_id)
    ]


@router.get(
    "/requests/attachments/{attachment_id}",
    response_class=FileResponse,
    summary="Download an attachment",
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file, as uploaded"},
        401: error_doc("Not signed in"),
        403: error_doc("Missing requests.view"),
        404: error_doc("No such attachment, or on a request you may not see (`attachment_not_found`)"),
    },
)
def download(
    request: Request,
    attachment_id: Annotated[str, Path(description="`id` of an attachment in a request's messages")],
    principal: Viewer,
    session: ReadSession,
) -> Response:
    """Served as a download (`Content-Disposition: attachment`) with the type read from its
    content when it was uploaded. Each download is audited."""
    if not (attachment_id.isascii() and attachment_id.isdigit() and len(attachment_id) < 20):
        raise AppError(errors.ATTACHMENT_NOT_FOUND)
    if not 0 < int(attachment_id) <= MAX_ID:
        raise AppError(errors.ATTACHMENT_NOT_FOUND)
    row, blob = queries.attachment(session, principal, int(attachment_id))
    path = attachment_store(request).path(blob.sha256)
    if not path.is_file():
        raise AppError(errors.ATTACHMENT_NOT_FOUND)
    audit.record_now(
        request.app.state.db, "requests.attachment_download", principal.actor,
        object_type="request_attachment", object_id=row.id, details={"message_id": row.message_id},
    )  # fmt: skip
    headers = {"Content-Disposition": content_disposition(row.filename), "Cache-Control": "private, no-store"}
    return FileResponse(path, media_type=blob.content_type, headers=headers)


def content_disposition(filename: str) -> str:
    """RFC 6266/5987: an ASCII fallback for old clients and the UTF-8 name for the rest."""
    ascii_name = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "", ascii_name).strip() or "tep"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/requests/{code}", response_model=RequestOut, summary="One request", responses=READ_ERRORS)
def get_request(
    request: Request,
    code: Code,
    principal: Viewer,
    session: ReadSession,
    unmask: Annotated[
        bool, Query(description="Show contact name, phone, e-mail unmasked (personal_data.unmask; audited)")
    ] = False,
) -> RequestOut:
    """Fields, SLA targets, complaint deadlines, messages with their attachments (internal notes
    included), transfers, escalations, links and `version` (send it back with writes)."""
    if unmask and not principal.has("personal_data.unmask"):
        raise deny(request, principal, "personal_data.unmask")
    row = queries.get_visible(session, principal, code)
    ring = crypto.keyring(request.app.state.settings) if unmask else None
    out = request_out(session, row.code, unmasked_with=ring)
    if unmask:
        audit.record_now(
            request.app.state.db, "requests.unmask", principal.actor,
            object_type="request", object_id=row.code, details={"fields": personal_fields(row)},
        )  # fmt: skip
    return out


@router.get(
    "/requests/{code}/timeline", response_model=list[EventOut], summary="History", responses=READ_ERRORS
)
def timeline(code: Code, principal: Viewer, session: ReadSession) -> list[EventOut]:
    """Every event of the request, oldest first: what happened, when, by whom, with its data."""
    row = queries.get_visible(session, principal, code)
    history = queries.detail(session, row).history
    names = queries.usernames(session, user_ids([e.actor for e in history]))
    return [EventOut.of(e, names) for e in history]


# -- intake ----------------------------------------------------------------------------------------


@router.post(
    "/requests",
    response_model=RequestOut,
    status_code=201,
    summary="Open a request",
    responses=UPLOAD_ERRORS,
    openapi_extra=body_doc(NewRequest),
)
def create(
    request: Request,
    response: Response,
    principal: Worker,
    _csrf: Csrf,
    body: Annotated[Incoming[NewRequest], Depends(with_files(NewRequest))],
    session: WriteSession,
) -> RequestOut:
    """A request typed by an agent during a call, or passed on by a channel integration, with the
    customer's first message and its files. A channel's retry with the same `external_id` returns
    the request already made. Naming an `assignee` other than yourself needs requests.assign."""
    data = body.data
    others = data.assignee and data.assignee.strip().lower() != principal.username
    if others and not principal.has("requests.assign"):
        raise deny(request, principal, "requests.assign")
    row = actions.create(
        session, principal.actor, data, uploads=body.uploads, store=attachment_store(request),
        ring=crypto.keyring(request.app.state.settings),
    )  # fmt: skip
    response.headers["Location"] = f"/api/v1/requests/{row.code}"
    return request_out(session, row.code)


# Last and in their former order. GET ``/requests/views`` and ``/requests/attachments/…`` stay above
# ``/requests/{code}``, or they would be read as a code; the included POST ``/requests/views`` and
# ``/requests/lookup`` are safe: there is no POST on ``/requests/{code}`` itself.
router.include_router(api_work.router)
router.include_router(api_units.router)
