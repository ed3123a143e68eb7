"""One error shape for API, CLI and pages: code, Vietnamese message, English message, details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    code: str
    message: str  # Vietnamese; may hold {placeholders}
    message_en: str
    status: int = 400


class AppError(Exception):
    def __init__(self, error: ErrorCode, details: dict[str, Any] | None = None, **params: Any) -> None:
        self.error = error
        self.params = params
        self.details = details or {}
        super().__init__(self.message_en)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def message(self) -> str:
        return self.error.message.format(**self.params)

    @property
    def message_en(self) -> str:
        return self.error.message_en.format(**self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "details": self.details,
        }


@dataclass
class ErrorBody:
    code: str
    message: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)


VALIDATION = ErrorCode(
    "validation_error", "Dữ liệu gửi lên không hợp lệ.", "The submitted data is invalid.", 422
)
NOT_FOUND = ErrorCode("not_found", "Không tìm thấy.", "Not found.", 404)
METHOD_NOT_ALLOWED = ErrorCode(
    "method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed.", 405
)
NOT_AUTHENTICATED = ErrorCode("not_authenticated", "Vui lòng đăng nhập.", "Please sign in.", 401)
PERMISSION_DENIED = ErrorCode(
    "permission_denied",
    "Bạn không có quyền thực hiện thao tác này.",
    "You do not have permission to do this.",
    403,
)
CSRF_FAILED = ErrorCode(
    "csrf_failed",
    "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
    "The form has expired or is invalid. Reload the page and try again.",
    403,
)
INTERNAL = ErrorCode(
    "internal_error",
    "Đã có lỗi hệ thống. Mã tra cứu: {correlation_id}.",
    "Something went wrong on our side. Reference: {correlation_id}.",
    500,
)
UNAVAILABLE = ErrorCode(
    "unavailable", "Hệ thống tạm thời không sẵn sàng.", "The service is temporarily unavailable.", 503
)
