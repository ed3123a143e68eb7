"""What the customer is told when their request changes, in their language.

Plain text short enough for an SMS or a Zalo message; ``{code}`` is always included so the
customer can look the request up on the portal.
"""

from __future__ import annotations

NOTICES: dict[str, tuple[str, str]] = {
    "created": (
        "BHXH Việt Nam đã tiếp nhận yêu cầu của Quý khách, mã {code}. Quý khách tra cứu tình trạng trên "
        "Cổng thông tin bằng mã này và số điện thoại đã cung cấp.",
        "Vietnam Social Security has received your request, code {code}. Look up its status on the "
        "portal with this code and the phone number you gave.",
    ),
    "transferred": (
        "Yêu cầu {code} đã được chuyển đến {unit} để giải quyết, dự kiến trước {due}.",
        "Request {code} was passed to {unit} for settlement, expected by {due}.",
    ),
    "resolved": (
        "Yêu cầu {code} đã được giải quyết. Nếu chưa rõ, Quý khách phản hồi trong {days} ngày để được "
        "tiếp tục hỗ trợ.",
        "Request {code} has been resolved. If anything is unclear, reply within {days} days and we will "
        "continue.",
    ),
    "complaint_accepted": (
        "Khiếu nại {code} đã được thụ lý; thời hạn giải quyết đến hết ngày {due}.",
        "Complaint {code} has been accepted for settlement; the deadline is the end of {due}.",
    ),
}


def notice(about: str, lang: str, **params: object) -> str:
    vi, en = NOTICES[about]
    return (en if lang == "en" else vi).format(**params)
