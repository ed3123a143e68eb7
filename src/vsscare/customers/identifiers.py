"""Vietnamese personal identifiers: check, normalise and explain (SI code, CCCD, phone), and mask
them for staff views."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import phonenumbers

from vsscare.core.errors import AppError, ErrorCode
from vsscare.customers import errors

# Codes of the province of birth registration, annex to Circular 07/2016/TT-BCA (amended by
# 59/2021/TT-BCA): the 63 provinces before the 2025 mergers, which cards already issued keep.
# fmt: off
PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa – Vũng Tàu",
    "079": "TP. Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
# fmt: on

GENDERS: dict[str, tuple[str, str]] = {"male": ("nam", "male"), "female": ("nữ", "female")}
_SEPARATORS = re.compile(r"(?<=[0-9])[\s.\-]+(?=[0-9])")
_NOT_DIGIT = re.compile(r"[^0-9]")
# Letters are refused before phonenumbers sees them: it would read them as a vanity number.
_PHONE_CHARS = re.compile(r"\+?[0-9\s.\-()]+")


@dataclass(frozen=True)
class CccdFacts:
    """What the first six digits of a CCCD say about its holder."""

    province_code: str
    province_name: str
    gender: str  # "male" or "female"
    century_start: int
    birth_year: int


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _show(chars: Iterable[str]) -> str:
    unique = list(dict.fromkeys(chars))[:5]
    return ", ".join(f"“{c}”" if c.isprintable() else f"U+{ord(c):04X}" for c in unique)


def _digits(value: str, invalid: ErrorCode) -> str:
    text = _SEPARATORS.sub("", _clean(value))
    bad = _NOT_DIGIT.findall(text)
    if bad:
        raise AppError(invalid, chars=_show(bad))
    return text


def si_code(value: str) -> str:
    """The 10 digits of a Mã số BHXH typed with or without spaces, dots or dashes."""
    digits = _digits(value, errors.SI_CODE_INVALID)
    if len(digits) != 10:
        raise AppError(errors.SI_CODE_LENGTH, count=len(digits))
    return digits


def _century_digit(year: int, gender: str) -> int:
    return (year // 100 - 19) * 2 + (gender == "female")


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _facts(digits: str) -> CccdFacts:
    code = int(digits[3])
    century_start = 1900 + code // 2 * 100
    return CccdFacts(
        province_code=digits[:3],
        province_name=PROVINCES[digits[:3]],
        gender="female" if code % 2 else "male",
        century_start=century_start,
        birth_year=century_start + int(digits[4:6]),
    )


def _check_birth(digits: str, facts: CccdFacts, birth_date: date, gender: str | None) -> None:
    year, born = birth_date.year, _dmy(birth_date)
    if not facts.century_start <= year < facts.century_start + 100:
        span = f"{facts.century_start}–{facts.century_start + 99}"
        if 1900 <= year <= 2399:
            options = [gender] if gender is not None and gender in GENDERS else list(GENDERS)
            vi = " hoặc ".join(f"{_century_digit(year, g)} ({GENDERS[g][0]})" for g in options)
            en = " or ".join(f"{_century_digit(year, g)} ({g})" for g in options)
            expected = f"Với năm sinh {year}, chữ số này phải là {vi}"
            expected_en = f"For birth year {year} this digit must be {en}"
        else:
            expected = "Số CCCD chỉ ghi được năm sinh từ 1900 đến 2399"
            expected_en = "A CCCD can only record birth years 1900 to 2399"
        raise AppError(
            errors.CCCD_CENTURY, digit=digits[3], implied=f"{GENDERS[facts.gender][0]}, sinh {span}",
            implied_en=f"{facts.gender}, born {span}", birth=born, expected=expected, expected_en=expected_en,
        )  # fmt: skip
    if year != facts.birth_year:
        raise AppError(
            errors.CCCD_YEAR, digits=digits[4:6], implied_year=facts.birth_year, birth=born, year=year,
            expected=f"{year % 100:02d}",
        )  # fmt: skip


def cccd(value: str, *, birth_date: date | None = None, gender: str | None = None) -> str:
    """The 12 digits of a citizen identity card, checked against the holder's birth date and
    gender when known (a gender other than "male"/"female" is not checked)."""
    digits = _digits(value, errors.CCCD_INVALID)
    if len(digits) != 12:
        raise AppError(errors.CCCD_LENGTH, count=len(digits))
    if digits[:3] not in PROVINCES:
        raise AppError(errors.CCCD_PROVINCE, code=digits[:3])
    facts = _facts(digits)
    if birth_date is not None:
        _check_birth(digits, facts, birth_date, gender)
    if gender is not None and gender in GENDERS and gender != facts.gender:
        raise AppError(
            errors.CCCD_GENDER, digit=digits[3], gender=GENDERS[facts.gender][0], gender_en=facts.gender,
            given=GENDERS[gender][0], given_en=gender, expected=_century_digit(facts.century_start, gender),
        )  # fmt: skip
    return digits


def cccd_facts(value: str) -> CccdFacts:
    """Province, gender and birth year encoded in a CCCD (raises like ``cccd`` if it is invalid)."""
    return _facts(cccd(value))


def phone(value: str) -> str:
    """A Vietnamese phone number (mobile or fixed line, national or international form) in E.164."""
    text = _clean(value)
    number = None
    if _PHONE_CHARS.fullmatch(text):
        try:
            number = phonenumbers.parse(text, "VN")
        except phonenumbers.NumberParseException:
            number = None
    if number is None or number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise AppError(errors.PHONE_INVALID, phone=text[:40])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_si_code(value: str) -> str:
    """0010123445 → 0010****45."""
    return _keep_ends(value, 4, 2)


def mask_cccd(value: str) -> str:
    """001085012345 → 0010******45."""
    return _keep_ends(value, 4, 2)


def mask_phone(value: str) -> str:
    """+84912345678 → +8491*****78 (the country prefix stays readable)."""
    prefix = "+84" if value.startswith("+84") else ""
    return prefix + _keep_ends(value[len(prefix) :], 2, 2)


def mask_email(value: str) -> str:
    """an.nguyen@example.com → a******n@example.com; the local part's length is not shown."""
    local, at, domain = value.rpartition("@")
    if not at:
        return "*" * len(value)
    shown = local[:1] + "*" if len(local) <= 2 else local[0] + "******" + local[-1]
    return f"{shown}@{domain}"


def mask_account(value: str) -> str:
    """A Zalo user id or Facebook PSID: 8447123300112233 → 844***********33."""
    return _keep_ends(value, 3, 2)


_MASKS: dict[str, Callable[[str], str]] = {
    "si_code": mask_si_code,
    "cccd": mask_cccd,
    "phone": mask_phone,
    "email": mask_email,
    "zalo": mask_account,
    "facebook": mask_account,
}


def mask(kind: str, value: str | None) -> str | None:
    """The masked form of an identifier of this kind; an unknown kind is starred in full."""
    if value is None:
        return None
    masker = _MASKS.get(kind)
    return masker(value) if masker else "*" * len(value)
