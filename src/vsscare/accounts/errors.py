from vsscare.core.errors import ErrorCode

INVALID_CREDENTIALS = ErrorCode(
    "invalid_credentials",
    "Tên đăng nhập hoặc mật khẩu không đúng.",
    "Wrong username or password.",
    401,
)
ACCOUNT_LOCKED = ErrorCode(
    "account_locked",
    "Tài khoản tạm khoá do đăng nhập sai nhiều lần. Thử lại sau {minutes} phút.",
    "The account is locked after repeated failed sign-ins. Try again in {minutes} minutes.",
    423,
)
USERNAME_TAKEN = ErrorCode(
    "username_taken", "Tên đăng nhập {username} đã tồn tại.", "Username {username} is taken.", 409
)
USERNAME_INVALID = ErrorCode(
    "username_invalid",
    "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới; 3–60 ký tự.",
    "A username has 3–60 characters: lower-case letters without accents, digits, '.', '-', '_'.",
    422,
)
USER_NOT_FOUND = ErrorCode("user_not_found", "Không có người dùng {username}.", "No user {username}.", 404)
ROLE_NOT_FOUND = ErrorCode("role_not_found", "Không có vai trò {role}.", "No role {role}.", 422)
UNIT_NOT_FOUND = ErrorCode("unit_not_found", "Không có đơn vị mã {code}.", "No unit with code {code}.", 422)
PASSWORD_WEAK = ErrorCode(
    "password_weak",
    "Mật khẩu cần ít nhất 10 ký tự, có cả chữ và số, và không trùng tên đăng nhập.",
    "A password needs at least 10 characters, letters and digits, and must differ from the username.",
    422,
)
PASSWORD_WRONG = ErrorCode(
    "password_wrong", "Mật khẩu hiện tại không đúng.", "The current password is wrong.", 422
)
PASSWORD_MISMATCH = ErrorCode(
    "password_mismatch", "Hai lần nhập mật khẩu mới không khớp.", "The two new passwords differ.", 422
)
TOKEN_NOT_FOUND = ErrorCode(
    "token_not_found", "Không có mã truy cập {prefix}.", "No API token {prefix}.", 404
)
SESSION_EXPIRED = ErrorCode(
    "session_expired",
    "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
    "Your session has expired. Please sign in again.",
    401,
)
