"""Error codes of the requests domain."""

from vsscare.core.errors import ErrorCode

REQUEST_NOT_FOUND = ErrorCode(
    "request_not_found", "Không có yêu cầu {code}.", "There is no request {code}.", 404
)
VERSION_CONFLICT = ErrorCode(
    "request_conflict",
    "Yêu cầu {code} vừa được người khác cập nhật (phiên bản {version}, bạn mở phiên bản {expected}). "
    "Hãy tải lại trang để xem thay đổi rồi thử lại.",
    "Request {code} was just changed by someone else (version {version}; you opened version {expected}). "
    "Reload to see the change, then try again.",
    409,
)
BAD_TRANSITION = ErrorCode(
    "request_bad_status",
    "Yêu cầu {code} đang ở trạng thái “{status}”: không thể {action}.",
    "Request {code} is “{status_en}”: it cannot be {action_en}.",
    409,
)
MERGED = ErrorCode(
    "request_merged",
    "Yêu cầu {code} đã được gộp vào {target}; hãy làm việc trên yêu cầu {target}.",
    "Request {code} was merged into {target}; work on {target} instead.",
    409,
)
UNIT_NOT_FOUND = ErrorCode(
    "request_unit_not_found",
    "Không có đơn vị {unit} (hoặc đơn vị đã ngừng hoạt động).",
    "There is no active unit {unit}.",
    422,
)
USER_NOT_FOUND = ErrorCode(
    "request_agent_not_found",
    "Không có nhân viên {username} đang hoạt động có quyền xử lý yêu cầu.",
    "There is no active staff member {username} who may work on requests.",
    422,
)
NO_AGENT_ONLINE = ErrorCode(
    "request_no_agent",
    "Không có điện thoại viên nào đang trực phù hợp với chủ đề {topic}; yêu cầu vẫn ở hàng chờ chung.",
    "No online agent handles the topic {topic_en}; the request stays in the shared queue.",
    409,
)
TRANSFER_NOT_FOUND = ErrorCode(
    "transfer_not_found",
    "Yêu cầu {code} không có lượt chuyển nào đang chờ đơn vị của bạn xử lý.",
    "Request {code} has no open transfer to your unit.",
    404,
)
TRANSFER_BAD_STATUS = ErrorCode(
    "transfer_bad_status",
    "Lượt chuyển đang ở trạng thái “{status}”: không thể {action}.",
    "The transfer is “{status_en}”: it cannot be {action_en}.",
    409,
)
TRANSFER_PENDING = ErrorCode(
    "transfer_pending",
    "Yêu cầu {code} đang chờ đơn vị {unit} xử lý; hãy đợi đơn vị trả lời hoặc trả lại trước khi chuyển tiếp.",
    "Request {code} is already with {unit}; wait for the unit to settle or return it before "
    "transferring again.",
    409,
)
DEADLINE_PAST = ErrorCode(
    "request_deadline_past",
    "Hạn giải quyết phải sau thời điểm hiện tại.",
    "The settlement deadline must be in the future.",
    422,
)
ALREADY_ESCALATED = ErrorCode(
    "request_already_escalated",
    "Yêu cầu {code} đã được báo cáo lên {level}.",
    "Request {code} is already escalated to {level}.",
    409,
)
ESCALATION_NOT_FOUND = ErrorCode(
    "escalation_not_found",
    "Yêu cầu {code} không có đề xuất nào chờ Lãnh đạo quyết định.",
    "Request {code} has no case waiting for a leadership decision.",
    404,
)
SUMMARY_REQUIRED = ErrorCode(
    "request_summary_required",
    "Cần nội dung tóm tắt vụ việc và đề xuất để trình Lãnh đạo.",
    "A summary of the case and a proposal are needed to submit it to leadership.",
    422,
)
MERGE_SELF = ErrorCode(
    "request_merge_self",
    "Không thể gộp một yêu cầu vào chính nó.",
    "A request cannot be merged into itself.",
    422,
)
LINK_SELF = ErrorCode(
    "request_link_self",
    "Không thể liên kết một yêu cầu với chính nó.",
    "A request cannot be linked to itself.",
    422,
)
TEXT_REQUIRED = ErrorCode("request_text_required", "Cần nhập nội dung.", "Some text is needed.", 422)
NOT_A_COMPLAINT = ErrorCode(
    "request_not_complaint",
    "Yêu cầu {code} không phải là khiếu nại.",
    "Request {code} is not a complaint.",
    409,
)
NOT_VISIBLE = ErrorCode(
    "request_not_visible",
    "Bạn không có quyền xem yêu cầu {code} (thuộc tỉnh hoặc đơn vị khác).",
    "You may not see request {code} (another province or unit).",
    403,
)
LOOKUP_FAILED = ErrorCode(
    "request_lookup_failed",
    "Không tìm thấy yêu cầu với mã và số điện thoại đã nhập. Hãy kiểm tra lại cả hai.",
    "No request matches this code and phone number. Check both and try again.",
    404,
)
LOOKUP_LOCKED = ErrorCode(
    "request_lookup_locked",
    "Mã yêu cầu này đã bị tra cứu sai nhiều lần; hãy thử lại sau một giờ hoặc gọi tổng đài 1900 9068.",
    "This request code was looked up wrongly too many times; try again in an hour or call 1900 9068.",
    429,
)
BODY_TOO_LARGE = ErrorCode(
    "request_body_too_large",
    "Nội dung gửi lên quá lớn (tối đa {limit}).",
    "The request body is too large (at most {limit}).",
    413,
)
BAD_PHONE = ErrorCode(
    "request_bad_phone",
    "Số điện thoại “{phone}” không hợp lệ: cần số Việt Nam, ví dụ 0912 345 678.",
    "The phone number “{phone}” is not valid: a Vietnamese number is needed, e.g. 0912 345 678.",
    422,
)
CONTACT_REQUIRED = ErrorCode(
    "request_contact_required",
    "Cần số điện thoại hoặc e-mail để trả lời người gửi.",
    "A phone number or e-mail is needed to answer the sender.",
    422,
)
ATTACHMENT_TOO_LARGE = ErrorCode(
    "attachment_too_large",
    "Tệp “{name}” quá lớn ({size}); giới hạn là {limit} mỗi tệp.",
    "The file “{name}” is too large ({size}); the limit is {limit} per file.",
    413,
)
ATTACHMENT_TOO_MANY = ErrorCode(
    "attachment_too_many",
    "Chỉ đính kèm được tối đa {limit} tệp, tổng cộng {total}.",
    "At most {limit} files, {total} in all, can be attached.",
    413,
)
ATTACHMENT_TYPE = ErrorCode(
    "attachment_type",
    "Tệp “{name}” không được nhận: {reason}. Chấp nhận PDF, ảnh (JPG, PNG, GIF, WebP, HEIC), "
    "Word, Excel, OpenDocument và văn bản thuần.",
    "The file “{name}” is refused: {reason_en}. PDF, images (JPG, PNG, GIF, WebP, HEIC), Word, Excel, "
    "OpenDocument and plain text are accepted.",
    415,
)
ATTACHMENT_NOT_FOUND = ErrorCode(
    "attachment_not_found", "Không có tệp đính kèm này.", "There is no such attachment.", 404
)
VIEW_NAME_TAKEN = ErrorCode(
    "view_name_taken", "Bạn đã có bộ lọc tên “{name}”.", "You already have a view named “{name}”.", 409
)
SLA_FILE_INVALID = ErrorCode(
    "sla_file_invalid",
    "Tệp chính sách SLA {file} không hợp lệ: {reason}",
    "The SLA policy file {file} is invalid: {reason}",
    422,
)
