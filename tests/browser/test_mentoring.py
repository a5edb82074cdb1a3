"""Two people in two browsers: an expert publishes a mentoring offer, an officer asks for
mentoring from the expert's profile, and the expert accepts from their mentoring page, which
opens the pair's conversation; each one's open mentoring page changes live with the other's step."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from community.timezones import IST
from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.factories import bearer_token

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _expert_holding_a_competency(server: Server, person: Person) -> tuple[str, str]:
    """Make ``person`` an expert who lists a competency of the seeded dictionary; their id and its name."""
    user_id, _competency_id, name = await _expert_with_topic(server, person)
    return user_id, name


async def _expert_with_topic(server: Server, person: Person) -> tuple[str, str, str]:
    """Make ``person`` an expert who lists a competency of the seeded dictionary: their id, its id and name."""
    async with server.store() as db:
        await db.users.update_one({"email": person.email}, {"$addToSet": {"roles": "expert"}})
        user = await db.users.find_one({"email": person.email})
        competency = [row for row in await db.competencies.find({}, {"name": 1}).to_list(None) if len(row["_id"]) <= 80][0]
        token = await bearer_token(db, user)
    async with aiohttp.ClientSession(server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.post("/api/v1/profiles/me/competencies",
                             json={"competency_id": competency["_id"], "level": 4}) as made:
            assert made.status == 200, await made.text()
    return str(user["_id"]), competency["_id"], competency["name"]


async def test_request_mentoring_and_accept(new_context: NewContext, server: Server,
                                            people: Callable[..., Awaitable[Person]], tools: Tools,
                                            screenshots: Path) -> None:
    meera, ravi = await people("Meera Mentor"), await people("Ravi Mentee")
    meera_id, topic = await _expert_holding_a_competency(server, meera)
    mentor = await signed_in(new_context, meera)
    mentee = await signed_in(new_context, ravi)

    await mentor.goto("/mentoring/offer")
    await mentor.get_by_label(topic).check()
    await mentor.get_by_label("Your offer: what you can help with, and how").fill("Reviews of your district plans.")
    await mentor.locator("#slot-0-weekday").select_option(label="Tuesday")
    await mentor.locator("#slot-0-start").fill("16:00")
    await mentor.get_by_label("New mentees you take in a month").fill("2")
    await check_page(mentor, tools, screenshots, "mentoring-offer")
    day, start = await mentor.locator("#slot-0-weekday").bounding_box(), await mentor.locator("#slot-0-start").bounding_box()
    assert day and start and abs(day["height"] - start["height"]) <= 4 and abs(day["width"] - start["width"]) <= 2, \
        f"a slot's time field is not the size of its day field: {start} against {day}"
    await mentor.get_by_role("button", name="Save your offer").click()
    await expect(mentor.get_by_text("Your mentoring offer is saved.")).to_be_visible()
    await expect(mentor.get_by_text("2 places left this month", exact=False)).to_be_visible()

    await mentor.goto("/mentoring")
    await expect(mentor.get_by_role("heading", name="Requests waiting for your answer (0)")).to_be_visible()
    await expect(mentor.locator("#mentoring-live[data-live]")).to_be_attached()

    await mentee.goto(f"/people/{meera_id}")
    await mentee.get_by_role("link", name="Ask for mentoring").click()
    await mentee.get_by_label("Your goal: what you want to achieve").fill("Prepare my first district review.")
    await check_page(mentee, tools, screenshots, "mentoring-request")
    await mentee.get_by_role("button", name="Ask for mentoring").click()
    await expect(mentee.get_by_text("Your request for mentoring was sent.")).to_be_visible()
    await expect(mentee.locator("#mentorship-status")).to_have_text("Waiting for the mentor's answer")

    await expect(mentor.get_by_role("heading", name="Requests waiting for your answer (1)")).to_be_visible()
    await expect(mentee.locator("#mentoring-live[data-live]")).to_be_attached()
    await mentor.get_by_role("link", name=topic).click()
    await expect(mentor.get_by_text("Prepare my first district review.")).to_be_visible()
    await mentor.locator("#accept-note").fill("Glad to help. Send me last year's review.")
    await check_page(mentor, tools, screenshots, "mentoring-answer")
    await mentor.get_by_role("button", name="Accept", exact=True).click()
    await expect(mentor.get_by_text("You accepted the request; your conversation is open.")).to_be_visible()
    await expect(mentor.locator("#mentorship-status")).to_have_text("Under way")

    await expect(mentee.locator("#mentorship-status")).to_have_text("Under way")
    await expect(mentee.get_by_text("Glad to help. Send me last year's review.").first).to_be_visible()
    await mentee.get_by_role("link", name="Your conversation").click()
    await expect(mentee.get_by_text("Glad to help. Send me last year's review.").first).to_be_visible()
    await expect(mentee.locator("#send-form")).to_be_visible()
    await expect(mentee.get_by_role("heading", name="Message request")).to_have_count(0)


async def _token(server: Server, person: Person) -> str:
    async with server.store() as db:
        return await bearer_token(db, await db.users.find_one({"email": person.email}))


async def _post(server: Server, person: Person, path: str, body: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    async with aiohttp.ClientSession(server.url, headers={"Authorization": f"Bearer {await _token(server, person)}"}) as http:
        async with http.request(method, "/api/v1" + path, json=body) as answer:
            assert answer.status in (200, 201), await answer.text()
            result: dict[str, Any] = await answer.json()
            return result


def _ist(days: int, hour: int) -> str:
    """A wall-clock time in India ``days`` from today at ``hour`` o'clock, as the session form takes it."""
    day = datetime.now(UTC).astimezone(IST).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


