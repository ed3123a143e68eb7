"""Translations. Source strings are Vietnamese; ``locale/en`` holds the English catalog.

Catalogs are read from the ``.po`` files and compiled in memory once per process, so a fresh
checkout needs no build step.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from vsscare.core.config import SUPPORTED_LOCALES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_locale: ContextVar[str] = ContextVar("locale", default="vi")


@cache
def translations(locale: str) -> NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "vi" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def current_locale() -> str:
    return _locale.get()


@contextmanager
def using(locale: str) -> Iterator[None]:
    token = _locale.set(locale if locale in SUPPORTED_LOCALES else "vi")
    try:
        yield
    finally:
        _locale.reset(token)


def gettext(message: str) -> str:
    return translations(_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ngettext(singular, plural, n)


_ = gettext


def cli_locale() -> str:
    """Language of command-line output: VSSCARE_LANG, else LANG/LC_ALL, else Vietnamese."""
    for var in ("VSSCARE_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def pick(message: str, message_en: str | None) -> str:
    """Choose between a Vietnamese text and its English twin stored side by side in data."""
    return message_en if _locale.get() == "en" and message_en else message
