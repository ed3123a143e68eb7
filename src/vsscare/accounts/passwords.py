"""Argon2id password hashing and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy() -> str:
    """Verified against when the username is unknown, so both paths cost the same."""
    return _hasher.hash("vsscare-dummy-password-1")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def is_acceptable(password: str, username: str) -> bool:
    return (
        len(password) >= 10
        and any(c.isalpha() for c in password)
        and any(c.isdigit() for c in password)
        and password.strip().lower() != username.lower()
    )
