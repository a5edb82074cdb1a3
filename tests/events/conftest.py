"""Events fixtures: a store with no app around it (actions run through ``tests.factories.act``),
an expert to host, and event input two days ahead in India's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from community.accounts.sessions import actor_for_user
from community.events.schemas import EventIn
from community.policy import Actor

IST = ZoneInfo("Asia/Kolkata")


def local(delta: timedelta) -> str:
    """A wall-clock time in India ``delta`` from now, to the minute, as a form sends it."""
    return (datetime.now(UTC) + delta).astimezone(IST).strftime("%Y-%m-%dT%H:%M")


def event_in(**changes: Any) -> EventIn:
    fields: dict[str, Any] = {"title": "Noting and drafting clinic", "description": "Bring a **draft** note.",
                              "start": local(timedelta(days=2)), "end": local(timedelta(days=2, hours=1)),
                              "zone": "Asia/Kolkata", "capacity": 3, "place": "link",
                              "link": "https://meet.example.gov.in/clinic"}
    return EventIn.model_validate({**fields, **changes})


def as_actor(user: dict[str, Any]) -> Actor:
    return actor_for_user(user)
