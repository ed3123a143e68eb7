"""Vietnamese identifiers: SI code, CCCD and phone checked and explained; masks for staff views."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsscare.core.errors import AppError
from vsscare.customers import errors, identifiers
from vsscare.customers.identifiers import CccdFacts, cccd, cccd_facts, mask, phone, si_code

CARD = "001085012345"  # Hà Nội, male, born 1985
BORN = date(1985, 3, 15)


def refused(func, *args, **kwargs) -> AppError:
    with pytest.raises(AppError) as err:
        func(*args, **kwargs)
    assert err.value.status == 422
    return err.value


# --- SI code -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["0123456789", " 0123456789 ", "0123 456 789", "0123.456.789", "0123-456-789", "01 23\u00a045 67 89"],
)
def test_si_code_is_normalised(raw):
    assert si_code(raw) == "0123456789"


@pytest.mark.parametrize(("raw", "count"), [("01234", 5), ("012345678901", 12), ("", 0), ("  ", 0)])
def test_si_code_with_a_wrong_digit_count_says_how_many(raw, count):
    err = refused(si_code, raw)
    assert err.code == "customer_si_code_length"
    assert err.message == f"Mã số BHXH gồm đúng 10 chữ số; bạn nhập {count} chữ số."
    assert err.message_en == f"An SI code has exactly 10 digits; {count} were given."


@pytest.mark.parametrize(
    ("raw", "shown"), [("01234A6789", "“A”"), ("0123456789.", "“.”"), ("0123/456/789", "“/”")]
)
def test_si_code_with_other_characters_names_them(raw, shown):
    err = refused(si_code, raw)
    assert err.code == "customer_si_code_invalid"
    assert shown in err.message and shown in err.message_en


def test_non_ascii_digits_are_not_digits():
    err = refused(si_code, "０１２３４５６７８９")  # full-width
    assert err.code == "customer_si_code_invalid"


# --- CCCD --------------------------------------------------------------------------------------


def test_cccd_is_normalised_and_read():
    assert cccd(" 001 085 012 345 ") == CARD
    assert cccd(CARD, birth_date=BORN, gender="male") == CARD
    assert cccd(CARD, birth_date=BORN, gender="other") == CARD  # not checked
    assert cccd_facts(CARD) == CccdFacts("001", "Hà Nội", "male", 1900, 1985)
    assert cccd_facts("079303000001") == CccdFacts("079", "TP. Hồ Chí Minh", "female", 2000, 2003)
    assert cccd_facts("096800000001").century_start == 2300


def test_province_table_has_the_63_provinces_in_nfc():
    assert len(identifiers.PROVINCES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in identifiers.PROVINCES)
    assert all(unicodedata.is_normalized("NFC", name) for name in identifiers.PROVINCES.values())


def test_cccd_with_a_wrong_digit_count_or_characters():
    err = refused(cccd, "00108501234")
    assert (err.code, err.params["count"]) == ("customer_cccd_length", 11)
    assert "bạn nhập 11 chữ số" in err.message and "11 were given" in err.message_en
    err = refused(cccd, "0010850123X5")
    assert err.code == "customer_cccd_invalid" and "“X”" in err.message


@pytest.mark.parametrize("code", ["000", "003", "097", "100", "999"])
def test_cccd_with_an_unknown_province_names_the_code(code):
    err = refused(cccd, code + "085012345")
    assert err.code == "customer_cccd_province"
    assert f"({code})" in err.message and f"({code})" in err.message_en


def test_cccd_century_digit_against_the_birth_date():
    err = refused(cccd, "001285012345", birth_date=BORN)
    assert err.code == "customer_cccd_birth"
    assert err.message.startswith("Chữ số thứ 4 là 2 (nam, sinh 2000–2099) nhưng ngày sinh là 15/03/1985.")
    assert "0 (nam) hoặc 1 (nữ)" in err.message
    assert "2 (male, born 2000–2099)" in err.message_en and "0 (male) or 1 (female)" in err.message_en
    err = refused(cccd, CARD, birth_date=date(2001, 1, 1), gender="male")
    assert "0 (nam, sinh 1900–1999)" in err.message and "phải là 2 (nam)" in err.message
    err = refused(cccd, CARD, birth_date=date(1899, 12, 31))
    assert "1900 đến 2399" in err.message and "1900 to 2399" in err.message_en


def test_cccd_year_digits_against_the_birth_date():
    err = refused(cccd, "001086012345", birth_date=BORN)
    assert err.code == "customer_cccd_birth"
    assert "là 86 (sinh năm 1986)" in err.message and "phải là 85" in err.message
    assert "15/03/1985" in err.message_en and "must be 85" in err.message_en
    err = refused(cccd, "001205012345", birth_date=date(2006, 7, 1))
    assert "phải là 06" in err.message


def test_cccd_gender_digit_against_the_gender():
    err = refused(cccd, CARD, gender="female")
    assert err.code == "customer_cccd_gender"
    assert "là 0 (nam)" in err.message and "là nữ" in err.message and "phải là 1" in err.message
    assert cccd("001185012345", birth_date=BORN, gender="female") == "001185012345"
    assert (
        refused(cccd, "001385012345", gender="male", birth_date=date(2085, 1, 1)).code
        == "customer_cccd_gender"
    )


def test_messages_are_nfc():
    for err in (refused(cccd, CARD, birth_date=date(2001, 1, 1)), refused(cccd, CARD, gender="female")):
        assert unicodedata.is_normalized("NFC", err.message)
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, errors.ErrorCode):
            assert value.code.startswith(("customer_", "registry_")), value.code
            assert unicodedata.is_normalized("NFC", value.message) and unicodedata.is_normalized(
                "NFC", value.message_en
            )


# --- Phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("(024) 3934-5678", "+842439345678"),
    ],
)
def test_phone_is_e164(raw, e164):
    assert phone(raw) == e164


@pytest.mark.parametrize(
    "raw", ["12345", "0912 345 67", "+1 650 253 0000", "09l2345678", "", "tel:0912345678"]
)
def test_phone_that_is_not_vietnamese_is_refused_with_the_expected_form(raw):
    err = refused(phone, raw)
    assert err.code == "customer_phone_invalid"
    assert "0912 345 678" in err.message and "+84 912 345 678" in err.message_en


# --- Masking -----------------------------------------------------------------------------------


def test_masks():
    assert mask("si_code", "0010123445") == "0010****45"
    assert mask("cccd", "001085012345") == "0010******45"
    assert mask("phone", "+84912345678") == "+8491*****78"
    assert mask("email", "an.nguyen@example.com") == "a******n@example.com"
    assert mask("email", "an@example.com") == "a*@example.com"
    assert mask("email", "a@example.com") == "a*@example.com"
    assert mask("si_code", None) is None


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("si_code", "", ""),
        ("si_code", "012345", "******"),
        ("cccd", "0123456", "0123*56"),
        ("phone", "+84", "+84"),
        ("phone", "+8412", "+84**"),
        ("phone", "0912345678", "09******78"),
        ("email", "nobody", "******"),
        ("email", "@example.com", "*@example.com"),
        ("zalo", "8447123300112233", "844***********33"),
        ("facebook", "12345", "*****"),
        ("unknown", "abc", "***"),
    ],
)
def test_odd_input_is_masked_without_raising(kind, value, masked):
    assert mask(kind, value) == masked


# --- Properties --------------------------------------------------------------------------------

DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)


@given(DIGITS)
def test_any_ten_digits_round_trip(digits):
    assert si_code(digits) == digits
    assert si_code(f"{digits[:4]} {digits[4:7]}.{digits[7:]}") == digits


@given(st.sampled_from(["si_code", "cccd", "phone", "email", "other"]), st.text(max_size=30))
def test_masking_never_raises_and_keeps_digit_lengths(kind, value):
    masked = mask(kind, value)
    assert isinstance(masked, str)
    if kind != "email":
        assert len(masked) == len(value)


@given(st.sampled_from(["si_code", "cccd"]), st.text(alphabet="0123456789", min_size=10, max_size=12))
def test_masking_reveals_at_most_six_digits(kind, digits):
    masked = mask(kind, digits)
    assert masked is not None and len(masked) == len(digits)
    assert sum(c != "*" for c in masked) <= 6


@given(
    st.sampled_from(sorted(identifiers.PROVINCES)),
    st.sampled_from(["male", "female"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
)
def test_a_card_built_from_its_facts_validates(province, gender, born, rest):
    digit = (born.year // 100 - 19) * 2 + (gender == "female")
    card = f"{province}{digit}{born.year % 100:02d}{rest}"
    assert cccd(card, birth_date=born, gender=gender) == card
    facts = cccd_facts(card)
    assert (facts.province_code, facts.gender, facts.birth_year) == (province, gender, born.year)
    assert facts.province_name == identifiers.PROVINCES[province]
