"""Error codes of the knowledge domain (legal corpus part)."""

from vsscare.core.errors import ErrorCode

CORPUS_NOT_FOUND = ErrorCode(
    "legal_corpus_not_found", "Không đọc được tệp {file}.", "Cannot read the file {file}.", 400
)
NO_CORPUS = ErrorCode(
    "legal_corpus_missing",
    "Không tìm thấy kho văn bản pháp luật trên máy này. Hãy chỉ ra tệp articles.jsonl hoặc đặt "
    "VSSCARE_LEGAL_CORPUS.",
    "No legal corpus was found on this machine. Give the path of articles.jsonl or set VSSCARE_LEGAL_CORPUS.",
    400,
)
CORPUS_INVALID = ErrorCode(
    "legal_corpus_invalid",
    "Tệp {file} có {count} lỗi, không có gì bị thay đổi; lỗi đầu tiên: {first}",
    "The file {file} has {count} error(s), nothing was changed; the first: {first}",
    422,
)
DOCUMENT_NOT_FOUND = ErrorCode(
    "legal_document_not_found",
    "Không có văn bản số {number} trong kho văn bản pháp luật.",
    "There is no document numbered {number} in the legal corpus.",
    404,
)
ARTICLE_NOT_FOUND = ErrorCode(
    "legal_article_not_found",
    "Không có điều {key} trong kho văn bản pháp luật. Khóa có dạng SỐ_VĂN_BẢN#ĐIỀU, ví dụ "
    "41/2024/QH15#60; trong đường dẫn URL viết '#' thành %23.",
    "There is no article {key} in the legal corpus. Keys look like DOC_NUMBER#ARTICLE, e.g. "
    "41/2024/QH15#60; in a URL send '#' as %23.",
    404,
)

# -- the Q&A bank ---------------------------------------------------------------------------------

BANK_NOT_FOUND = ErrorCode(
    "kb_bank_not_found",
    "Không đọc được {file} (cần một tệp .jsonl, một tệp .xlsx hoặc một thư mục chứa tệp .jsonl).",
    "Cannot read {file} (give a .jsonl file, an .xlsx file or a directory of .jsonl files).",
    400,
)
BANK_INVALID = ErrorCode(
    "kb_bank_invalid",
    "Ngân hàng hỏi đáp có {count} lỗi, không có gì bị thay đổi; lỗi đầu tiên: {first}",
    "The Q&A bank has {count} error(s), nothing was changed; the first: {first}",
    422,
)
EXPORT_FORMAT = ErrorCode(
    "kb_export_format",
    "Không hỗ trợ định dạng {format}; chỉ xuất được jsonl hoặc xlsx.",
    "The format {format} is not supported; export as jsonl or xlsx.",
    400,
)
EXPORT_TERMINAL = ErrorCode(
    "kb_export_terminal",
    "Không in tệp Excel ra màn hình; hãy chỉ ra tệp đích bằng --output TỆP.xlsx.",
    "An Excel file is not printed to a terminal; give the target with --output FILE.xlsx.",
    400,
)
XLSX_CHARACTER = ErrorCode(
    "kb_xlsx_character",
    "Hỏi đáp {id}, trường {field} có ký tự điều khiển mà tệp Excel không chứa được.",
    "Entry {id}, field {field} holds a control character an Excel file cannot hold.",
    422,
)

# -- the review workflow --------------------------------------------------------------------------

