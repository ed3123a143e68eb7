import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from vsscare.core.config import Settings
from vsscare.core.text import fold, nfc, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ sản", "thủy sản"),
        ("KHOẺ", "KHỎE"),
        ("  bảo   hiểm\txã hội ", "bảo hiểm xã hội"),
        ("Ho\u0300a", "Hòa"),  # decomposed input
        # A final consonant or a "qu" onset: the same in both styles, left alone.
        ("hoàn thành kế hoạch toàn quốc", "hoàn thành kế hoạch toàn quốc"),
        ("quý, quỳ; uỷ ban tuỳ ý", "quý, quỳ; ủy ban tùy ý"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_fold_strips_diacritics_and_d():
    assert fold("Bảo hiểm Y TẾ Đà Nẵng") == "bao hiem y te da nang"
    assert fold("bao hiem y te da nang") == "bao hiem y te da nang"


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once
    assert nfc(once) == once


def test_database_url_forms():
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValidationError) as err:
        Settings(database_url="mysql://u@h/db")
    assert "phải bắt đầu" in str(err.value) and "must start" in str(err.value)


def test_bad_timezone_and_locale_are_refused():
    with pytest.raises(ValidationError):
        Settings(timezone="Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings(default_locale="fr")


def test_secret_is_generated_once_and_private(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="")
    first = settings.secret
    assert len(first) >= 48
    assert Settings(data_dir=tmp_path, secret_key="").secret == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
