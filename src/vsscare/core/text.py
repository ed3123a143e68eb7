"""Vietnamese text handling: NFC, one tone-mark placement, a diacritic-free search form."""

from __future__ import annotations

import re
import unicodedata

# Old-style tone placement (hoà, thuỷ, khoẻ) → the form most input methods produce today (hòa, thủy, khỏe).
_TONE_PAIRS = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
# Only at the end of a syllable: "hoàn", "toàn", "hoạch" are the same in both styles, and "quý"
# is q-u + ý, not the u-y glide.
_TONE_RE = re.compile(r"(?<!q)(?:" + "|".join(_TONE_PAIRS) + r")(?!\w)")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def normalize(text: str) -> str:
    """NFC, single spaces, tone marks placed the modern way (case kept)."""
    text = _SPACES.sub(" ", nfc(text)).strip()
    lowered = text.lower()
    if not _TONE_RE.search(lowered):
        return text
    out = list(text)
    for m in _TONE_RE.finditer(lowered):
        replacement = _TONE_PAIRS[m.group(0)]
        for i, ch in enumerate(replacement):
            pos = m.start() + i
            out[pos] = ch.upper() if text[pos].isupper() else ch
    return "".join(out)


def fold(text: str) -> str:
    """Lower case without diacritics, đ→d: "Bảo hiểm Xã hội" → "bao hiem xa hoi"."""
    text = normalize(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return nfc("".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def email_address(value: str) -> str:
    """A plausible e-mail address (stripped), its domain in lower case; ValueError otherwise."""
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("địa chỉ e-mail không hợp lệ / invalid e-mail address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"
