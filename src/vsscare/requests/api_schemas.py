"""Shapes of the requests API: query filters, what a request looks like to staff (personal data
masked unless asked for and allowed), the timeline, unit queues, agents and saved views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, field_validator

from vsscare.core.crypto import Keyring
from vsscare.core.events import EventRecord
from vsscare.requests import contact
from vsscare.requests.labels import PUBLIC_STATUS_LABELS, STATUS_LABELS, label
from vsscare.requests.masking import PERSONAL_FIELDS, mask_email, mask_name, mask_ref
from vsscare.requests.models import AgentProfile, Request, RequestEscalation, RequestMessage, RequestTransfer
from vsscare.requests.queries import MAX_LIMIT, Detail, Filters, UnitItem, valid_cursor
from vsscare.requests.schemas import Channel, Priority, RequestType, SlaState, Status, Topic

MAX_ID = 2**63 - 1  # ids are 64-bit
NO_NUL = r"^[^\x00]*$"
STATUSES: tuple[str, ...] = get_args(Status)


def status_label(status: str, public: bool = False) -> str:
    """In the current language; ``public``: worded for the customer."""
    return label(PUBLIC_STATUS_LABELS if public else STATUS_LABELS, status)


def personal_fields(request: Request) -> list[str]:
    """The personal fields the request holds (the phone is held encrypted)."""
    held = {name: getattr(request, name, None) for name in PERSONAL_FIELDS}
    held["contact_phone"] = request.contact_phone_bi
    return [name for name in PERSONAL_FIELDS if held[name]]


# -- filters -----------------------------------------------------------------------------------------


class FilterQuery(BaseModel):
    """The queue's filters as query parameters (also the content of a saved view)."""

    q: str = Field("", max_length=200, pattern=NO_NUL, description="Words, with or without diacritics")
    status: str | None = Field(
        None, max_length=200, description="Comma-separated: " + ", ".join(STATUSES), examples=["new,open"]
    )
    channel: Channel | None = None
    topic: Topic | None = None  # type: ignore[valid-type]
    type: RequestType | None = None
    priority: Priority | None = None
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Two-digit province code")
    unit: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", description="Transferred to")
    team: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", description="Team unit code")
    assignee: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9._-]{1,59}$", description="A username, `me` or `none`"
    )
    sla: SlaState | None = None
    escalated: bool = False
    tag: str | None = Field(None, pattern=r"^[0-9a-z_-]{1,40}$")
    created_from: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    created_to: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    sort: Literal["newest", "oldest", "due"] = "newest"
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,200}$", description="`next_cursor` of a page")

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        wanted = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise ValueError(f"trạng thái không hợp lệ / unknown status {unknown[0][:30]!r}")
        return ",".join(dict.fromkeys(wanted)) or None

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value is not None and not valid_cursor(value):
            raise ValueError("con trỏ trang không hợp lệ / not a cursor this API gave")
        return value

    def filters(self) -> Filters:
        data = self.model_dump(exclude={"limit", "cursor"})
        data["status"] = tuple(self.status.split(",")) if self.status else ()
        data["q"] = self.q.strip()
        return Filters(**data)


# -- one request ---------------------------------------------------------------------------------------


def display_name(ref: str | None, names: dict[int, str]) -> str | None:
    """``user:12`` → its username; other actors (``system``, ``customer:7``) as they are."""
    if ref and ref.startswith("user:") and ref[5:].isdigit():
        return names.get(int(ref[5:]), ref)
    return ref


def user_ids(refs: list[str | None]) -> set[int | None]:
    return {int(r[5:]) for r in refs if r and r.startswith("user:") and r[5:].isdigit()}