async def test_a_mentor_schedules_moves_and_cancels_a_session_the_mentee_finds_in_my_events(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path) -> None:
    meera, ravi = await people("Meera Sessions"), await people("Ravi Sessions")
    meera_id, topic_id, topic = await _expert_with_topic(server, meera)
    await _post(server, meera, "/mentoring/offer", {"competencies": [topic_id], "offer": "District plan reviews.",
                                                     "monthly_cap": 2}, method="PUT")
    asked = await _post(server, ravi, f"/mentoring/offers/{meera_id}/requests",
                        {"competency_id": topic_id, "goal": "Prepare my first district review."})
    await _post(server, meera, f"/mentoring/mentorships/{asked['id']}/accept", {"note": "Glad to help."})

    mentor = await signed_in(new_context, meera)
    await mentor.goto(f"/mentoring/{asked['id']}")
    await expect(mentor.get_by_text("No session scheduled yet.")).to_be_visible()
    await mentor.locator("#session-start").fill(_ist(3, 10))
    await mentor.locator("#session-end").fill(_ist(3, 11))
    await mentor.locator("#session-place").fill("https://meet.example.gov.in/review")
    await mentor.get_by_role("button", name="Schedule the session").click()
    await expect(mentor.get_by_text("The session is scheduled.")).to_be_visible()
    session = mentor.locator("#sessions > li")
    await expect(session).to_have_count(1)
    await expect(session).to_contain_text("10:00")
    await check_page(mentor, tools, screenshots, "mentoring-session")

    await session.get_by_role("link", name=re.compile("10:00")).click()
    await expect(mentor).to_have_url(re.compile(r"/events/[0-9a-f]{24}$"))
    event_path = "/events/" + mentor.url.rsplit("/", 1)[1]
    await expect(mentor.get_by_role("heading", name=f"Mentoring: {topic}")).to_be_visible()
    await expect(mentor.get_by_role("link", name="Edit")).to_have_count(0)

    await mentor.go_back()
    await mentor.get_by_text("Move this session or change its place").click()
    moving = mentor.locator("#sessions > li form").filter(
        has=mentor.get_by_role("button", name="Save the new time and place"))
    await moving.get_by_label("Starts (Indian Standard Time)").fill(_ist(4, 15))
    await moving.get_by_label("Ends (Indian Standard Time)").fill(_ist(4, 16))
    await expect(moving.get_by_label("Meeting link or place")).to_have_value("https://meet.example.gov.in/review")
    await moving.get_by_label("Meeting link or place").fill("Room 204, Karmayogi Bhawan")
    await moving.get_by_role("button", name="Save the new time and place").click()
    await expect(mentor.get_by_text("The session is moved; you are both told.")).to_be_visible()
    await expect(mentor.locator("#sessions > li")).to_contain_text("15:00")
    await expect(mentor.locator("#sessions > li")).to_contain_text("Room 204, Karmayogi Bhawan")

    mentee = await signed_in(new_context, ravi)
    await mentee.goto("/events?when=mine")
    listed = mentee.locator("#events-list > li").filter(has=mentee.locator(f'a[href="{event_path}"]'))
    await expect(listed).to_contain_text(f"Mentoring: {topic}")
    await expect(listed).to_contain_text("15:00")
    await expect(listed).to_contain_text("You are going")
    await check_page(mentee, tools, screenshots, "mentoring-session-my-events")

    await mentor.get_by_role("button", name="Cancel the session").click()
    await expect(mentor.get_by_text("The session is cancelled.")).to_be_visible()
    await expect(mentor.locator("#sessions > li")).to_contain_text("cancelled")
    await mentee.reload()
    await expect(listed).to_contain_text("Cancelled")
