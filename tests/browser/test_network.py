"""Two people in two browsers: one asks to connect with a note, the other accepts from their list
of requests; then a block takes the Connect and Follow buttons away from the blocked person. And
the directory marks who offers mentoring, and in what."""

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


async def _id_of(server: Server, person: Person) -> str:
    async with server.store() as db:
        found = await db.users.find_one({"email": person.email}, {"_id": 1})
    return str(found["_id"])


async def test_connect_accept_then_block_takes_the_connect_button_away(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path) -> None:
    kavya, arjun = await people("Kavya Network"), await people("Arjun Network")
    kavya_id, arjun_id = await _id_of(server, kavya), await _id_of(server, arjun)
    asking = await signed_in(new_context, kavya)
    answering = await signed_in(new_context, arjun)

    await asking.goto(f"/people/{arjun_id}")
    await asking.get_by_label("A note with your request (optional)").fill("We met at the Mussoorie workshop.")
    await check_page(asking, tools, screenshots, "network-profile-connect")
    await asking.get_by_role("button", name="Connect", exact=True).click()
    await expect(asking.get_by_text("Your request is waiting for an answer.")).to_be_visible()

    await answering.goto("/network/lists/received")
    await expect(answering.get_by_role("link", name="Requests received (1)")).to_be_visible()
    await expect(answering.get_by_text("We met at the Mussoorie workshop.")).to_be_visible()
    await check_page(answering, tools, screenshots, "network-requests-received")
    await answering.get_by_role("button", name=f"Accept: {kavya.name}").click()
    await expect(answering.get_by_role("link", name="Connections (1)")).to_be_visible()
    await answering.get_by_role("link", name="Connections (1)").click()
    await expect(answering.get_by_role("link", name=kavya.name)).to_be_visible()

    await asking.reload()
    await expect(asking.get_by_text("You are connected.")).to_be_visible()
    await expect(asking.get_by_text(arjun.email)).to_be_visible()

    await answering.goto(f"/people/{kavya_id}")
    await answering.get_by_role("button", name="Block", exact=True).click()
    await expect(answering.get_by_role("button", name="Unblock", exact=True)).to_be_visible()

    await asking.reload()
    await expect(asking.get_by_role("heading", level=1)).to_have_text(arjun.name)
    await expect(asking.get_by_role("button", name="Connect", exact=True)).to_have_count(0)
    await expect(asking.get_by_role("button", name="Follow", exact=True)).to_have_count(0)
    await expect(asking.get_by_text("You are connected.")).to_have_count(0)
    await expect(asking.get_by_text(arjun.email)).to_have_count(0)


async def _expert_listing(server: Server, person: Person, competency: str, offer: bool) -> None:
    """Make ``person`` an expert who lists ``competency`` at level 4 and, if ``offer``, offers
    mentoring in it (through the API, so the server's indexer brings their directory rows up)."""
    async with server.store() as db:
        await db.users.update_one({"email": person.email}, {"$addToSet": {"roles": "expert"}})
        token = await bearer_token(db, await db.users.find_one({"email": person.email}))
    async with aiohttp.ClientSession(server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.post("/api/v1/profiles/me/competencies", json={"competency_id": competency, "level": 4}) as made:
            assert made.status == 200, await made.text()
        if offer:
            async with http.put("/api/v1/mentoring/offer", json={
                    "competencies": [competency], "offer": "Reviews of your first drafts.", "monthly_cap": 2}) as made:
                assert made.status == 200, await made.text()


async def test_the_directory_marks_who_offers_mentoring_and_in_what(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path) -> None:
    async with server.store() as db:
        topic = [row for row in await db.competencies.find({}, {"name": 1}).to_list(None) if len(row["_id"]) <= 80][0]
    mentor, expert = await people("Nandini Mentoring"), await people("Omkar Expertise")
    await _expert_listing(server, mentor, topic["_id"], offer=True)
    await _expert_listing(server, expert, topic["_id"], offer=False)
    await server.indexed()
    viewer = await signed_in(new_context, await people("Pooja Directory"))

    await viewer.goto(f"/network?competency={topic['_id']}")
    mentor_card = viewer.locator("li", has=viewer.get_by_role("link", name=mentor.name))
    await expect(mentor_card).to_contain_text(f"Offers mentoring: {topic['name']}")
    await expect(viewer.locator("li", has=viewer.get_by_role("link", name=expert.name))).not_to_contain_text(
        "Offers mentoring")
    await check_page(viewer, tools, screenshots, "network-directory-mentoring")
    await viewer.get_by_label("Available for mentoring").check()
    await viewer.get_by_role("button", name="Show").click()
    await expect(viewer.get_by_role("link", name=mentor.name)).to_be_visible()
    await expect(viewer.get_by_role("link", name=expert.name)).to_have_count(0)