class RequestSummary(BaseModel):
    code: str
    subject: str
    status: str
    status_label: str
    channel: str
    type: str
    topic: str
    priority: str
    province: str | None
    team: str | None = Field(description="Code of the unit whose agents work on it")
    unit: str | None = Field(description="Code of the unit it is transferred to")
    assignee: str | None = Field(description="Username")
    contact_name: str | None = Field(description="Masked unless the full request was read with unmask")
    sla_state: str
    resolution_due: datetime | None
    escalation_level: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def fields_of(cls, r: Request, names: dict[int, str], units: dict[int, str], masked: bool) -> dict:
        return {
            "code": r.code, "subject": r.subject, "status": r.status, "status_label": status_label(r.status),
            "channel": r.channel, "type": r.type, "topic": r.topic, "priority": r.priority,
            "province": r.province_code, "team": units.get(r.team_unit_id) if r.team_unit_id else None,
            "unit": units.get(r.unit_id) if r.unit_id else None,
            "assignee": names.get(r.assignee_id) if r.assignee_id else None,
            "contact_name": mask_name(r.contact_name) if masked else r.contact_name,
            "sla_state": r.sla_state, "resolution_due": r.resolution_due,
            "escalation_level": r.escalation_level, "tags": list(r.tags or []), "created_at": r.created_at,
            "updated_at": r.updated_at, "version": r.version,
        }  # fmt: skip

    @classmethod
    def of(cls, r: Request, names: dict[int, str], units: dict[int, str]) -> RequestSummary:
        return cls(**cls.fields_of(r, names, units, masked=True))


class RequestList(BaseModel):
    items: list[RequestSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class SlaOut(BaseModel):
    policy: str | None
    state: str
    paused: bool = Field(description="Waiting for the customer: the clock stands still")
    paused_since: datetime | None
    paused_seconds: int = Field(description="Working time spent waiting so far")
    first_response_warn: datetime | None
    first_response_due: datetime | None
    first_responded_at: datetime | None
    resolution_warn: datetime | None
    resolution_due: datetime | None

    @classmethod
    def of(cls, r: Request) -> SlaOut:
        return cls(
            policy=r.sla_policy, state=r.sla_state, paused=r.sla_paused_at is not None,
            paused_since=r.sla_paused_at, paused_seconds=r.sla_paused_seconds or 0,
            first_response_warn=r.first_response_warn, first_response_due=r.first_response_due,
            first_responded_at=r.first_responded_at, resolution_warn=r.resolution_warn,
            resolution_due=r.resolution_due,
        )  # fmt: skip


class ComplaintOut(BaseModel):
    """Deadlines under the Law on Complaints: acceptance, then settlement (30/45/60 days)."""

    accepted_at: datetime | None
    ack_due: datetime | None
    due: datetime | None
    complex: bool
    remote: bool


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str
    url: str


class MessageOut(BaseModel):
    id: int
    kind: Literal["inbound", "outbound", "note"] = Field(description="note: internal, never sent")
    channel: str
    author: str | None
    author_name: str | None
    body: str
    delivery: str | None = Field(description="Outbound: queued, sent or failed")
    delivery_error: str | None
    created_at: datetime
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, m: RequestMessage, files: list) -> MessageOut:
        return cls(
            id=m.id, kind=m.kind, channel=m.channel, author=m.author, author_name=m.author_name, body=m.body,
            delivery=m.delivery, delivery_error=m.delivery_error, created_at=m.created_at,
            attachments=[
                AttachmentOut(
                    id=a.id, filename=a.filename, size=b.size, content_type=b.content_type,
                    url=f"/api/v1/requests/attachments/{a.id}",
                )
                for a, b in files
            ],
        )  # fmt: skip


class TransferOut(BaseModel):
    id: int
    unit: str
    status: str
    summary: str
    due_at: datetime
    created_by: str | None
    created_at: datetime
    handler: str | None
    accepted_at: datetime | None
    question: str | None
    reason: str | None
    result: str | None
    closed_at: datetime | None

    @classmethod
    def of(cls, t: RequestTransfer, unit: str, names: dict[int, str]) -> TransferOut:
        return cls(
            id=t.id, unit=unit, status=t.status, summary=t.summary, due_at=t.due_at,
            created_by=display_name(t.created_by, names), created_at=t.created_at,
            handler=display_name(t.handler, names), accepted_at=t.accepted_at, question=t.question,
            reason=t.reason, result=t.result, closed_at=t.closed_at,
        )  # fmt: skip


class EscalationOut(BaseModel):
    id: int
    level: str
    reason: str
    summary: str | None
    proposal: str | None
    created_by: str | None
    created_at: datetime
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, e: RequestEscalation, names: dict[int, str]) -> EscalationOut:
        return cls(
            id=e.id, level=e.level, reason=e.reason, summary=e.summary, proposal=e.proposal,
            created_by=display_name(e.created_by, names), created_at=e.created_at, decision=e.decision,
            decided_by=display_name(e.decided_by, names), decided_at=e.decided_at,
        )  # fmt: skip


