"""The closing-date filter: when a vacancy closes, in windows people use ("closing this week").

The windows are whole days of Indian Standard Time counted from today: this week is the seven
days starting today, within a month the thirty days starting today (so it holds this week too),
later everything after those thirty days. A day is an IST day, so a vacancy closing at 23:30 IST
on the seventh day is closing this week whatever the hour in UTC. The windows move with the
clock, which is why they are worked out when asked and never stored in the search index.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal

from community.i18n import gettext as _
from community.timezones import IST
from search.filters import Range

CLOSING = ("week", "month", "later")
Closing = Literal["week", "month", "later"]
WEEK_DAYS = 7
MONTH_DAYS = 30


def _end_of_days(now: datetime, days: int) -> datetime:
    """The IST midnight ending ``days`` whole days starting with today (IST), in UTC."""
    today = now.astimezone(IST).date()
    return datetime.combine(today + timedelta(days=days), time(), IST).astimezone(UTC)


def window(closing: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``(from, before)``: a vacancy is in the window when ``from <= closes_at < before``
    (``None``: no bound). An open vacancy whose closing time has just passed, not yet closed
    by its job, is closing this week."""
    if closing == "week":
        return None, _end_of_days(now, WEEK_DAYS)
    if closing == "month":
        return None, _end_of_days(now, MONTH_DAYS)
    if closing == "later":
        return _end_of_days(now, MONTH_DAYS), None
    raise ValueError(f"unknown closing window {closing!r}")


def label(closing: str) -> str:
    return {"week": _("Closing this week"), "month": _("Closing within a month"),
            "later": _("Closing later")}[closing]


def index_range(closing: str, now: datetime) -> Range:
    """The window as a range of the search index's ``closes`` (whole seconds, both bounds included)."""
    closes_from, closes_before = window(closing, now)
    return Range("closes", gte=None if closes_from is None else int(closes_from.timestamp()),
                 lte=None if closes_before is None else int(closes_before.timestamp()) - 1)
