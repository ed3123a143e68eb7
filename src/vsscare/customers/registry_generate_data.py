"""The data the registry generator draws from: provinces before and after the 2025 mergers,
minimum wages by year, names, employers, health facilities, procedures and their outcomes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def _split(text: str, sep: str = ",") -> tuple[str, ...]:
    return nfc_words(text.split(sep))


def nfc_words(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", word.strip()) for word in words)


# Which provinces of before the 2025 mergers (CCCD birth-registration codes) each province joined.
OLD_PROVINCES = {
    "01": "001", "04": "004", "08": "008 002", "11": "011", "12": "012", "14": "014", "15": "010 015",
    "19": "019 006", "20": "020", "22": "022", "24": "027 024", "25": "025 026 017", "31": "031 030",
    "33": "033 034", "37": "037 035 036", "38": "038", "40": "040", "42": "042", "44": "045 044", "46": "046",
    "48": "048 049", "51": "051 062", "52": "064 052", "56": "056 058", "66": "066 054", "68": "068 067 060",
    "75": "075 070", "79": "079 074 077", "80": "072 080", "82": "087 082", "86": "086 083 084",
    "91": "089 091", "92": "092 094 093", "96": "096 095",
}  # fmt: skip
REGION_I = {"01", "79", "31", "48", "75", "24", "22"}  # the highest regional minimum wage (mostly)
# Regional minimum wage (region I, VND per month) by year; years between are interpolated.
WAGE = {1995: 144_000, 2000: 180_000, 2003: 290_000, 2006: 450_000, 2008: 620_000, 2009: 800_000,
        2010: 980_000, 2011: 1_350_000, 2012: 2_000_000, 2013: 2_350_000, 2014: 2_700_000, 2015: 3_100_000,
        2016: 3_500_000, 2017: 3_750_000, 2018: 3_980_000, 2019: 4_180_000, 2020: 4_420_000,
        2022: 4_680_000, 2024: 4_960_000, 2026: 5_310_000}  # fmt: skip
BASE_SALARY = 2_340_000  # mức lương cơ sở (2024), the unit of lump-sum allowances
PHONE_PREFIXES = _split("86 96 97 98 32 33 34 35 36 37 38 39 88 91 94 81 82 83 84 85 90 93 70 76 77 78 79 56 "
                        "58 92 59", " ")  # mobile networks, after +84  # fmt: skip
MORE_GIVEN = {
    "male": _split(
        "Khoa Đạt Hiếu Phong Tùng Quang Thịnh Trí Hào Lộc Tài Kiên Nhân Thái Hậu Đông Hiển Tiến", " "
    ),
    "female": _split(
        "Thư Vy Nhi My Trâm Hiền Uyên Huyền Nhàn Thắm Liên Xuân Diệu Ly Thoa Trinh Ánh Diệp", " "
    ),
}
FORMS = {"Công ty TNHH": 40, "Công ty Cổ phần": 27, "Công ty TNHH Một thành viên": 10,
         "Doanh nghiệp tư nhân": 4, "Hợp tác xã": 2}  # fmt: skip
PUBLIC = _split("Trường Tiểu học, Trường Trung học cơ sở, Ủy ban nhân dân xã, Trung tâm Y tế khu vực, "
                "Trường Mầm non, Ban Quản lý dự án khu vực")  # fmt: skip
SECTORS = _split("May mặc, Điện tử, Xây dựng, Thương mại, Dịch vụ, Vận tải, Thực phẩm, Cơ khí, Giày da, "
                 "Công nghệ, Logistics, Nhựa, Gỗ, Dược phẩm, Thủy sản, Bao bì, Du lịch, Bất động sản, "
                 "Năng lượng, Nông sản, Vật liệu xây dựng, Thép")  # fmt: skip
PLACES = _split("An Phú, Tân Thành, Hòa Bình, Phú Lợi, Bình An, Tân Lập, Đông Hòa, Thạnh Mỹ, Hưng Long, "
                "Vĩnh Phúc, Phước Hải, Long Thành, Quang Trung, Minh Khai, Hồng Hà, Tiên Lữ, Yên Sở, "
                "Nam Sơn, Trung Hòa, Thuận An, Kim Long, Mỹ Xuyên, Phú Hòa, Hòa Khánh, Tân Phong, Đức Thắng, "
                "Cát Linh, Bến Thủy, Ngọc Lâm, Hải Châu")  # fmt: skip
BRANDS = _split("Hưng Phát, Sao Việt, Thành Công, Minh Long, Phú Tài, An Khang, Tân Tiến, Đại Dương, "
                "Hoàng Gia, Phương Nam, Việt Hưng, Trường Thịnh, Nam Việt, Kim Ngân, Đông Á, Toàn Cầu, "
                "Thái Bình Dương, Bình Minh, Hồng Phúc, Vạn Xuân, Lộc Phát, Hải Long")  # fmt: skip
FACILITIES = _split("Trạm Y tế xã, Trạm Y tế phường, Trung tâm Y tế khu vực, Phòng khám đa khoa, "
                    "Trạm Y tế xã, Bệnh viện Đa khoa khu vực")  # fmt: skip
PROCEDURES = {  # name: (working days to decide, weight)
    "Cấp lại sổ BHXH": (10, 14), "Điều chỉnh thông tin trên sổ BHXH": (10, 12), "Cấp lại thẻ BHYT": (7, 18),
    "Đổi nơi đăng ký khám chữa bệnh ban đầu": (3, 10), "Hưởng chế độ ốm đau": (6, 10),
    "Hưởng chế độ thai sản": (6, 8), "Hưởng trợ cấp thất nghiệp": (20, 12),
    "Giải quyết hưởng BHXH một lần": (10, 8), "Hưởng lương hưu": (20, 4),
    "Đăng ký tham gia BHXH tự nguyện": (5, 4),
}  # fmt: skip
NOTES = {
    "additional_info": ("Đề nghị bổ sung bản sao quyết định nghỉ việc.", "Đề nghị bổ sung giấy ra viện.",
                        "Thông tin trên căn cước chưa khớp với sổ BHXH, đề nghị bổ sung."),
    "returned": ("Hồ sơ không thuộc thẩm quyền giải quyết.", "Người lao động chưa đủ điều kiện hưởng."),
    "done": ("Đã trả kết quả qua bưu điện.", "Đã trả kết quả trên Cổng Dịch vụ công.", None, None),
}  # fmt: skip
COLUMNS = {  # rows travel as tuples in this order
    "people": ("registry_people", "si_code full_name birth_date gender cccd province_code phone book_status"),
    "periods": (
        "registry_periods",
        "si_code month_from month_to kind employer_code salary_base unemployment",
    ),
    "cards": (
        "registry_cards",
        "si_code number valid_from valid_to facility_code facility_name benefit_level",
    ),
    "claims": ("registry_claims", "si_code kind status amount filed_on decided_on paying_office"),
    "dossiers": ("registry_dossiers", "receipt_code si_code procedure status received_on due_on office note"),
    "employers": ("registry_employers", "code name tax_code province_code"),
}
# Month numbers (year * 12 + month - 1): SI (1995), voluntary SI (2008), unemployment insurance (2009).
M1995, M2008, M2009, M2015, M2022 = (year * 12 for year in (1995, 2008, 2009, 2015, 2022))
JOBS = [1] * 45 + [2] * 30 + [3] * 15 + [4] * 10  # employers in a working life, per hundred people
VOLUNTARY_TIMES = (1, 1, 1, 1, 1.2, 1.5, 1.5, 2, 3, 5)  # chosen income, in poverty lines
SETTLING = ("pension", "lump_sum")  # claims that close the book: checked before filing, never rejected
