"""Personal identifiers at rest: AES-256-GCM under named keys (the first is current; older ones
still decrypt until ``vsscare keys rotate`` has re-encrypted their values), and an HMAC-SHA256
blind index for exact lookup without decrypting.

A value is bound to its column by the ``context`` (e.g. ``customers.cccd``) used as associated
data, so a ciphertext copied into another column does not decrypt, and the same number gives
different index entries in different columns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vsscare.core.config import Settings
from vsscare.core.errors import AppError, ErrorCode

NONCE_BYTES = 12
DERIVED = "k0"  # the key derived from the secret key when no data keys are configured
INDEX_CHARS = 32  # 128 bits of the HMAC, in hex: collisions are not a concern at our volumes
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")

KEYS_INVALID = ErrorCode(
    "data_keys_invalid",
    "Cấu hình khóa mã hóa (VSSCARE_DATA_KEYS) không hợp lệ: {reason}. Dạng đúng: "
    "“k2:<32 byte base64>,k1:<32 byte base64>”, khóa đầu tiên là khóa hiện hành.",
    "The encryption keys (VSSCARE_DATA_KEYS) are invalid: {reason}. Expected "
    "“k2:<32 bytes in base64>,k1:<32 bytes in base64>”, the first being the current key.",
    500,
)
UNREADABLE = ErrorCode(
    "data_unreadable",
    "Không giải mã được dữ liệu đã lưu ({context}): {reason}.",
    "A stored value could not be decrypted ({context}): {reason}.",
    500,
)


class Keyring:
    """Named data keys (``current`` encrypts) and the blind-index key."""

    def __init__(self, keys: dict[str, bytes], current: str, index_key: bytes) -> None:
        if current not in keys:
            raise AppError(KEYS_INVALID, reason=f"no key named {current}")
        for kid, key in keys.items():
            if not _KEY_ID.fullmatch(kid):
                raise AppError(KEYS_INVALID, reason=f"key name {kid[:20]!r}")
            if len(key) != 32:
                raise AppError(KEYS_INVALID, reason=f"key {kid} has {len(key)} bytes, not 32")
        self.current = current
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self._index_key = index_key

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._ciphers)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> str:
        kid, _, body = token.partition(":")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise AppError(UNREADABLE, context=context, reason=f"key {kid[:20]!r} is not configured")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise AppError(UNREADABLE, context=context, reason="altered, or not of this column") from exc

    def key_of(self, token: str) -> str:
        return token.partition(":")[0]

    def blind_index(self, value: str, *, context: str) -> str:
        """The same value in the same column always gives the same entry; callers normalise first."""
        mac = hmac.new(self._index_key, f"{context}\0{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:INDEX_CHARS]


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def parse_keys(text: str, secret: bytes) -> list[tuple[str, bytes]]:
    """``"k2:<base64>,k1:<base64>"`` → [(k2, key), (k1, key)]; the first is current. A bare
    ``k0`` is the key derived from the secret, which a database set up without keys was written with."""
    keys: list[tuple[str, bytes]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        if not sep:
            if kid != DERIVED:
                raise AppError(KEYS_INVALID, reason=f"“{kid[:20]}” has no key")
            keys.append((DERIVED, _derive(secret, b"vsscare data key")))
            continue
        try:
            key = base64.b64decode(encoded.strip().encode(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AppError(KEYS_INVALID, reason=f"key {kid[:20]} is not base64") from exc
        keys.append((kid.strip(), key))
    if len({kid for kid, _ in keys}) != len(keys):
        raise AppError(KEYS_INVALID, reason="a key name is used twice")
    return keys


def new_key(kid: str) -> str:
    """A fresh key entry for ``VSSCARE_DATA_KEYS``."""
    if not _KEY_ID.fullmatch(kid):
        raise AppError(KEYS_INVALID, reason=f"key name {kid[:20]!r}")
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


@lru_cache(maxsize=8)
def _keyring(secret: bytes, data_keys: str, index_key: str) -> Keyring:
    keys = parse_keys(data_keys if data_keys.strip() else DERIVED, secret)
    index = _index_key(index_key) if index_key.strip() else _derive(secret, b"vsscare blind index")
    return Keyring(dict(keys), keys[0][0], index)


def _index_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppError(KEYS_INVALID, reason="VSSCARE_INDEX_KEY is not base64") from exc
    if len(key) < 32:
        raise AppError(KEYS_INVALID, reason=f"VSSCARE_INDEX_KEY has {len(key)} bytes, fewer than 32")
    return key


def keyring(settings: Settings) -> Keyring:
    """The keyring of these settings. Without ``VSSCARE_DATA_KEYS``, one key ``k0`` is derived from
    the secret key; the blind-index key likewise, unless ``VSSCARE_INDEX_KEY`` is set."""
    return _keyring(
        settings.secret, settings.data_keys.get_secret_value(), settings.index_key.get_secret_value()
    )
