"""Personal data of a request as staff see it by default: masked. Unmasking needs
``personal_data.unmask`` and is audited by the page or route that shows it.

One style everywhere (API, workspace, unit pages, CLI): phone ``091****678``, name ``N. V. A.``,
e-mail ``a***@gmail.com``, channel address ``zalo:***901``; identifiers in free text (phone
numbers, SI codes, CCCD, health-insurance card numbers, e-mail addresses) keep only their ends.
"""

from __future__ import annotations

import re

PERSONAL_FIELDS = ("contact_name", "contact_phone", "contact_email", "external_ref")
_HI_CARD = re.compile(r"\b([A-Z]{2}\d)(\d{9})(\d{3})\b")
_PHONE = re.compile(r"(?<![\d+])(?:\+84|84|0)(?:[\s.-]?\d){9}(?!\d)")
_DIGITS = re.compile(r"(?<!\d)(\d{3})(\d{3,9})(\d{3})(?!\d)")  # SI codes, CCCD, CMND
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def national_phone(e164: str | None) -> str:
    """+84912345678 → 0912345678 (other countries stay as given)."""
    if not e164:
        return ""
    return "0" + e164[3:] if e164.startswith("+84") else e164


def mask_phone(e164: str | None) -> str:
    """+84912345678 → 091****678."""
    digits = national_phone(e164)
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_name(name: str | None) -> str:
    """Nguyễn Văn An → N. V. A."""
    if not name:
        return ""
    return " ".join(word[0].upper() + "." for word in name.split() if word)


def mask_email(email: str | None) -> str:
    """an.nguyen@gmail.com → a***@gmail.com."""
    if not email or "@" not in email:
        return ""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask_ref(ref: str | None) -> str:
    """A channel's address of the person (``zalo:84123456789``): the channel stays readable."""
    if not ref:
        return ""
    channel, sep, rest = ref.partition(":")
    if not sep:
        return "***"
    return f"{channel}:***{rest[-3:]}" if len(rest) > 6 else f"{channel}:***"


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return mask_phone("+84" + digits[-9:])


def mask_text(text: str) -> str:
    """Identifiers in free text masked like the contact: 0912 345 678 → 091****678, an SI code
    7912345678 → 791****678, a health-insurance card DN4791234567890 → DN4*********890, e-mail
    addresses → a***@domain."""
    text = _HI_CARD.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = _PHONE.sub(_phone, text)
    text = _DIGITS.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
