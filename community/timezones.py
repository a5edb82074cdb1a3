"""Indian Standard Time: the one clock the site shows times in and counts days, weeks and months by,
and ``local_time``, the template filter that shows a moment in it, in the reader's language;
``zone_choices``, the zones a form offers by name with their offset from UTC.

A fixed offset rather than ``ZoneInfo("Asia/Kolkata")``: India has kept UTC+05:30 without
daylight saving since 1945, and a fixed offset needs no time-zone database on the host and is
quicker to convert to (post times are converted for every post on a page).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_month_names

from community.i18n import N_, current_locale, gettext as _

IST = timezone(timedelta(hours=5, minutes=30), "IST")

NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})
"""Names in the time-zone database that are no place's zone: tzdata's placeholder for a machine
not set up yet, and the host's own settings."""


@cache
def known_zones() -> frozenset[str]:
    """The IANA zone names a person may choose, read from the database once (it is a directory
    walk each time ``available_timezones`` is asked)."""
    return frozenset(available_timezones()) - NOT_PLACES
INDIA_ZONE = "Asia/Kolkata"

NAMED_ZONES: dict[str, str] = {
    INDIA_ZONE: N_("India Standard Time"),
    "UTC": N_("Coordinated Universal Time"),
    "America/Los_Angeles": N_("US Pacific Time"),
    "America/Chicago": N_("US Central Time"),
    "America/New_York": N_("US Eastern Time"),
    "America/Sao_Paulo": N_("Brasília Time"),
    "Europe/London": N_("UK Time"),
    "Europe/Paris": N_("Central European Time"),
    "Africa/Johannesburg": N_("South Africa Standard Time"),
    "Africa/Nairobi": N_("East Africa Time"),
    "Europe/Moscow": N_("Moscow Time"),
    "Asia/Riyadh": N_("Arabia Standard Time"),
    "Asia/Dubai": N_("Gulf Standard Time"),
    "Asia/Karachi": N_("Pakistan Standard Time"),
    "Asia/Colombo": N_("Sri Lanka Time"),
    "Asia/Kathmandu": N_("Nepal Time"),
    "Asia/Dhaka": N_("Bangladesh Standard Time"),
    "Asia/Thimphu": N_("Bhutan Time"),
    "Asia/Yangon": N_("Myanmar Time"),
    "Asia/Bangkok": N_("Indochina Time"),
    "Asia/Singapore": N_("Singapore Time"),
    "Asia/Shanghai": N_("China Standard Time"),
    "Asia/Tokyo": N_("Japan Standard Time"),
    "Australia/Sydney": N_("Australian Eastern Time"),
    "Pacific/Auckland": N_("New Zealand Time"),
}
"""The zones an event form offers, by the name people know them by. India's comes first and is the
default; any other IANA zone stays valid (the API takes one, and an event keeps the zone it has)."""


def utc_offset(zone: str, at: datetime) -> str:
    """``+05:30``: how far ``zone`` is ahead of UTC at ``at`` (summer time included)."""
    offset = (at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta()).total_seconds() // 60
    sign, minutes = ("-" if offset < 0 else "+"), int(abs(offset))
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_words(zone: str) -> str:
    """``UK Time`` for ``Europe/London``, in the reader's language; a zone without a name here reads
    as its IANA id."""
    named = NAMED_ZONES.get(zone)
    return _(named) if named else zone


def zone_name(zone: str, at: datetime) -> str:
    """``India Standard Time (UTC+05:30)`` in the reader's language."""
    return f"{zone_words(zone)} (UTC{utc_offset(zone, at)})"


def zone_choices(at: datetime, keep: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """Groups of ``(zone, name)`` for a select: India's first, then the common zones from west to
    east by their offset at ``at``; ``keep``, a valid zone the form already holds that is not
    among them, is offered too, so editing an event does not change its zone."""
    others = sorted((zone for zone in NAMED_ZONES if zone != INDIA_ZONE),
                    key=lambda zone: (at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(), zone))
    groups = [(_("India"), [(INDIA_ZONE, zone_name(INDIA_ZONE, at))]),
              (_("Common time zones"), [(zone, zone_name(zone, at)) for zone in others])]
    if keep and keep not in NAMED_ZONES:
        groups.append((_("The event's time zone"), [(keep, zone_name(keep, at))]))
    return groups


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
