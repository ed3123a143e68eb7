"""What the request API modules share: who may call (permission and CSRF dependencies), the
request code in the path, the documented refusals, bodies checked at the edge (JSON, or a
multipart form with files) and the full request as answered after a write."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from vsscare.accounts.auth import csrf_protect, require
from vsscare.accounts.principal import Principal
from vsscare.core.crypto import Keyring
from vsscare.core.errors import AppError, ErrorBody
from vsscare.core.web import read_session, write_session
from vsscare.requests import actions, errors, queries
from vsscare.requests.api_schemas import RequestOut, refs_of, user_ids
from vsscare.requests.attachments import MAX_FILE, MAX_FILES, MAX_TOTAL, AttachmentStore, Upload, human_size
from vsscare.requests.schemas import CODE_PATTERN

MAX_JSON = 256 * 1024  # the largest valid body (20,000 characters of text) is well below this
_CODE = re.compile(CODE_PATTERN)
M = TypeVar("M", bound=BaseModel)

Viewer = Annotated[Principal, Depends(require("requests.view"))]
Worker = Annotated[Principal, Depends(require("requests.work"))]
Assigner = Annotated[Principal, Depends(require("requests.assign"))]
Supervisor = Annotated[Principal, Depends(require("requests.supervise"))]
Decider = Annotated[Principal, Depends(require("requests.decide"))]
UnitWorker = Annotated[Principal, Depends(require("units.work"))]
# Declared after the principal, so a caller who is not signed in hears 401 rather than "CSRF".
Csrf = Annotated[None, Depends(csrf_protect)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


def _shown(text: str) -> str:
    return "".join(ch for ch in text[:30] if ch.isprintable())


def request_code(code: Annotated[str, Path(description="The request's code, e.g. YC-2026-000123")]) -> str:
    """A code that cannot exist (wrong shape, ``../../etc``) is simply not found."""
    value = code.strip().upper()
    if len(value) > 20 or not _CODE.match(value):
        raise AppError(errors.REQUEST_NOT_FOUND, code=_shown(code))
    return value


Code = Annotated[str, Depends(request_code)]


def error_doc(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


READ_ERRORS = {
    401: error_doc("Not signed in"),
    403: error_doc("Missing the permission (`permission_denied`), or the request belongs to another "
                   "province or unit (`request_not_visible`)"),
    404: error_doc("No request with this code (`request_not_found`)"),
}  # fmt: skip
WRITE_ERRORS = READ_ERRORS | {
    403: error_doc("Missing the permission, CSRF token missing, or another province's request"),
    409: error_doc("Someone changed it since `version` (`request_conflict`), merged into another "
                   "(`request_merged`) or not possible in its status (`request_bad_status`)"),
    422: error_doc("Invalid body (`validation_error`), unknown unit (`request_unit_not_found`) or "
                   "staff member (`request_agent_not_found`), blank text"),
}  # fmt: skip
UPLOAD_ERRORS = WRITE_ERRORS | {
    413: error_doc("A file over 10 MB (`attachment_too_large`), more than 5 files or 25 MB "
                   "(`attachment_too_many`), or a body over 256 kB (`request_body_too_large`)"),
    415: error_doc("A file type that is not accepted, or a name that lies about it (`attachment_type`)"),
}  # fmt: skip
UNIT_ERRORS = WRITE_ERRORS | {
    404: error_doc("No open transfer of this request to your units (`transfer_not_found`)")
}

# -- input at the edge -------------------------------------------------------------------------------


def _validate(model: type[M], raw: str | bytes, loc: tuple) -> M:
    try:
        body = model.model_validate_json(raw)
    except ValidationError as exc:
        problems = [
            e | {"loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(problems) from exc
    return body


@dataclass
class Incoming(Generic[M]):
    data: M
    uploads: list[Upload]


async def _json_body(request: Request) -> bytes:
    """The body, read no further than :data:`MAX_JSON`."""
    too_large = AppError(errors.BODY_TOO_LARGE, limit=f"{MAX_JSON // 1024} kB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared[:12]) > MAX_JSON:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _files(parts: list[UploadFile]) -> list[Upload]:
    """At most MAX_FILE + 1 bytes of each file are read: a huge upload never fills memory."""
    parts = [p for p in parts if p.filename or p.size]  # a form's empty file input
    if len(parts) > MAX_FILES:
        raise AppError(errors.ATTACHMENT_TOO_MANY, limit=MAX_FILES, total=human_size(MAX_TOTAL))
    uploads, total = [], 0
    for part in parts:
        name = part.filename or "tep"
        data = await part.read(MAX_FILE + 1)
        size = max(len(data), part.size or 0)
        await part.close()
        if size > MAX_FILE:
            raise AppError(
                errors.ATTACHMENT_TOO_LARGE,
                name=_shown(name),
                size=human_size(size),
                limit=human_size(MAX_FILE),
            )
        total += size
        if total > MAX_TOTAL:
            raise AppError(errors.ATTACHMENT_TOO_MANY, limit=MAX_FILES, total=human_size(MAX_TOTAL))
        uploads.append(Upload(name, data))
    return uploads


def with_files(model: type[M]) -> Callable:
    """Dependency: ``model`` from a JSON body, or from the ``data`` field of a multipart form with
    its ``files``."""

    async def parse(request: Request) -> Incoming[M]:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return Incoming(_validate(model, await _json_body(request), ("body",)), [])
        form = await request.form(max_files=50, max_fields=20)
        raw = form.get("data")
        if not isinstance(raw, str):
            missing = {"loc": ("body", "data"), "msg": "Field required", "type": "missing"}
            raise RequestValidationError([missing])
        data = _validate(model, raw, ("body", "data"))
        return Incoming(data, await _files([f for f in form.getlist("files") if isinstance(f, UploadFile)]))

    return parse


def body_doc(model: type[BaseModel]) -> dict:
    """OpenAPI of a body taken as JSON or as a form with files."""
    form = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {"type": "string", "description": f"The {model.__name__} body, as JSON"},
            "files": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": "Up to 5 files, 10 MB each, 25 MB in all: PDF, images, Word, Excel, "
                "OpenDocument, plain text; the type is read from the content",
            },
        },
    }
    content = {
        "application/json": {"schema": model.model_json_schema()},
        "multipart/form-data": {"schema": form},
    }
    return {"requestBody": {"required": True, "content": content}}


def attachment_store(request: Request) -> AttachmentStore:
    return AttachmentStore(request.app.state.settings.data_dir / "attachments")


def request_out(session: Session, code: str, unmasked_with: Keyring | None = None) -> RequestOut:
    detail = queries.detail(session, actions.get(session, code))
    return RequestOut.of(detail, queries.usernames(session, user_ids(refs_of(detail))), unmasked_with)
