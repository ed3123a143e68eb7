"""A request's timeline for its console page: the event log (``queries.detail(...).history``)
interleaved with the messages the events point at.

Events that carry a message (received, replied, noted, customer notified) become that message;
messages no event of this request points at (moved here by a merge) are placed by their time.
Every other event is one line with what happened, who did it and the details worth reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vsscare.core.events import EventRecord
from vsscare.core.i18n import _
from vsscare.requests.models import RequestMessage
from vsscare.requests.queries import Detail
from vsscare.requests.view_labels import Labels

MESSAGE_EVENTS = {
    "request.message_received",
    "request.replied",
    "request.noted",
    "request.customer_notified",
}


@dataclass
class Entry:
    at: datetime
    kind: str  # message | event
    css: str  # inbound | outbound | notice | note | transfer | escalation | sla | merge | link | status | …
    title: str
    actor: str = ""
    text: str | None = None
    due: datetime | None = None
    code: str | None = None  # another request named by the event (merge, link)
    message: RequestMessage | None = None
    files: list[Any] = field(default_factory=list)
    note: str | None = None  # small print: who typed a phone call in, delivery error, …


def who(ref: str | None, names: dict[str, str]) -> str:
    if not ref:
        return ""
    if ref in names:
        return names[ref]
    kind = ref.partition(":")[0]
    if kind == "system":
        return _("Hệ thống")
    if kind == "customer":
        return _("Khách hàng")
    return ref


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _message_entry(message: RequestMessage, detail: Detail, names: dict[str, str]) -> Entry:
    files = detail.attachments.get(message.id, [])
    typed_by = None
    if message.kind == "inbound":
        css, title, actor = "inbound", _("Khách hàng"), ""
        if message.author and message.author.startswith("user:"):
            typed_by = _("Ghi nhận qua %(channel)s bởi %(name)s") % {
                "channel": Labels.channel(message.channel).lower(),
                "name": who(message.author, names) or message.author_name or "",
            }
    elif message.kind == "note":
        css, title = "note", _("Ghi chú nội bộ")
        actor = names.get(message.author or "") or message.author_name or who(message.author, names)
    elif (message.author or "").partition(":")[0] == "system":
        css, title, actor = "notice", _("Thông báo tự động cho khách hàng"), _("Hệ thống")
    else:
        css, title = "outbound", _("Trả lời khách hàng")
        actor = names.get(message.author or "") or message.author_name or who(message.author, names)
    if message.delivery == "failed" and message.delivery_error:
        typed_by = message.delivery_error
    return Entry(
        message.created_at, "message", css, title, actor or "", message=message, files=files, note=typed_by
    )


def _changes(changes: dict[str, list]) -> str:
    shown = {
        "topic": (_("Chủ đề"), Labels.topic),
        "type": (_("Loại"), Labels.type),
        "priority": (_("Mức ưu tiên"), Labels.priority),
        "subject": (_("Tiêu đề"), str),
        "province": (_("Tỉnh"), str),
        "tags": (_("Nhãn"), lambda v: ", ".join(v) if isinstance(v, list) else str(v)),
    }
    parts = []
    for name, pair in changes.items():
        label, fmt = shown.get(name, (name, str))
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        parts.append(f"{label}: {fmt(old) if old else '—'} → {fmt(new) if new else '—'}")
    return "; ".join(parts)


def _event_entry(record: EventRecord, detail: Detail, names: dict[str, str]) -> Entry:
    d = record.data or {}
    kind = record.type.removeprefix("request.")
    entry = Entry(record.occurred_at, "event", "status", kind, who(record.actor, names))
    transfers = {t.id: t for t in detail.transfers}
    escalations = {e.id: e for e in detail.escalations}
    if kind == "created":
        entry.title = _("Tạo yêu cầu qua kênh %(channel)s") % {
            "channel": Labels.channel(d.get("channel", ""))
        }
        entry.text = " · ".join(
            [Labels.type(d.get("request_type", "")), Labels.topic(d.get("topic", "")),
             Labels.priority(d.get("priority", ""))]
        )  # fmt: skip
    elif kind == "assigned":
        entry.css = "assign"
        if d.get("assignee"):
            entry.title = _("Phân công cho %(name)s") % {"name": d["assignee"]}
        else:
            entry.title = _("Trả về hàng chờ chung")
        if d.get("automatic"):
            entry.note = _("Phân công tự động")
    elif kind == "updated":
        entry.title, entry.text = _("Cập nhật phân loại"), _changes(d.get("changes") or {})
    elif kind == "status_changed":
        entry.title = _("Trạng thái: %(old)s → %(new)s") % {
            "old": Labels.status(d.get("old", "")),
            "new": Labels.status(d.get("new", "")),
        }
        entry.note = d.get("reason")
    elif kind == "transferred":
        entry.css, entry.due = "transfer", _when(d.get("due_at"))
        entry.title = _("Chuyển đơn vị %(unit)s giải quyết") % {"unit": d.get("unit", "")}
        row = transfers.get(d.get("transfer_id"))
        entry.text = row.summary if row else None
    elif kind == "transfer_accepted":
        entry.css, entry.title = "transfer", _("%(unit)s đã tiếp nhận") % {"unit": d.get("unit", "")}
    elif kind == "transfer_returned":
        entry.css, entry.title = "transfer", _("%(unit)s trả lại yêu cầu") % {"unit": d.get("unit", "")}
        entry.text = d.get("reason")
    elif kind == "info_requested":
        entry.css, entry.title = (
            "unit-question",
            _("%(unit)s hỏi thêm thông tin") % {"unit": d.get("unit", "")},
        )
        entry.text = d.get("question")
    elif kind == "info_provided":
        entry.css, entry.title = "unit-answer", _("Trả lời đơn vị %(unit)s") % {"unit": d.get("unit", "")}
        entry.text = d.get("answer")
    elif kind == "settled":
        entry.css, entry.title = "transfer", _("%(unit)s đã giải quyết xong") % {"unit": d.get("unit", "")}
        entry.note = _("Quá hạn đơn vị") if d.get("late") else None
    elif kind == "escalated":
        entry.css = "escalation"
        entry.title = _("Báo cáo lên %(level)s") % {"level": Labels.level(d.get("level"))}
        row = escalations.get(d.get("escalation_id"))
        entry.text = d.get("reason")
        if row is not None and row.summary:
            summary, proposal = _("Tóm tắt"), _("Đề xuất")
            entry.text = f"{d.get('reason', '')}\n{summary}: {row.summary}\n{proposal}: {row.proposal or ''}"
        entry.note = _("Tự động khi quá hạn") if d.get("automatic") else None
    elif kind == "decided":
        entry.css, entry.title = "escalation", _("Lãnh đạo đã quyết định")
        row = escalations.get(d.get("escalation_id"))
        entry.text = row.decision if row else None
    elif kind == "merged":
        entry.css, entry.code = "merge", d.get("into")
        entry.title = _("Đã gộp vào %(code)s") % {"code": d.get("into", "")}
    elif kind == "merged_in":
        entry.css, entry.code = "merge", d.get("source")
        entry.title = _("Gộp %(code)s vào yêu cầu này (%(n)s tin nhắn)") % {
            "code": d.get("source", ""),
            "n": d.get("messages", 0),
        }
    elif kind == "linked":
        entry.css, entry.code = "link", d.get("other")
        entry.title = _("Liên kết với %(code)s (%(kind)s)") % {
            "code": d.get("other", ""),
            "kind": Labels.link_kind(d.get("kind", "")).lower(),
        }
    elif kind == "reopened":
        entry.title = (
            _("Khách hàng phản hồi, mở lại yêu cầu") if d.get("by_customer") else _("Mở lại yêu cầu")
        )
    elif kind == "resolved":
        entry.css, entry.title = "resolved", _("Đã giải quyết")
        entry.note = _("Quá hạn giải quyết") if d.get("late") else None
    elif kind == "closed":
        entry.title = _("Tự động đóng") if d.get("automatic") else _("Đã đóng")
    elif kind in ("sla_warning", "sla_breached"):
        entry.css = "sla-warning" if kind == "sla_warning" else "sla-breached"
        target = {
            "first_response": _("phản hồi đầu tiên"),
            "resolution": _("giải quyết"),
            "complaint_ack": _("thụ lý khiếu nại"),
            "complaint": _("giải quyết khiếu nại"),
        }.get(d.get("target", ""), d.get("target", ""))
        template = _("Sắp đến hạn %(target)s") if kind == "sla_warning" else _("Quá hạn %(target)s")
        entry.title, entry.due = template % {"target": target}, _when(d.get("due_at"))
    elif kind == "complaint_accepted":
        entry.css, entry.due = "escalation", _when(d.get("due_at"))
        entry.title = _("Thụ lý khiếu nại")
        flags = [_("phức tạp")] if d.get("complex") else []
        flags += [_("vùng sâu, vùng xa")] if d.get("remote") else []
        entry.note = ", ".join(flags) or None
    elif kind in ("message_received", "replied", "noted", "customer_notified"):
        entry.css = "merge"
        entry.title = _("Tin nhắn đã chuyển sang yêu cầu %(code)s") % {"code": detail.merged_into or ""}
        entry.code = detail.merged_into
    return entry


def build(detail: Detail, names: dict[str, str]) -> list[Entry]:
    """Oldest first, as a conversation reads: in the order of the event log, with messages no
    event of this request points at slotted in by their time."""
    messages = {m.id: m for m in detail.messages}
    shown: set[int] = set()
    items: list[Entry] = []
    for record in detail.history:
        message_id = (record.data or {}).get("message_id")
        if record.type in MESSAGE_EVENTS and message_id in messages:
            if message_id not in shown:
                shown.add(message_id)
                entry = _message_entry(messages[message_id], detail, names)
                if record.type == "request.replied" and not entry.actor:
                    entry.actor = who(record.actor, names)
                items.append(entry)
            continue
        items.append(_event_entry(record, detail, names))
    for message in detail.messages:
        if message.id not in shown:
            entry = _message_entry(message, detail, names)
            at = next((i for i, item in enumerate(items) if item.at > entry.at), len(items))
            items.insert(at, entry)
    return items
