"""Template filters for forum pages: times in Indian Standard Time, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from babel.dates import get_month_names

from community.i18n import current_locale
from community.timezones import IST


# Cached per process, not per app: Babel's month names depend on the locale (the key) alone.
@cache
def _months(locale: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", locale=locale))


def forum_time(value: datetime | None) -> str:
    """``22 Nov 2026, 14:05 IST``. Called for every post on a page, so it avoids Babel's
    general pattern formatter (ten times slower) and only looks up month names."""
    if value is None:
        return ""
    local = value.replace(tzinfo=value.tzinfo or UTC).astimezone(IST)
    month = _months(current_locale.get())[local.month]
    return f"{local.day} {month} {local.year}, {local.hour:02d}:{local.minute:02d} IST"
