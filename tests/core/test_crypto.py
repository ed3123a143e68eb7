"""Personal data at rest: encryption under named keys, rotation, tampering, the blind index."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsscare.core import crypto
from vsscare.core.config import Settings
from vsscare.core.errors import AppError


def settings(tmp_path, **values) -> Settings:
    return Settings(secret_key="s" * 40, data_dir=tmp_path, **values)


def test_values_round_trip_and_differ_each_time(tmp_path):
    ring = crypto.keyring(settings(tmp_path))
    first = ring.encrypt("001085012345", context="customers.cccd")
    second = ring.encrypt("001085012345", context="customers.cccd")
    assert first != second and "001085012345" not in first  # a fresh nonce each time
    assert first.startswith("k0:")  # derived from the secret when no keys are configured
    assert ring.decrypt(first, context="customers.cccd") == "001085012345"


def test_a_value_moved_to_another_column_or_altered_does_not_decrypt(tmp_path):
    ring = crypto.keyring(settings(tmp_path))
    token = ring.encrypt("0123456789", context="customers.si_code")
    with pytest.raises(AppError) as moved:
        ring.decrypt(token, context="customers.cccd")
    assert moved.value.code == "data_unreadable"
    kid, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(AppError) as altered:
        ring.decrypt(f"{kid}:{base64.urlsafe_b64encode(bytes(raw)).decode()}", context="customers.si_code")
    assert "altered" in altered.value.message_en
    with pytest.raises(AppError):
        ring.decrypt(f"{kid}:not base64!", context="customers.si_code")


def test_rotation_keeps_old_values_readable_and_writes_with_the_new_key(tmp_path):
    old_ring = crypto.keyring(settings(tmp_path))
    token = old_ring.encrypt("+84912345678", context="customers.phone")
    new = crypto.new_key("k1")
    ring = crypto.keyring(settings(tmp_path, data_keys=f"{new},k0"))
    assert ring.current == "k1" and ring.key_ids == ("k1", "k0")
    assert ring.key_of(token) == "k0"
    assert ring.decrypt(token, context="customers.phone") == "+84912345678"
    again = ring.encrypt("+84912345678", context="customers.phone")
    assert ring.key_of(again) == "k1"
    # once k0 is dropped, its values are refused with a clear reason, not garbage
    without_old = crypto.keyring(settings(tmp_path, data_keys=new))
    with pytest.raises(AppError) as err:
        without_old.decrypt(token, context="customers.phone")
    assert "k0" in err.value.message_en


@pytest.mark.parametrize(
    ("data_keys", "reason"),
    [
        ("k1:abc", "not base64"),
        ("k1:" + base64.b64encode(b"x" * 16).decode(), "16 bytes"),
        ("k1", "has no key"),
        ("bad name!:" + base64.b64encode(b"x" * 32).decode(), "key name"),
        (",".join(["k1:" + base64.b64encode(b"x" * 32).decode()] * 2), "twice"),
    ],
)
def test_bad_key_settings_are_explained(tmp_path, data_keys, reason):
    with pytest.raises(AppError) as err:
        crypto.keyring(settings(tmp_path, data_keys=data_keys))
    assert err.value.code == "data_keys_invalid" and reason in err.value.message_en
    assert "VSSCARE_DATA_KEYS" in err.value.message


def test_the_blind_index_finds_equal_values_only_in_the_same_column(tmp_path):
    ring = crypto.keyring(settings(tmp_path))
    a = ring.blind_index("0123456789", context="customers.si_code")
    assert a == ring.blind_index("0123456789", context="customers.si_code")
    assert a != ring.blind_index("0123456789", context="customers.phone")
    assert a != ring.blind_index("0123456780", context="customers.si_code")
    assert len(a) == crypto.INDEX_CHARS and "0123456789" not in a
    # another installation (another secret) gives other entries
    other = crypto.keyring(Settings(secret_key="t" * 40, data_dir=tmp_path))
    assert other.blind_index("0123456789", context="customers.si_code") != a
    # an explicit index key survives a change of the secret key
    index_key = base64.b64encode(b"i" * 32).decode()
    one = crypto.keyring(settings(tmp_path, index_key=index_key))
    two = crypto.keyring(Settings(secret_key="u" * 40, data_dir=tmp_path, index_key=index_key))
    assert one.blind_index("x", context="c") == two.blind_index("x", context="c")
    with pytest.raises(AppError):
        crypto.keyring(settings(tmp_path, index_key="c2hvcnQ="))


@given(st.text(max_size=200), st.sampled_from(["customers.cccd", "customers.phone", "x"]))
def test_any_text_round_trips(value, context):
    ring = crypto.keyring(Settings(secret_key="s" * 40))
    assert ring.decrypt(ring.encrypt(value, context=context), context=context) == value
