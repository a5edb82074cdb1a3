"""Two people in two browsers message each other live: one starts from the other's profile, the
other reads it (the first sees the read receipt arrive without reloading) and replies, and the
reply appears on the first page at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.network.queries import CONNECTIONS, pair_key
from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _connected(server: Server, one: Person, other: Person) -> tuple[str, str]:
    async with server.store() as db:
        a = (await db.users.find_one({"email": one.email}, {"_id": 1}))["_id"]
        b = (await db.users.find_one({"email": other.email}, {"_id": 1}))["_id"]
        now = datetime.now(UTC)
        await db[CONNECTIONS].insert_one({"_id": pair_key(a, b), "a": a, "b": b, "status": "accepted", "note": "",
                                          "requested_at": now, "accepted_at": now, "expires_at": None,
                                          "request_id": ObjectId()})
    return str(a), str(b)


async def test_two_browsers_message_each_other_live_with_a_read_receipt(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path) -> None:
    meera, kabir = await people("Meera Messages"), await people("Kabir Messages")
    _meera_id, kabir_id = await _connected(server, meera, kabir)
    writing = await signed_in(new_context, meera)
    reading = await signed_in(new_context, kabir)

    await writing.goto(f"/people/{kabir_id}")
    await writing.get_by_role("link", name="Message", exact=True).click()
    await expect(writing.get_by_label("To")).to_have_value(kabir_id)
    await writing.get_by_label("Your message").fill("Could you share the **GeM** bid sheet?")
    await writing.get_by_role("button", name="Send").click()
    await expect(writing.get_by_role("heading", level=1)).to_have_text(kabir.name)
    await expect(writing.locator("#messages strong", has_text="GeM")).to_be_visible()
    await expect(writing.locator("#messages[data-live]")).to_have_count(1)
    await check_page(writing, tools, screenshots, "messages-conversation")

    await reading.goto("/messages")
    await expect(reading.locator("[data-messages-unread]")).to_have_text("1")
    await reading.get_by_role("link", name=meera.name).click()
    await expect(reading.locator("#messages")).to_contain_text("Could you share the GeM bid sheet?")
    await expect(reading.locator("[data-messages-unread]")).to_be_hidden()
    await expect(writing.locator("#read-receipt")).to_contain_text("Seen by:")

    await expect(reading.locator("#messages[data-live]")).to_have_count(1)
    await reading.get_by_label("Your message").fill("Sending it now.")
    await reading.get_by_role("button", name="Send").click()
    await expect(writing.locator("#messages")).to_contain_text("Sending it now.")
    await expect(reading.locator("#messages")).to_contain_text("Sending it now.")
    await expect(reading.get_by_label("Your message")).to_have_value("")
    await expect(reading.locator("#read-receipt")).to_contain_text("Seen by:")
