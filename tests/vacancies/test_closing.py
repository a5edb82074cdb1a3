"""The list's closing-date filter: this week, within a month, later, in days of Indian Standard
Time from the app's clock, counted and narrowed like the other filters, in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.app import create_app
from community.config import Settings
from community.search_pages.routes import INDEXER
from community.timezones import IST
from community.vacancies import closing
from tests.vacancies.helpers import call, refused, scene

TODAY = datetime.now(IST).date() + timedelta(days=1)
"""The IST day the app's clock is in (tomorrow, so the tokens the tests issue now are valid)."""


def ist(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), IST)


NOW = ist(TODAY, 0, 30).astimezone(UTC)
"""00:30 IST, while it is still the day before in UTC."""


@pytest.fixture
def app(settings: Settings) -> web.Application:
    made = create_app(settings)
    made[keys.CLOCK] = lambda: NOW
    return made


def test_the_windows_end_at_midnight_ist_after_seven_and_thirty_days_counting_today() -> None:
    assert NOW.date() < TODAY
    assert closing.window("week", NOW) == (None, ist(TODAY + timedelta(days=7), 0, 0))
    assert closing.window("month", NOW) == (None, ist(TODAY + timedelta(days=30), 0, 0))
    assert closing.window("later", NOW) == (ist(TODAY + timedelta(days=30), 0, 0), None)


async def test_the_list_counts_and_narrows_by_when_vacancies_close(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    def closes(days: int, hour: int, minute: int) -> str:
        return ist(TODAY + timedelta(days=days), hour, minute).astimezone(UTC).isoformat()
    seventh_day = await s.post(title="Closes late on the seventh day", closes_at=closes(6, 23, 30))
    eighth_day = await s.post(title="Closes early on the eighth day", closes_at=closes(7, 0, 30), mode="contract")
    thirtieth_day = await s.post(title="Closes late on the thirtieth day", closes_at=closes(29, 23, 30))
    later = await s.post(title="Closes early on the thirty-first day", closes_at=closes(30, 0, 30))
    await s.post(title="Draft", closes_at=closes(1, 10, 0), publish=False)
    await client.app[INDEXER].drain()
    status, listed = await call(client, "GET", "/api/v1/vacancies", s.token(s.officer))
    assert status == 200 and len(listed["items"]) == 4
    assert [(item["value"], item["label"], item["count"]) for item in listed["counts"]["closing"]] == [
        ("week", "Closing this week", 1), ("month", "Closing within a month", 3), ("later", "Closing later", 1)], \
        "days are IST days: the vacancy closing at 00:30 IST on the eighth day is not closing this week"
    for window, expected in (("week", {seventh_day}), ("month", {seventh_day, eighth_day, thirtieth_day}),
                             ("later", {later})):
        _, narrowed = await call(client, "GET", f"/api/v1/vacancies?closing={window}", s.token(s.officer))
        assert {item["id"] for item in narrowed["items"]} == expected, window
    _, chosen = await call(client, "GET", "/api/v1/vacancies?closing=week&mode=contract", s.token(s.officer))
    assert chosen["items"] == []
    assert {item["value"]: item["count"] for item in chosen["counts"]["closing"]} == {"week": 0, "month": 1, "later": 0}, \
        "the mode chosen narrows the windows' counts; the window chosen leaves the other windows counted"
    assert {item["value"]: item["count"] for item in chosen["counts"]["mode"]}["deputation"] == 1
    status, problem = await call(client, "GET", "/api/v1/vacancies?closing=tomorrow", s.token(s.officer))
    assert status == 422 and refused(problem) == {"closing"}
    page = await (await client.get("/vacancies?closing=week")).text()
    assert '<option value="week" selected>Closing this week (1)</option>' in page
    assert '<option value="later">Closing later (1)</option>' in page
    assert "Closes late on the seventh day" in page and "Closes early on the eighth day" not in page
    hindi = await (await client.get("/vacancies", headers={"Accept-Language": "hi"})).text()
    assert '<option value="month">एक महीने के भीतर बंद होने वाली (3)</option>' in hindi
    wrong = await (await client.get("/vacancies?closing=tomorrow")).text()
    assert 'aria-describedby="filter-closing-error"' in wrong


async def test_search_counts_and_narrows_open_vacancies_by_closing_window(client: TestClient, db: Any) -> None:
    s = await scene(client, db)

    def closes(days: int, hour: int, minute: int) -> str:
        return ist(TODAY + timedelta(days=days), hour, minute).astimezone(UTC).isoformat()
    soon = await s.post(title="Epidemiologist, soon", closes_at=closes(6, 23, 30))
    await s.post(title="Epidemiologist, next week", closes_at=closes(7, 0, 30))
    far = await s.post(title="Epidemiologist, far", closes_at=closes(45, 12, 0))
    closed = await s.post(title="Epidemiologist, closed early", closes_at=closes(2, 12, 0))
    status, answer = await call(client, "POST", f"/api/v1/vacancies/{closed}/close", s.token(s.admin))
    assert status == 200, answer
    await client.app[INDEXER].drain()
    status, found = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist", s.token(s.officer))
    assert status == 200 and found["total"] == 4
    assert found["facets"]["closing"] == [{"value": "week", "label": "Closing this week", "count": 1},
                                          {"value": "month", "label": "Closing within a month", "count": 2},
                                          {"value": "later", "label": "Closing later", "count": 1}], \
        "a closed vacancy is closing at no date"
    _, this_week = await call(client, "GET", "/api/v1/search?kind=vacancies&q=epidemiologist&closing=week",
                              s.token(s.officer))
    assert [hit["id"] for hit in this_week["hits"]] == [soon]
    assert [item["value"] for item in this_week["facets"]["closing"]] == ["week", "month", "later"], \
        "the window chosen leaves the others counted"
    _, later = await call(client, "GET", "/api/v1/search?kind=vacancies&closing=later", s.token(s.officer))
    assert [hit["id"] for hit in later["hits"]] == [far]
    status, problem = await call(client, "GET", "/api/v1/search?kind=vacancies&closing=soon", s.token(s.officer))
    assert status == 422 and refused(problem) == {"closing"}
    page = await (await client.get("/search?kind=vacancies&q=epidemiologist&closing=week")).text()
    assert "<h2>Closing date</h2>" in page and '<input type="hidden" name="closing" value="week">' in page
    assert "Remove filter: Closing this week" in page
    assert 'href="/search?q=epidemiologist&amp;kind=vacancies&amp;closing=later"' in page
    hindi = await (await client.get("/search?kind=vacancies&q=epidemiologist", headers={"Accept-Language": "hi"})).text()
    assert "<h2>अंतिम तिथि</h2>" in hindi and ">इस सप्ताह बंद होने वाली</a>" in hindi
    document = await (await client.get("/api/v1/openapi.json")).json()
    assert "closing" in {parameter["name"] for parameter in document["paths"]["/api/v1/search"]["get"]["parameters"]}
