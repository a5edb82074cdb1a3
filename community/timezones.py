"""Indian Standard Time: the one clock the site shows times in and counts days, weeks and months by.

A fixed offset rather than ``ZoneInfo("Asia/Kolkata")``: India has kept UTC+05:30 without
daylight saving since 1945, and a fixed offset needs no time-zone database on the host and is
quicker to convert to (post times are converted for every post on a page).
"""

from __future__ import annotations

from datetime import timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")