ENTRY_NOT_FOUND = ErrorCode(
    "kb_entry_not_found", "Không có hỏi đáp mã {code}.", "There is no Q&A entry with the code {code}.", 404
)
ENTRY_INVALID = ErrorCode(
    "kb_entry_invalid",
    "Hỏi đáp chưa hợp lệ ({count} lỗi): {first}",
    "The Q&A entry is not valid ({count} error(s)): {first}",
    422,
)
UNKNOWN_BASIS = ErrorCode(
    "kb_unknown_legal_basis",
    "Căn cứ pháp lý không có trong kho văn bản pháp luật: {keys}. Khóa có dạng SỐ_VĂN_BẢN#ĐIỀU, ví dụ "
    "41/2024/QH15#60.",
    "Legal bases not in the legal corpus: {keys}. Keys look like DOC_NUMBER#ARTICLE, e.g. 41/2024/QH15#60.",
    422,
)
NEEDS_BASIS = ErrorCode(
    "kb_needs_legal_basis",
    "Hỏi đáp {code} cần ít nhất một căn cứ pháp lý trước khi gửi duyệt.",
    "The entry {code} needs at least one legal basis before it is sent for review.",
    422,
)
SUPERSEDED_BASIS = ErrorCode(
    "kb_superseded_legal_basis",
    "Hỏi đáp {code} dẫn căn cứ đã hết hiệu lực: {keys}. Hãy sửa căn cứ pháp lý trước.",
    "The entry {code} cites law no longer in force: {keys}. Correct its legal bases first.",
    422,
)
BAD_TRANSITION = ErrorCode(
    "kb_bad_transition",
    "Không thể thực hiện '{action}' với hỏi đáp {code} đang ở trạng thái '{status}'.",
    "Cannot '{action}' the entry {code} while it is '{status}'.",
    409,
)
ENTRY_RETIRED = ErrorCode(
    "kb_entry_retired",
    "Hỏi đáp {code} đã ngừng sử dụng nên không sửa được; người phê duyệt có thể mở lại nó trước.",
    "The entry {code} is retired and cannot be changed; an approver can reopen it first.",
    409,
)
VERSION_CONFLICT = ErrorCode(
    "kb_version_conflict",
    "Hỏi đáp {code} vừa được người khác lưu (phiên bản {version}, bạn sửa từ phiên bản {expected}). "
    "Hãy tải lại và sửa trên phiên bản mới nhất.",
    "Someone else saved the entry {code} meanwhile (version {version}; you started from version "
    "{expected}). Reload and edit the latest version.",
    409,
)
SELF_APPROVAL = ErrorCode(
    "kb_self_approval",
    "Bạn đã soạn nội dung đang chờ duyệt của hỏi đáp {code}; một người phê duyệt khác phải duyệt nó.",
    "You wrote the content of {code} that awaits approval; another approver must approve it.",
    403,
)
CODE_TAKEN = ErrorCode("kb_code_taken", "Mã {code} đã được dùng.", "The code {code} is already used.", 409)
VERSION_NOT_FOUND = ErrorCode(
    "kb_version_not_found",
    "Hỏi đáp {code} không có phiên bản {version}.",
    "The entry {code} has no version {version}.",
    404,
)
ROLLBACK_CURRENT = ErrorCode(
    "kb_rollback_current",
    "Phiên bản {version} là phiên bản hiện tại của {code}.",
    "Version {version} is already the current version of {code}.",
    409,
)
COMMENT_REQUIRED = ErrorCode(
    "kb_comment_required", "Hãy ghi nội dung nhận xét.", "Please write the comment.", 422
)
COMMENT_TOO_LONG = ErrorCode(
    "kb_comment_too_long",
    "Nhận xét dài quá {limit} ký tự.",
    "The comment is longer than {limit} characters.",
    422,
)
REVIEW_DATE_PAST = ErrorCode(
    "kb_review_date_past",
    "Ngày rà soát tiếp theo ({day}) phải sau hôm nay.",
    "The next review date ({day}) must be after today.",
    422,
)
UPLOAD_TYPE = ErrorCode(
    "kb_upload_type",
    "Tệp {file} không phải .jsonl hoặc .xlsx.",
    "The file {file} is neither .jsonl nor .xlsx.",
    415,
)
UPLOAD_TOO_LARGE = ErrorCode(
    "kb_upload_too_large",
    "Tệp tải lên lớn hơn {limit} MB.",
    "The uploaded file is larger than {limit} MB.",
    413,
)
