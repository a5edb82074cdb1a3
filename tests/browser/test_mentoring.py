"""Two people in two browsers: an expert publishes a mentoring offer, an officer asks for
mentoring from the expert's profile, and the expert accepts from their mentoring page, which
opens the pair's conversation; each one's open mentoring page changes live with the other's step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.factories import bearer_token

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _expert_holding_a_competency(server: Server, person: Person) -> tuple[str, str]:
    """Make ``person`` an expert who lists a competency of the seeded dictionary; their id and its name."""
    async with server.store() as db:
        await db.users.update_one({"email": person.email}, {"$addToSet": {"roles": "expert"}})
        user = await db.users.find_one({"email": person.email})
        competency = [row for row in await db.competencies.find({}, {"name": 1}).to_list(None) if len(row["_id"]) <= 80][0]
        token = await bearer_token(db, user)
    async with aiohttp.ClientSession(server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.post("/api/v1/profiles/me/competencies",
                             json={"competency_id": competency["_id"], "level": 4}) as made:
            assert made.status == 200, await made.text()
    return str(user["_id"]), competency["name"]


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
