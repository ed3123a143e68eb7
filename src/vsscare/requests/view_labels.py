"""How the agent workspace shows a request: names of codes, badges, SLA deadlines with their
state as of now, ages, and the customer's contact masked for staff without the unmask permission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vsscare.core.i18n import _
from vsscare.knowledge.content import TOPICS
from vsscare.requests import labels as names
from vsscare.requests import sla
from vsscare.requests.attachments import human_size
from vsscare.requests.masking import national_phone
from vsscare.requests.models import CHANNELS, PRIORITIES, SLA_STATES, STATUSES, TYPES, Request

STATUS_BADGE = {
    "new": "info",
    "open": "info",
    "reopened": "warning",
    "pending_customer": "neutral",
    "pending_unit": "neutral",
    "resolved": "success",
    "closed": "neutral",
}
PRIORITY_BADGE = {"low": "neutral", "normal": "neutral", "high": "warning", "urgent": "danger"}
SLA_BADGE = {"ok": "success", "warning": "warning", "breached": "danger", "done": "neutral", "paused": "info"}
CHANNEL_ICON = {  # characters every Vietnamese-capable font has (no colour emoji on office PCs)
    "phone": "☎",
    "web": "⌨",
    "form": "✎",
    "email": "✉",
    "facebook": "f",
    "zalo": "Z",
    "walk_in": "⌂",
    "letter": "✍",
}
_RANK = {"ok": 0, "warning": 1, "breached": 2}


class Labels:
    """Names of the domain's codes in the current language, handed to templates as ``rq``."""

    statuses = STATUSES
    channels = CHANNELS
    types = TYPES
    priorities = PRIORITIES
    topics = TOPICS
    sla_states = SLA_STATES
    status_badge = STATUS_BADGE
    priority_badge = PRIORITY_BADGE
    sla_badge = SLA_BADGE
    channel_icon = CHANNEL_ICON
    size = staticmethod(human_size)

    @staticmethod
    def status(code: str) -> str:
        return names.label(names.STATUS_LABELS, code)

    @staticmethod
    def channel(code: str) -> str:
        return names.label(names.CHANNEL_LABELS, code)

    @staticmethod
    def type(code: str) -> str:
        return names.label(names.TYPE_LABELS, code)

    @staticmethod
    def priority(code: str) -> str:
        return names.label(names.PRIORITY_LABELS, code)

    @staticmethod
    def topic(code: str) -> str:
        return names.label(names.TOPIC_LABELS, code)

    @staticmethod
    def sla(code: str) -> str:
        extra = {"done": _("Đã đáp ứng"), "paused": _("Tạm dừng, chờ khách hàng")}
        return extra.get(code) or names.label(names.SLA_LABELS, code)

    @staticmethod
    def transfer(code: str) -> str:
        return names.label(names.TRANSFER_LABELS, code)

    @staticmethod
    def delivery(code: str | None) -> str:
        return {
            "queued": _("Đang chờ gửi"),
            "sent": _("Đã gửi"),
            "portal": _("Trên cổng thông tin"),
            "failed": _("Gửi lỗi"),
        }.get(code or "", code or "")

    @staticmethod
    def level(code: str | None) -> str:
        return {"supervisor": _("Giám sát viên"), "leadership": _("Lãnh đạo")}.get(code or "", code or "")

    @staticmethod
    def link_kind(code: str) -> str:
        return {"related": _("Liên quan"), "merged": _("Đã gộp"), "follow_up": _("Yêu cầu tiếp theo")}.get(
            code, code
        )


# -- time -------------------------------------------------------------------------------------------


def age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return _("%(n)d phút") % {"n": max(1, seconds // 60)}
    if seconds < 48 * 3600:
        return _("%(n)d giờ") % {"n": seconds // 3600}
    return _("%(n)d ngày") % {"n": seconds // 86400}


def _state(now: datetime, warn: datetime | None, due: datetime) -> str:
    if now >= due:
        return "breached"
    if warn is not None and now >= warn:
        return "warning"
    return "ok"


def live_state(request: Request, now: datetime) -> str:
    """The SLA state as of now: what the checks recorded, or worse when a checkpoint has passed
    that the worker has not handled yet."""
    state = request.sla_state if request.sla_state in _RANK else "ok"
    for point in sla.checkpoints(request):
        if point.at <= now and _RANK[point.stage] > _RANK[state]:
            state = point.stage
    return state


def next_due(request: Request) -> datetime | None:
    return sla.due_soonest(request)


@dataclass(frozen=True)
class Deadline:
    name: str
    due: datetime
    state: str  # ok | warning | breached | done | paused
    done_at: datetime | None = None


def deadlines(request: Request, now: datetime) -> list[Deadline]:
    """The request's running and met targets, for its page header."""
    out: list[Deadline] = []
    finished = request.status in ("resolved", "closed")
    paused = request.sla_paused_at is not None
    if request.first_response_due:
        if request.first_responded_at:
            state = "done"
        else:
            state = (
                "paused" if paused else _state(now, request.first_response_warn, request.first_response_due)
            )
        out.append(
            Deadline(_("Phản hồi đầu tiên"), request.first_response_due, state, request.first_responded_at)
        )
    if request.resolution_due:
        if finished:
            state = "done"
        else:
            state = "paused" if paused else _state(now, request.resolution_warn, request.resolution_due)
        out.append(Deadline(_("Giải quyết xong"), request.resolution_due, state, request.resolved_at))
    if request.type == "complaint":
        warn = timedelta(days=sla.COMPLAINT_WARN_DAYS)
        if request.complaint_accepted_at is None and request.complaint_ack_due:
            due = request.complaint_ack_due
            out.append(Deadline(_("Thụ lý khiếu nại"), due, _state(now, due - warn, due)))
        elif request.complaint_accepted_at is not None:
            out.append(
                Deadline(
                    _("Thụ lý khiếu nại"),
                    request.complaint_accepted_at,
                    "done",
                    request.complaint_accepted_at,
                )
            )
        if request.complaint_due:
            due = request.complaint_due
            state = "done" if finished else _state(now, due - warn, due)
            out.append(Deadline(_("Giải quyết khiếu nại"), due, state, request.resolved_at))
    return out


# -- personal data ------------------------------------------------------------------------------------


def spaced_phone(e164: str | None) -> str:
    digits = national_phone(e164)
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return digits
