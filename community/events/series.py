"""Recurring events: a series is stored as one event per occurrence, each carrying ``series``
(its id, the first occurrence's, and the rule), so one occurrence is changed, answered or
cancelled alone like any event. Weekly and monthly rules are expanded by ``dateutil.rrule`` in
the event's own zone (the wall-clock time holds across daylight saving, and a monthly rule skips
months without the day, as RFC 5545 says), so the calendar file's RRULE names exactly the
occurrences stored. A rule without an end is refused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule  # type: ignore[import-untyped]

from community.errors import Invalid
from community.events.schemas import SERIES_MAX, EventIn
from community.i18n import gettext as _

FREQUENCIES = {"weekly": (WEEKLY, "WEEKLY"), "monthly": (MONTHLY, "MONTHLY")}


def occurrences(data: EventIn, start: datetime, zone: ZoneInfo, now: datetime) -> tuple[list[datetime], dict[str, Any] | None]:
    """The UTC starts of every occurrence (the first is ``start``) and the rule to store, or
    ``Invalid`` naming the field that is wrong."""
    if data.repeat == "none":
        if data.repeat_count or data.repeat_until or data.dates:
            raise Invalid({"repeat": _("Choose how the event repeats, or leave the repeat fields empty.")})
        return [start], None
    if data.repeat == "dates":
        if not data.dates:
            raise Invalid({"dates": _("List the further dates and times.")})
        extra = sorted((d if d.tzinfo else d.replace(tzinfo=zone)).astimezone(UTC) for d in data.dates)
        if any(moment <= now for moment in extra):
            raise Invalid({"dates": _("Every date must be in the future.")})
        starts = sorted({start, *extra})
        return starts, {"freq": None, "rdates": starts}
    if data.repeat_count is None and data.repeat_until is None:
        raise Invalid({"repeat_until": _("A series needs an end: a number of occurrences or a last date.")})
    freq, name = FREQUENCIES[data.repeat]
    local = start.astimezone(zone).replace(tzinfo=None)
    until = datetime.combine(data.repeat_until, time(23, 59)) if data.repeat_until else None
    if until is not None and until < local:
        raise Invalid({"repeat_until": _("The last date must be after the first occurrence.")})
    rule = rrule(freq, dtstart=local, count=data.repeat_count, until=until)
    starts = [moment.replace(tzinfo=zone).astimezone(UTC) for moment in rule[:SERIES_MAX + 1]]
    if len(starts) > SERIES_MAX:
        raise Invalid({"repeat_until": _("A series has at most %(n)s occurrences.", n=SERIES_MAX)})
    stored: dict[str, Any] = {"freq": name, "count": len(starts), "rdates": None}
    return starts, stored


def shifted(value: datetime | None, by: timedelta) -> datetime | None:
    return value + by if value is not None else None
