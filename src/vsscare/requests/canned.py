"""Canned responses: ready texts agents put into replies, with ``{code}`` (the request's code) and
``{name}`` (the customer's name) filled in when used.

Supervisors write them; every change is an audit row (``requests.canned_change``). A response is
deactivated rather than deleted, so a reply that used it still makes sense in the log.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vsscare.core import audit
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.core.text import fold
from vsscare.knowledge.content import explain
from vsscare.requests.models import CannedResponse
from vsscare.requests.schemas import Text, Topic

AUDIT_ACTION = "requests.canned_change"
PLACEHOLDERS = ("code", "name")
CODE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"
_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,40})\}")
FIELDS = ("code", "title", "body", "body_en", "topic")

NOT_FOUND = ErrorCode(
    "canned_not_found", "Không có mẫu trả lời “{code}”.", "There is no canned response “{code}”.", 404
)
CODE_TAKEN = ErrorCode(
    "canned_code_taken",
    "Mã “{code}” đã được dùng cho mẫu trả lời khác; hãy chọn mã khác.",
    "The code “{code}” is already used by another canned response; choose another.",
    409,
)
INVALID = ErrorCode(
    "canned_invalid",
    "Mẫu trả lời chưa hợp lệ ({count} lỗi), ví dụ {first}",
    "The canned response is not valid ({count} problems), e.g. {first}",
    422,
)


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _code(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


class CannedIn(BaseModel):
    """A canned response as a supervisor writes it."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, BeforeValidator(_code), Field(pattern=CODE_PATTERN)]
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=5000)
    body_en: Annotated[Text | None, BeforeValidator(_blank_to_none)] = Field(None, max_length=5000)
    topic: Annotated[Topic | None, BeforeValidator(_blank_to_none)] = None

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("không được để trống / must not be blank")
        return value

    @field_validator("body", "body_en")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        unknown = sorted({p for p in _PLACEHOLDER.findall(value or "") if p not in PLACEHOLDERS})
        if unknown:
            names = ", ".join("{" + p + "}" for p in unknown)
            raise ValueError(
                f"chỉ dùng được {{code}} và {{name}}, không có {names} / only {{code}} and {{name}} "
                f"can be used, not {names}"
            )
        return value


def parse(data: dict[str, Any]) -> CannedIn:
    """Validate a form or API body; one :class:`AppError` lists every problem by field."""
    try:
        return CannedIn.model_validate(data)
    except ValidationError as exc:
        problems = [{"field": f, "reason": r} for f, r in explain(exc)]
        first = f"{problems[0]['field']}: {problems[0]['reason']}"
        raise AppError(INVALID, details={"errors": problems}, count=len(problems), first=first) from exc


def fill(text: str, values: dict[str, str]) -> str:
    """The text with the placeholders of ``values`` replaced; others stay as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# -- reads -----------------------------------------------------------------------------------------


def get(session: Session, code: str) -> CannedResponse:
    row = session.scalar(select(CannedResponse).where(CannedResponse.code == code.strip().lower()))
    if row is None:
        raise AppError(NOT_FOUND, code=code[:40])
    return row


def list_canned(
    session: Session, *, include_inactive: bool = False, topic: str | None = None, q: str = ""
) -> list[CannedResponse]:
    """Active responses (or all), by code; ``topic`` also keeps those for every topic; ``q``
    matches code, title and body with or without diacritics."""
    stmt = select(CannedResponse).order_by(CannedResponse.code)
    if not include_inactive:
        stmt = stmt.where(CannedResponse.is_active.is_(True))
    if topic:
        stmt = stmt.where((CannedResponse.topic == topic) | CannedResponse.topic.is_(None))
    rows = list(session.scalars(stmt))
    words = fold(q).split()
    if words:  # a few hundred rows at most: matched here, folded like the rest of the search
        rows = [r for r in rows if all(w in fold(f"{r.code} {r.title} {r.body}") for w in words)]
    return rows


# -- writes ----------------------------------------------------------------------------------------


def _taken(session: Session, code: str, other_than: int | None = None) -> bool:
    stmt = select(CannedResponse.id).where(CannedResponse.code == code)
    if other_than is not None:
        stmt = stmt.where(CannedResponse.id != other_than)
    return session.scalar(stmt) is not None


def _flush(session: Session, code: str) -> None:
    """Flush, turning a concurrent use of the same code into the same clear error."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise AppError(CODE_TAKEN, code=code) from exc


def create(session: Session, actor: Actor, data: CannedIn) -> CannedResponse:
    if _taken(session, data.code):
        raise AppError(CODE_TAKEN, code=data.code)
    row = CannedResponse(is_active=True, **data.model_dump())
    session.add(row)
    _flush(session, data.code)
    details = {"change": "created", "topic": data.topic}
    audit.record(
        session, AUDIT_ACTION, actor, object_type="canned_response", object_id=row.code, details=details
    )
    return row


def update(session: Session, actor: Actor, code: str, data: CannedIn) -> CannedResponse:
    """New content (and possibly a new code) for a response; nothing recorded when unchanged."""
    row = get(session, code)
    if data.code != row.code and _taken(session, data.code, other_than=row.id):
        raise AppError(CODE_TAKEN, code=data.code)
    new = data.model_dump()
    changed = [f for f in FIELDS if getattr(row, f) != new[f]]
    if not changed:
        return row
    details: dict[str, Any] = {"change": "updated", "fields": changed}
    if "code" in changed:
        details["old_code"] = row.code
    for field in changed:
        setattr(row, field, new[field])
    _flush(session, data.code)
    audit.record(
        session, AUDIT_ACTION, actor, object_type="canned_response", object_id=row.code, details=details
    )
    return row


def set_active(session: Session, actor: Actor, code: str, active: bool) -> CannedResponse:
    row = get(session, code)
    if row.is_active == active:
        return row
    row.is_active = active
    session.flush()
    details = {"change": "activated" if active else "deactivated"}
    audit.record(
        session, AUDIT_ACTION, actor, object_type="canned_response", object_id=row.code, details=details
    )
    return row
