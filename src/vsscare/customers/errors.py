"""Error codes of the customers domain."""

from vsscare.core.errors import ErrorCode

# How each protected field is named in messages: (Vietnamese, English).
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "si_code": ("mã số BHXH", "SI code"),
    "cccd": ("số CCCD", "CCCD number"),
    "phone": ("số điện thoại", "phone number"),
}

SI_CODE_INVALID = ErrorCode(
    "customer_si_code_invalid",
    "Mã số BHXH chỉ gồm chữ số; có ký tự không hợp lệ: {chars}.",
    "An SI code has digits only; it contains {chars}.",
    422,
)
SI_CODE_LENGTH = ErrorCode(
    "customer_si_code_length",
    "Mã số BHXH gồm đúng 10 chữ số; bạn nhập {count} chữ số.",
    "An SI code has exactly 10 digits; {count} were given.",
    422,
)
CCCD_INVALID = ErrorCode(
    "customer_cccd_invalid",
    "Số CCCD chỉ gồm chữ số; có ký tự không hợp lệ: {chars}.",
    "A CCCD number has digits only; it contains {chars}.",
    422,
)
CCCD_LENGTH = ErrorCode(
    "customer_cccd_length",
    "Số CCCD gồm đúng 12 chữ số; bạn nhập {count} chữ số.",
    "A CCCD number has exactly 12 digits; {count} were given.",
    422,
)
CCCD_PROVINCE = ErrorCode(
    "customer_cccd_province",
    "Ba chữ số đầu của số CCCD ({code}) không phải mã tỉnh, thành phố nơi đăng ký khai sinh.",
    "The first three digits of the CCCD number ({code}) are not the code of a province "
    "of birth registration.",
    422,
)
# Both say the card does not match the date of birth, hence one code.
CCCD_CENTURY = ErrorCode(
    "customer_cccd_birth",
    "Chữ số thứ 4 là {digit} ({implied}) nhưng ngày sinh là {birth}. {expected}.",
    "The 4th digit is {digit} ({implied_en}) but the date of birth is {birth}. {expected_en}.",
    422,
)
CCCD_YEAR = ErrorCode(
    "customer_cccd_birth",
    "Chữ số thứ 5–6 là {digits} (sinh năm {implied_year}) nhưng ngày sinh là {birth}: "
    "với năm sinh {year} phải là {expected}.",
    "Digits 5–6 are {digits} (born in {implied_year}) but the date of birth is {birth}: "
    "for birth year {year} they must be {expected}.",
    422,
)
CCCD_GENDER = ErrorCode(
    "customer_cccd_gender",
    "Chữ số thứ 4 là {digit} ({gender}) nhưng giới tính đã nhập là {given}: chữ số này phải là {expected}.",
    "The 4th digit is {digit} ({gender_en}) but the gender given is {given_en}: "
    "this digit must be {expected}.",
    422,
)
PHONE_INVALID = ErrorCode(
    "customer_phone_invalid",
    "“{phone}” không phải số điện thoại Việt Nam hợp lệ; hãy nhập dạng 0912 345 678 hoặc +84 912 345 678.",
    "“{phone}” is not a valid Vietnamese phone number; enter it as 0912 345 678 or +84 912 345 678.",
    422,
)
DUPLICATE = ErrorCode(
    "customer_duplicate",
    "Đã có khách hàng #{id} với {field} {masked}; hãy mở hồ sơ đó thay vì tạo mới.",
    "Customer #{id} already has the {field_en} {masked}; open that record instead of creating a new one.",
    409,
)
EMPLOYER_DUPLICATE = ErrorCode(
    "customer_employer_duplicate",
    "Đã có đơn vị sử dụng lao động với mã đơn vị {unit_code}.",
    "There is already an employer with the unit code {unit_code}.",
    409,
)
IDENTITY_TAKEN = ErrorCode(
    "customer_identity_taken",
    "Định danh {masked} đã thuộc về khách hàng #{id}; nếu là cùng một người, hãy gộp hai hồ sơ.",
    "The identity {masked} already belongs to customer #{id}; "
    "if it is the same person, merge the two records.",
    409,
)
NOT_FOUND = ErrorCode("customer_not_found", "Không có khách hàng #{id}.", "There is no customer #{id}.", 404)
NOT_PROTECTED = ErrorCode(
    "customer_not_protected",
    "Trường “{field}” không phải dữ liệu được bảo vệ (chỉ mã số BHXH, số CCCD, số điện thoại).",
    "The field “{field}” is not protected data (only the SI code, CCCD number and phone number are).",
    422,
)
REASON_REQUIRED = ErrorCode(
    "customer_reason_required",
    "Cần ghi lý do xem dữ liệu cá nhân (ít nhất 5 ký tự).",
    "A reason for viewing personal data is needed (at least 5 characters).",
    422,
)
LOOKUP_ONE_FIELD = ErrorCode(
    "customer_lookup_one_field",
    "Hãy tra cứu theo đúng một trường: mã số BHXH, số CCCD hoặc số điện thoại.",
    "Look up by exactly one field: SI code, CCCD number or phone number.",
    422,
)
REGISTRY_UNAVAILABLE = ErrorCode(
    "registry_unavailable",
    "Chưa kết nối được cơ sở dữ liệu ngành ({reason}); thông tin của anh/chị không bị mất, "
    "xin thử lại sau ít phút.",
    "The industry database cannot be reached ({reason}); nothing was lost, please try again shortly.",
    503,
)
REGISTRY_BAD_RESPONSE = ErrorCode(
    "registry_bad_response",
    "Cơ sở dữ liệu ngành trả lời không đúng định dạng ({reason}).",
    "The industry database answered in an unexpected form ({reason}).",
    502,
)
MERGE_SAME = ErrorCode(
    "customer_merge_same",
    "Không thể gộp một hồ sơ với chính nó.",
    "A record cannot be merged with itself.",
    422,
)
MERGE_INACTIVE = ErrorCode(
    "customer_merge_inactive",
    "Hồ sơ #{id} đã được gộp hoặc ẩn danh nên không gộp được nữa.",
    "Record #{id} has already been merged or anonymised and cannot be merged.",
    409,
)
MERGE_KINDS = ErrorCode(
    "customer_merge_kinds",
    "Chỉ gộp được hai hồ sơ cùng loại (hai cá nhân, hoặc hai đơn vị).",
    "Only two records of the same kind can be merged (two people, or two employers).",
    422,
)
ALREADY_ANONYMISED = ErrorCode(
    "customer_anonymised",
    "Hồ sơ #{id} đã được ẩn danh; không còn dữ liệu cá nhân để xử lý.",
    "Record #{id} has been anonymised; there is no personal data left.",
    409,
)
