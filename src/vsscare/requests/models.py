"""Requests (tickets), their messages and attachments, transfers to units, escalations, links,
SLA policies, agents' skills and presence, saved views and canned responses.

A request's history is its event log (``subject_type = "request"``); the columns here are the
current state that queues filter and sort on. ``version`` guards concurrent edits: every change
bumps it, and an update that started from an older version is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from vsscare.core.db import Base, BigId, JsonData, UTCDateTime, utcnow

TYPES = ("question", "lookup", "complaint", "recommendation", "feedback")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending_customer", "pending_unit", "resolved", "closed", "reopened")
# Statuses in which someone still owes the customer something.
ACTIVE = ("new", "open", "pending_customer", "pending_unit", "reopened")
ACTIVE_SQL = "status IN ('new', 'open', 'pending_customer', 'pending_unit', 'reopened')"
CHANNELS = ("phone", "web", "form", "email", "facebook", "zalo", "walk_in", "letter")
MESSAGE_KINDS = ("inbound", "outbound", "note")
TRANSFER_STATUSES = ("pending", "accepted", "info_requested", "returned", "settled", "cancelled")
SLA_STATES = ("ok", "warning", "breached")
ESCALATION_LEVELS = ("supervisor", "leadership")


class Request(Base):
    __tablename__ = "requests"
    # Queues read "filter … ORDER BY id DESC LIMIT n" (keyset) straight off these indexes.
    __table_args__ = (
        Index("ix_requests_status_id", "status", "id"),
        Index("ix_requests_assignee_status_id", "assignee_id", "status", "id"),
        Index("ix_requests_province_status_id", "province_code", "status", "id"),
        Index("ix_requests_unit_status_id", "unit_id", "status", "id"),
        Index("ix_requests_team_status_id", "team_unit_id", "status", "id"),
        Index("ix_requests_topic_status_id", "topic", "status", "id"),
        Index("ix_requests_channel_id", "channel", "id"),
        Index("ix_requests_type_id", "type", "id"),
        Index("ix_requests_customer_id", "customer_id", "id"),
        Index("ix_requests_contact_phone_bi_id", "contact_phone_bi", "id"),
        Index("ix_requests_sla_state_due", "sla_state", "resolution_due"),
        # "Overdue" and "due soon" queues of requests still open, whatever the table's size.
        Index(
            "ix_requests_active_sla_id",
            "sla_state",
            "id",
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        # The "nearest deadline" order of open requests.
        Index(
            "ix_requests_active_due_id",
            "resolution_due",
            "id",
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_requests_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # YC-2026-000123
    channel: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="new")
    subject: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    # Who asked: a customer record (customers domain) or an anonymous contact.
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    # Encrypted, blind-indexed and masked (``requests.contact``): never stored in clear.
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)
    contact_phone_bi: Mapped[str | None] = mapped_column(String(32))
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # The channel's own address of the conversation (e-mail thread, Zalo user, chat session).
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    province_code: Mapped[str | None] = mapped_column(String(8))
    team_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # transferred to
    tags: Mapped[list[str]] = mapped_column(JsonData, default=list)
    # SLA (working hours of the team's unit), paused while waiting for the customer.
    sla_policy: Mapped[str | None] = mapped_column(String(40))
    first_response_warn: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_warn: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    sla_state: Mapped[str] = mapped_column(String(10), default="ok")
    sla_marks: Mapped[list[str]] = mapped_column(JsonData, default=list)  # "resolution:warning", …
    # Complaints (Law on Complaints 02/2011/QH13): acceptance and settlement deadlines, in days.
    complaint_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    complaint_ack_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    complaint_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    complaint_complex: Mapped[bool] = mapped_column(Boolean, default=False)
    complaint_remote: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_level: Mapped[str | None] = mapped_column(String(12))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_customer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RequestCounter(Base):
    """The last number given in a year: codes are YC-<year>-<number>, never reused."""

    __tablename__ = "request_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class RequestMessage(Base):
    __tablename__ = "request_messages"
    __table_args__ = (
        Index("ix_request_messages_request", "request_id", "id"),
        # A provider's retry of the same message is found and ignored.
        UniqueConstraint("channel", "external_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    merged_from_id: Mapped[int | None] = mapped_column(BigInteger)  # the request it came from
    kind: Mapped[str] = mapped_column(String(10))  # inbound | outbound | note
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(80))  # actor ref
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Outbound only: queued → sent | failed (the channel's outbox job reports back).
    delivery: Mapped[str | None] = mapped_column(String(10))
    delivery_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttachmentBlob(Base):
    """File content, stored once under ``data_dir/attachments`` by its SHA-256."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))  # as detected from the content
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestAttachment(Base):
    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("request_messages.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(200))


class RequestSearch(Base):
    """Folded text of a request (subject, contact, customer messages) for full-text search.

    SQLite indexes it with an FTS5 table kept in step by triggers, PostgreSQL with a GIN index
    over ``to_tsvector('simple', body)``; both are made by the migration, not declared here.
    """

    __tablename__ = "request_search"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class RequestTransfer(Base):
    """The request sent to a unit that settles it: its summary, deadline and the unit's work."""

    __tablename__ = "request_transfers"
    __table_args__ = (Index("ix_request_transfers_unit_status", "unit_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    summary: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handler: Mapped[str | None] = mapped_column(String(80))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question: Mapped[str | None] = mapped_column(Text)  # what the unit asked for
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned
    result: Mapped[str | None] = mapped_column(Text)  # the settlement
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequestEscalation(Base):
    __tablename__ = "request_escalations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))  # supervisor | leadership
    reason: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)  # for leadership: the case put to the General Director
    proposal: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequestLink(Base):
    """Two related requests; stored once with the smaller id first."""

    __tablename__ = "request_links"

    low_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    high_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(12), default="related")  # related | merged | follow_up
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlaPolicy(Base):
    """Targets for requests matching a type, priority and channel (empty = any); the most
    specific active policy wins, then the lowest ``sort_order``."""

    __tablename__ = "sla_policies"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(20))
    first_response_hours: Mapped[float | None] = mapped_column(Float)  # working hours
    resolution_hours: Mapped[float] = mapped_column(Float)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)  # warn once this much has elapsed
    escalate_to: Mapped[str | None] = mapped_column(String(12))  # on breach: supervisor | leadership
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgentProfile(Base):
    """What an agent handles (topics) and whether they take requests now."""

    __tablename__ = "agent_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skills: Mapped[list[str]] = mapped_column(JsonData, default=list)  # topics; empty: every topic
    max_open: Mapped[int] = mapped_column(Integer, default=30)
    presence: Mapped[str] = mapped_column(String(10), default="offline")  # online | away | offline
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SavedView(Base):
    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    filters: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedResponse(Base):
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
