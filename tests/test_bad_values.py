"""Values a person types that Python's own parsing cannot take: numbers ``int`` refuses, dates
whose zone conversion leaves Python's calendar, zones that are no place, control characters in a
message. Each is refused next to its field (or answered as not found), never a server error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.messages import queries as messages
from community.validation import whole_number
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.network.helpers import connect
from tests.profiles.helpers import HEALTH, small_dictionary


def test_a_whole_number_is_decimal_digits_in_any_script_and_not_too_many() -> None:
    assert [whole_number(text) for text in ("12", "-3", "१२", "0", "9" * 18)] == [12, -3, 12, 0, int("9" * 18)]
    assert [whole_number(text) for text in ("²", "--1", "-", "", " 1", "1.5", "0x10", "9" * 19, "9" * 5000)] == [None] * 9


@pytest.fixture
def no_errors(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.WARNING)
    yield
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_level_that_is_not_a_number_is_refused_beside_its_field(client: TestClient, db: Any, no_errors: None) -> None:
    await small_dictionary(db)
    officer = await make_user(db)
    await sign_in(client, officer)
    token = await csrf_token(client, "/profile/edit")
    for level in ("--1", "²", "9" * 5000):
        response = await client.post("/profile/competencies", data={"csrf_token": token, "competency_id": HEALTH,
                                                                    "level": level})
        assert response.status == 422 and 'id="level-error"' in await response.text(), level[:10]
    assert await db.profiles.find_one({"_id": officer["_id"], "competencies": {"$ne": []}}) is None


async def test_a_list_limit_that_is_not_a_number_is_refused(client: TestClient, db: Any, no_errors: None) -> None:
    officer = await make_user(db)
    await sign_in(client, officer)
    for limit in ("²", "--1", "9" * 5000):
        page = await client.get("/leaderboard", params={"limit": limit})
        assert page.status == 422, limit[:10]
        api = await client.get("/api/v1/karma/leaderboard", params={"limit": limit},
                               headers={"Authorization": f"Bearer {await bearer_token(client, officer)}"})
        assert api.status == 422 and api.content_type == "application/problem+json"


async def test_a_month_outside_the_calendar_is_not_found(client: TestClient, no_errors: None) -> None:
    for month in ("9999-12", "1-1", "0-1", "²-1", "2026-13"):
        assert (await client.get("/events/month", params={"month": month})).status == 404, month
    assert (await client.get("/events/month", params={"month": "2026-12"})).status == 200


async def test_event_times_at_the_ends_of_the_calendar_are_refused_beside_their_field(
        client: TestClient, db: Any, no_errors: None) -> None:
    expert = await make_user(db, roles=("expert",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, expert)}"}
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    end = (datetime.now(UTC) + timedelta(days=3, hours=1)).strftime("%Y-%m-%dT%H:%M")
    body = {"title": "Budget basics", "start": start, "end": end, "capacity": 5, "zone": "Asia/Kolkata",
            "place": "link", "link": "https://meet.example.gov.in/budget"}
    cases = [({"start": "0001-01-01T00:00", "end": "0001-01-01T01:00"}, "start"),
             ({"start": "9999-12-31T20:00", "end": "9999-12-31T21:00", "zone": "Pacific/Pago_Pago"}, "start"),
             ({"rsvp_closes": "0001-01-01T00:00"}, "rsvp_closes"),
             ({"repeat": "dates", "dates": ["9999-12-31T23:00"]}, "dates.0"),
             ({"repeat": "weekly", "repeat_until": "9999-12-31"}, "repeat_until"),
             ({"zone": "Factory"}, "zone"), ({"zone": "localtime"}, "zone")]
    for change, field in cases:
        response = await client.post("/api/v1/events", json={**body, **change}, headers=headers)
        assert response.status == 422, (change, await response.text())
        problem = await response.json(content_type=None)
        assert field in [error["field"] for error in problem["errors"]], (change, problem)
    assert await db.events.count_documents({}) == 0
    assert (await client.post("/api/v1/events", json=body, headers=headers)).status == 201


async def test_a_direct_message_refuses_control_characters(client: TestClient, db: Any, no_errors: None) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await connect(client.app, asha, ravi)
    await sign_in(client, asha)
    token = await csrf_token(client, "/messages/new")
    for body in ("\x00", "Budget\x00 review", "\x07"):
        response = await client.post("/messages/new", data={"csrf_token": token, "to": str(ravi["_id"]), "body": body})
        assert response.status == 422 and 'id="message-body-error"' in await response.text(), repr(body)
    assert await db[messages.MESSAGES].count_documents({}) == 0
