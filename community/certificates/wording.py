"""How a certificate's date and hours read, the same on its pages and in its PDF, in the
reader's language: the day is the one in Indian Standard Time."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from babel.dates import get_month_names
from babel.numbers import format_decimal

from community.i18n import current_locale, ngettext
from community.timezones import IST


# Cached per process, not per app: Babel's month names depend on the locale (the key) alone.
@cache
def _months(locale: str) -> dict[int, str]:
    return dict(get_month_names("wide", locale=locale))


def ist_date(value: datetime) -> str:
    """``2 December 2026`` (``2 दिसंबर 2026`` in Hindi): the day the moment falls on in IST."""
    local = value.astimezone(IST)
    return f"{local.day} {_months(current_locale.get())[local.month]} {local.year}"


def hours_text(hours: float) -> str:
    """``1.5 hours``, ``1 hour``."""
    shown = format_decimal(round(hours, 2), locale=current_locale.get())
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if hours == 1 else 2, hours=shown)
