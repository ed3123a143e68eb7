"""Error codes of the orgunits domain."""

from vsscare.core.errors import ErrorCode

FILE_NOT_FOUND = ErrorCode(
    "orgunits_file_not_found", "Không đọc được tệp {file}.", "Cannot read the file {file}.", 400
)
FILE_MALFORMED = ErrorCode(
    "orgunits_file_malformed",
    "Tệp {file} không phải YAML hợp lệ (dòng {line}): {problem}",
    "The file {file} is not valid YAML (line {line}): {problem}",
    422,
)
FILE_INVALID = ErrorCode(
    "orgunits_file_invalid",
    "Tệp {file} có {count} lỗi; lỗi đầu tiên: {first}",
    "The file {file} has {count} error(s); the first: {first}",
    422,
)
UNIT_NOT_FOUND = ErrorCode("unit_not_found", "Không có đơn vị mã {code}.", "No unit with code {code}.", 404)
BAD_TIME = ErrorCode(
    "bad_time",
    "Thời điểm không hợp lệ: {value}. Dùng dạng 2026-02-13T16:00 (giờ Việt Nam) hoặc kèm múi giờ.",
    "Invalid time: {value}. Use 2026-02-13T16:00 (Vietnam time) or include a zone offset.",
    422,
)
NO_WORKING_TIME = ErrorCode(
    "no_working_time",
    "Lịch làm việc không còn giờ làm việc trong khoảng cần tính.",
    "The calendar has no working time in the period asked for.",
    422,
)
