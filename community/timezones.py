"""Indian Standard Time: the one clock the site shows times in and counts days, weeks and months by,
and ``local_time``, the template filter that shows a moment in it, in the reader's language.

A fixed offset rather than ``ZoneInfo("Asia/Kolkata")``: India has kept UTC+05:30 without
daylight saving since 1945, and a fixed offset needs no time-zone database on the host and is
quicker to convert to (post times are converted for every post on a page).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache

from babel.dates import get_month_names

from community.i18n import current_locale

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def as_utc(value: datetime) -> datetime:
    """A stored time as an aware UTC time: the store may hand times back without their zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# Cached per process, not per app: Babel's month names depend on the locale (the key) alone.
@cache
def _months(locale: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", locale=locale))


def month_label(value: str) -> str:
    """``Nov 2026`` for the stored month ``2026-11``, in the reader's language."""
    year, month = value.split("-")
    return f"{_months(current_locale.get())[int(month)]} {year}"


def local_time(value: datetime | None) -> str:
    """``22 Nov 2026, 14:05 IST``. Called for every post on a page, so it avoids Babel's
    general pattern formatter (ten times slower) and only looks up month names."""
    if value is None:
        return ""
    local = value.replace(tzinfo=value.tzinfo or UTC).astimezone(IST)
    month = _months(current_locale.get())[local.month]
    return f"{local.day} {month} {local.year}, {local.hour:02d}:{local.minute:02d} IST"