class LinkOut(BaseModel):
    kind: str
    code: str
    status: str


class RequestOut(RequestSummary):
    """Everything about one request. Personal data is masked unless ``masked`` is false."""

    masked: bool
    lang: str
    customer_id: int | None
    contact_phone: str | None
    contact_email: str | None
    external_ref: str | None = Field(description="The channel's address of the conversation")
    sla: SlaOut
    complaint: ComplaintOut | None = Field(description="Only for complaints")
    messages: list[MessageOut] = Field(description="Oldest first, internal notes included")
    transfers: list[TransferOut]
    escalations: list[EscalationOut]
    links: list[LinkOut]
    merged_into: str | None = Field(description="The request this one continues in, once merged")
    created_by: str | None
    last_customer_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, d: Detail, names: dict[int, str], unmasked_with: Keyring | None = None) -> RequestOut:
        """Masked, or in clear with the data keys (the caller checks the permission and audits)."""
        r = d.request
        masked = unmasked_with is None
        names = d.names | names
        complaint = None
        if r.type == "complaint":
            complaint = ComplaintOut(
                accepted_at=r.complaint_accepted_at, ack_due=r.complaint_ack_due, due=r.complaint_due,
                complex=r.complaint_complex, remote=r.complaint_remote,
            )  # fmt: skip
        return cls(
            **cls.fields_of(r, names, d.units, masked),
            masked=masked, lang=r.lang, customer_id=r.customer_id,
            contact_phone=r.contact_phone_masked if masked else contact.phone(unmasked_with, r),
            contact_email=mask_email(r.contact_email) if masked else r.contact_email,
            external_ref=mask_ref(r.external_ref) if masked else r.external_ref,
            sla=SlaOut.of(r), complaint=complaint,
            messages=[MessageOut.of(m, d.attachments.get(m.id, [])) for m in d.messages],
            transfers=[TransferOut.of(t, d.units.get(t.unit_id, "?"), names) for t in d.transfers],
            escalations=[EscalationOut.of(e, names) for e in d.escalations],
            links=[LinkOut(kind=k, code=c, status=s) for k, c, s in d.links],
            merged_into=d.merged_into, created_by=display_name(r.created_by, names),
            last_customer_at=r.last_customer_at, resolved_at=r.resolved_at, closed_at=r.closed_at,
        )  # fmt: skip


def refs_of(d: Detail) -> list[str | None]:
    """Actor references shown by name in a request's detail."""
    return [
        *(t.created_by for t in d.transfers),
        *(t.handler for t in d.transfers),
        *(e.created_by for e in d.escalations),
        *(e.decided_by for e in d.escalations),
        d.request.created_by,
    ]


class EventOut(BaseModel):
    type: str
    at: datetime
    actor: str | None = Field(description="user:12, system, customer:7 …")
    actor_name: str | None
    data: dict

    @classmethod
    def of(cls, e: EventRecord, names: dict[int, str]) -> EventOut:
        return cls(
            type=e.type, at=e.occurred_at, actor=e.actor, actor_name=display_name(e.actor, names), data=e.data
        )


# -- units, agents, views --------------------------------------------------------------------------------


class UnitQueueItem(BaseModel):
    unit: str
    transfer: TransferOut
    request: RequestSummary

    @classmethod
    def of(cls, item: UnitItem, names: dict[int, str], units: dict[int, str]) -> UnitQueueItem:
        return cls(
            unit=item.unit_code,
            transfer=TransferOut.of(item.transfer, item.unit_code, names),
            request=RequestSummary.of(item.request, names, units),
        )


class UnitQueueOut(BaseModel):
    items: list[UnitQueueItem] = Field(description="Nearest deadline first")


class AgentOut(BaseModel):
    username: str
    presence: str
    seen_at: datetime | None
    skills: list[str] = Field(description="Topics handled; empty: every topic")
    max_open: int

    @classmethod
    def of(cls, username: str, p: AgentProfile) -> AgentOut:
        return cls(
            username=username, presence=p.presence or "offline", seen_at=p.seen_at,
            skills=list(p.skills or []), max_open=p.max_open or 30,
        )  # fmt: skip


class ViewOut(BaseModel):
    id: int
    name: str
    filters: dict[str, Any] = Field(description="Query parameters of `GET /requests`")
    created_at: datetime
