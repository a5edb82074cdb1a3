"""Two people in two browsers: one asks to connect with a note, the other accepts from their list
of requests; then a block takes the Connect and Follow buttons away from the blocked person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in

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
