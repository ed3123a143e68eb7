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
    "Không đọc được {file} (cần một tệp .jsonl hoặc một thư mục chứa tệp .jsonl).",
    "Cannot read {file} (give a .jsonl file or a directory of .jsonl files).",
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
    "Chưa hỗ trợ định dạng {format}; hiện chỉ xuất được jsonl.",
    "The format {format} is not supported yet; only jsonl can be exported now.",
    400,
)
