"""Vietnamese and English names of the requests domain's codes (statuses, types, channels, …).

``label(STATUS_LABELS, "pending_unit")`` gives the name in the current language; topics use the
Q&A bank's :data:`vsscare.knowledge.content.TOPIC_LABELS`.
"""

from __future__ import annotations

from vsscare.knowledge.content import TOPIC_LABELS, label

STATUS_LABELS = {
    "new": ("Mới", "New"),
    "open": ("Đang xử lý", "Open"),
    "pending_customer": ("Chờ khách hàng", "Waiting for the customer"),
    "pending_unit": ("Chờ đơn vị", "With a unit"),
    "resolved": ("Đã giải quyết", "Resolved"),
    "closed": ("Đã đóng", "Closed"),
    "reopened": ("Mở lại", "Reopened"),
}
# What a customer reads: the same, but worded for them.
PUBLIC_STATUS_LABELS = STATUS_LABELS | {
    "new": ("Đã tiếp nhận", "Received"),
    "open": ("Đang xử lý", "Being handled"),
    "pending_customer": ("Chờ Quý khách bổ sung thông tin", "Waiting for more information from you"),
    "pending_unit": ("Đang được cơ quan BHXH giải quyết", "Being settled by the social insurance office"),
}
TYPE_LABELS = {
    "question": ("Hỏi đáp", "Question"),
    "lookup": ("Tra cứu thông tin cá nhân", "Personal lookup"),
    "complaint": ("Khiếu nại", "Complaint"),
    "recommendation": ("Kiến nghị", "Recommendation"),
    "feedback": ("Góp ý, phản ánh", "Feedback"),
}
PRIORITY_LABELS = {
    "low": ("Thấp", "Low"),
    "normal": ("Bình thường", "Normal"),
    "high": ("Cao", "High"),
    "urgent": ("Khẩn cấp", "Urgent"),
}
CHANNEL_LABELS = {
    "phone": ("Điện thoại", "Phone"),
    "web": ("Trò chuyện trên web", "Web chat"),
    "form": ("Biểu mẫu web", "Web form"),
    "email": ("Thư điện tử", "E-mail"),
    "facebook": ("Facebook", "Facebook"),
    "zalo": ("Zalo", "Zalo"),
    "walk_in": ("Trực tiếp", "In person"),
    "letter": ("Văn bản, thư", "Letter"),
}
SLA_LABELS = {
    "ok": ("Trong hạn", "On time"),
    "warning": ("Sắp đến hạn", "Due soon"),
    "breached": ("Quá hạn", "Overdue"),
}
TRANSFER_LABELS = {
    "pending": ("Chờ tiếp nhận", "Waiting"),
    "accepted": ("Đang giải quyết", "Accepted"),
    "info_requested": ("Cần bổ sung thông tin", "Information requested"),
    "returned": ("Đã trả lại", "Returned"),
    "settled": ("Đã giải quyết", "Settled"),
    "cancelled": ("Đã hủy", "Cancelled"),
}

# What was refused, for "cannot be …" messages.
ACTION_LABELS = {
    "reply": ("trả lời", "answered"),
    "assign": ("phân công", "assigned"),
    "update": ("cập nhật", "updated"),
    "status": ("đổi trạng thái", "moved to another status"),
    "resolve": ("đánh dấu đã giải quyết", "resolved"),
    "reopen": ("mở lại", "reopened"),
    "close": ("đóng", "closed"),
    "merge": ("gộp", "merged"),
    "transfer": ("chuyển đơn vị", "transferred"),
    "escalate": ("báo cáo lên cấp trên", "escalated"),
    "complaint": ("thụ lý khiếu nại", "accepted as a complaint"),
    "accept": ("tiếp nhận", "accepted"),
    "return": ("trả lại", "returned"),
    "ask_info": ("yêu cầu bổ sung thông tin", "asked for information"),
    "provide_info": ("bổ sung thông tin", "given more information"),
    "settle": ("trả kết quả giải quyết", "settled"),
}


def both(labels: dict[str, tuple[str, str]], code: str) -> tuple[str, str]:
    """(Vietnamese, English) names of a code, for error messages that carry both."""
    return labels.get(code, (code, code))


__all__ = [
    "ACTION_LABELS",
    "CHANNEL_LABELS",
    "PRIORITY_LABELS",
    "PUBLIC_STATUS_LABELS",
    "SLA_LABELS",
    "STATUS_LABELS",
    "TOPIC_LABELS",
    "TRANSFER_LABELS",
    "TYPE_LABELS",
    "both",
    "label",
]
