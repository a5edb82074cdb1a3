"""Translations: English source strings, Hindi (and later more) catalogues from ``community/locale``.

Catalogues are kept as ``.po`` files only and compiled in memory at start-up, so there is no
binary in the repository and no build step to forget. The locale of the current request lives
in a context variable, which the language middleware sets; ``gettext`` reads it, so services
and templates translate without passing the request around.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LOCALE = "en"
LOCALES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


# Cached per process, not per app: the catalogues are the package's own files, the same for every app.
@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for ``locale``; English is the source language."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """For strings defined at import time (labels, choices); translated when rendered."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


LANGUAGE_COOKIE = "lang"


def remember_language(response: Any, locale: str, *, secure: bool) -> None:
    """The cookie that ``negotiate`` reads first: set by the language switch and at sign-in from
    the language the person chose before, so their choice travels to every browser."""
    response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=secure)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The person's chosen language (cookie) first, then their browser's preference."""
    if cookie in LOCALES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


def language_name(code: str) -> str:
    """``hi`` as the reader reads it (``Hindi``, or ``हिन्दी`` in Hindi), by Babel's locale data;
    a code Babel does not know is shown as it was given."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(current_locale.get())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code
