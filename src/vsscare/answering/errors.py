"""Error codes of the answering domain."""

from vsscare.core.errors import ErrorCode

QUESTION_EMPTY = ErrorCode("answer_question_empty", "Hãy nhập câu hỏi.", "Please write a question.", 422)
QUESTION_TOO_LONG = ErrorCode(
    "answer_question_too_long",
    "Câu hỏi dài quá {limit} ký tự; hãy hỏi ngắn gọn hơn hoặc tách thành nhiều câu.",
    "The question is longer than {limit} characters; ask more briefly or in several questions.",
    422,
)
LOG_NOT_FOUND = ErrorCode(
    "answer_not_found",
    "Không có câu trả lời số {log_id}.",
    "There is no answer numbered {log_id}.",
    404,
)
FEEDBACK_GIVEN = ErrorCode(
    "answer_feedback_given",
    "Câu trả lời số {log_id} đã được đánh giá.",
    "The answer numbered {log_id} has already been rated.",
    409,
)
EVAL_NOT_FOUND = ErrorCode(
    "answer_eval_not_found", "Không đọc được tệp {file}.", "Cannot read the file {file}.", 400
)
EVAL_INVALID = ErrorCode(
    "answer_eval_invalid",
    "Tệp {file} có {count} lỗi; lỗi đầu tiên: {first}",
    "The file {file} has {count} error(s); the first: {first}",
    422,
)
