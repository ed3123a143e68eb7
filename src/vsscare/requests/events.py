"""Typed events of a request: its history, from which the console renders the timeline and
reports count. Subject ids are request ids; codes are carried for readers of the raw log."""

from __future__ import annotations

from datetime import datetime

from vsscare.core.events import Event


class _RequestEvent(Event):
    subject = "request"
    code: str


class Created(_RequestEvent):
    type = "request.created"
    channel: str
    request_type: str
    topic: str
    priority: str
    sla_policy: str | None = None


class MessageReceived(_RequestEvent):
    type = "request.message_received"
    message_id: int
    channel: str


class Replied(_RequestEvent):
    type = "request.replied"
    message_id: int
    first_response: bool = False


class Noted(_RequestEvent):
    type = "request.noted"
    message_id: int


class Assigned(_RequestEvent):
    type = "request.assigned"
    assignee: str | None  # username; None: back to the shared queue
    previous: str | None = None
    automatic: bool = False


class Updated(_RequestEvent):
    """Triage: ``changes`` maps each field to ``[old, new]``."""

    type = "request.updated"
    changes: dict[str, list]


class StatusChanged(_RequestEvent):
    type = "request.status_changed"
    old: str
    new: str
    reason: str | None = None


class Transferred(_RequestEvent):
    type = "request.transferred"
    transfer_id: int
    unit: str
    due_at: datetime


class TransferAccepted(_RequestEvent):
    type = "request.transfer_accepted"
    transfer_id: int
    unit: str


class TransferReturned(_RequestEvent):
    type = "request.transfer_returned"
    transfer_id: int
    unit: str
    reason: str


class InfoRequested(_RequestEvent):
    type = "request.info_requested"
    transfer_id: int
    unit: str
    question: str


class InfoProvided(_RequestEvent):
    type = "request.info_provided"
    transfer_id: int
    unit: str
    answer: str


class Settled(_RequestEvent):
    type = "request.settled"
    transfer_id: int
    unit: str
    late: bool = False


class Escalated(_RequestEvent):
    type = "request.escalated"
    escalation_id: int
    level: str
    reason: str
    automatic: bool = False


class Decided(_RequestEvent):
    type = "request.decided"
    escalation_id: int


class Merged(_RequestEvent):
    """Subject: the request merged away; ``into`` is the one that continues."""

    type = "request.merged"
    into: str
    messages: int


class MergedIn(_RequestEvent):
    type = "request.merged_in"
    source: str
    messages: int


class Linked(_RequestEvent):
    type = "request.linked"
    other: str
    kind: str


class Reopened(_RequestEvent):
    type = "request.reopened"
    by_customer: bool = False


class Resolved(_RequestEvent):
    type = "request.resolved"
    late: bool = False


class Closed(_RequestEvent):
    type = "request.closed"
    automatic: bool = False


class SlaWarning(_RequestEvent):
    type = "request.sla_warning"
    target: str  # first_response | resolution | complaint_ack | complaint
    due_at: datetime


class SlaBreached(_RequestEvent):
    type = "request.sla_breached"
    target: str
    due_at: datetime


class ComplaintAccepted(_RequestEvent):
    """The complaint is formally accepted (thụ lý): the settlement period starts."""

    type = "request.complaint_accepted"
    due_at: datetime
    complex: bool
    remote: bool


class CustomerNotified(_RequestEvent):
    type = "request.customer_notified"
    message_id: int
    about: str
