"""Mask personal identifiers in free text before it is stored or shown in queues."""

from __future__ import annotations

import re

_RULES = (
    (re.compile(r"\b[A-Za-z]{2}\d{13}\b"), "[thẻ BHYT]"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[CCCD]"),
    (re.compile(r"(?<!\d)\d{10}(?!\d)"), "[mã số]"),  # an SI code, or a mobile number
    (re.compile(r"(?<![\d+])(?:\+?84|0)(?:[\s.-]?\d){9}(?!\d)"), "[số điện thoại]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
)


def mask(text: str) -> str:
    for pattern, label in _RULES:
        text = pattern.sub(label, text)
    return text
