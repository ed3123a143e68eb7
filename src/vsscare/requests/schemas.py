"""Validated input of the requests domain (shared by API, console forms, channels and the CLI)
and the API's output shapes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from vsscare.core.text import email_address, normalize
from vsscare.knowledge.content import TOPICS

RequestType = Literal["question", "lookup", "complaint", "recommendation", "feedback"]
Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["phone", "web", "form", "email", "facebook", "zalo", "walk_in", "letter"]
Status = Literal["new", "open", "pending_customer", "pending_unit", "resolved", "closed", "reopened"]
Topic = Literal[TOPICS]  # type: ignore[valid-type]
SlaState = Literal["ok", "warning", "breached"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"^[0-9a-z_-]{1,40}$")
CODE_PATTERN = r"^YC-\d{4}-\d{6,9}$"


def clean_text(value: object) -> object:
    """NFC and one tone-mark placement; control characters (NUL breaks PostgreSQL) removed."""
    if not isinstance(value, str):
        return value
    return normalize(_CONTROL.sub("", value)) if "\n" not in value else _multiline(value)


def _multiline(value: str) -> str:
    lines = [normalize(_CONTROL.sub("", line)) for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def phone_e164(value: str) -> str:
    """A Vietnamese phone number in E.164 (+84…); ValueError when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return phone_e164(value)
    except ValueError as exc:
        raise ValueError("số điện thoại không hợp lệ / invalid phone number") from exc


def _email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return email_address(value)


def _tags(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        tag = raw.strip().lower().replace(" ", "-")
        if not _TAG.match(tag):
            raise ValueError(f"nhãn không hợp lệ / invalid tag {raw!r} (a–z, 0–9, - _)")
        if tag not in out:
            out.append(tag)
    return out


def _plain(value: object) -> object:
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError("có ký tự điều khiển / contains a control character")
    return value


def _sane_time(value: datetime | None) -> datetime | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValueError("ngoài khoảng năm 2000–2100 / outside the years 2000–2100")
    return value


Text = Annotated[str, BeforeValidator(clean_text)]
Plain = Annotated[str, BeforeValidator(_plain)]  # identifiers and codes: kept as given, no control chars
Moment = Annotated[datetime, AfterValidator(_sane_time)]
Phone = Annotated[str | None, AfterValidator(_phone)]
Email = Annotated[str | None, AfterValidator(_email)]
Tags = Annotated[list[str], AfterValidator(_tags), Field(max_length=20)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewRequest(_In):
    """A request from a channel's inbox, or typed by an agent during a phone call."""

    channel: Channel
    type: RequestType = "question"
    topic: Topic = "other"
    priority: Priority = "normal"
    subject: Text = Field(min_length=1, max_length=300)
    body: Text = Field(min_length=1, max_length=20_000, description="What the customer said or wrote")
    lang: Literal["vi", "en"] = "vi"
    contact_name: Text | None = Field(None, max_length=200)
    contact_phone: Phone = Field(None, max_length=40)
    contact_email: Email = Field(None, max_length=200)
    customer_id: int | None = Field(None, ge=1, le=2**63 - 1)
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Two-digit province code")
    team: Plain | None = Field(None, max_length=40, description="Code of the unit whose agents work it")
    assignee: Plain | None = Field(None, max_length=60)
    tags: Tags = []
    external_ref: Plain | None = Field(None, max_length=200, description="The channel's conversation id")
    external_id: Plain | None = Field(None, max_length=200, description="The channel's message id")

    @field_validator("subject", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("không được để trống / must not be blank")
        return value


class Body(_In):
    body: Text = Field(min_length=1, max_length=20_000)
    version: int | None = Field(None, ge=1, description="The version you saw; a newer one is a conflict")


class ReplyIn(Body):
    then: Literal["open", "pending_customer", "resolved"] | None = Field(
        None, description="Status to set with the reply (default: open)"
    )


class AssignIn(_In):
    assignee: Plain | None = Field(None, max_length=60, description="Username; null: back to the queue")
    version: int | None = Field(None, ge=1)


class TriageIn(_In):
    topic: Topic | None = None
    type: RequestType | None = None
    priority: Priority | None = None
    subject: Text | None = Field(None, min_length=1, max_length=300)
    province: str | None = Field(None, pattern=r"^(\d{2})?$")
    tags: Tags | None = None
    version: int | None = Field(None, ge=1)


class StatusIn(_In):
    status: Literal["open", "pending_customer"]
    reason: Text | None = Field(None, max_length=2000)
    version: int | None = Field(None, ge=1)


class TransferIn(_In):
    unit: Plain = Field(min_length=1, max_length=40, description="Code of the unit that settles it")
    summary: Text = Field(min_length=1, max_length=10_000, description="The problem, summarised for the unit")
    due_at: Moment | None = Field(None, description="Settlement deadline; default: 5 working days")
    version: int | None = Field(None, ge=1)


class ReasonIn(_In):
    text: Text = Field(min_length=1, max_length=10_000)
    version: int | None = Field(None, ge=1)


class EscalateIn(_In):
    level: Literal["supervisor", "leadership"]
    reason: Text = Field(min_length=1, max_length=2000)
    summary: Text | None = Field(None, max_length=20_000, description="For leadership: the case")
    proposal: Text | None = Field(None, max_length=10_000, description="For leadership: what is proposed")
    version: int | None = Field(None, ge=1)


class ComplaintIn(_In):
    complex: bool = False
    remote: bool = False
    version: int | None = Field(None, ge=1)


class CodeIn(_In):
    other: str = Field(pattern=CODE_PATTERN)
    version: int | None = Field(None, ge=1)


class LinkIn(CodeIn):
    kind: Literal["related", "follow_up"] = "related"


class VersionIn(_In):
    version: int | None = Field(None, ge=1)


class LookupIn(_In):
    code: str = Field(
        min_length=1, max_length=30, description="Anything that is not a code is simply not found"
    )
    phone: Plain = Field(min_length=1, max_length=40)


class PresenceIn(_In):
    presence: Literal["online", "away", "offline"]


class SkillsIn(_In):
    skills: list[Topic] = Field(default_factory=list, max_length=len(TOPICS))
    max_open: int = Field(30, ge=1, le=500)


class ViewIn(_In):
    name: Text = Field(min_length=1, max_length=80)
    filters: dict[str, str] = Field(default_factory=dict, max_length=20)


class FoundOut(BaseModel):
    """What a customer sees of their request on the portal (no staff names, no internal notes)."""

    code: str
    status: str
    status_label: str
    subject: str
    created_at: datetime
    updated_at: datetime
    messages: list[PublicMessage]


class PublicMessage(BaseModel):
    kind: Literal["inbound", "outbound"]
    body: str
    at: datetime


FoundOut.model_rebuild()
