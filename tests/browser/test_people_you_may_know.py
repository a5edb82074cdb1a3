"""People you may know in a browser: the Network page's card says why (a shared connection), and
"Not for me" takes it away for good."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.network.queries import CONNECTIONS, pair_key
from tests.browser.conftest import NewContext, Server, Tools
from tests.browser.support import check_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _connect(db: Any, one: ObjectId, other: ObjectId) -> None:
    now = datetime.now(UTC)
    await db[CONNECTIONS].insert_one({"_id": pair_key(one, other), "a": one, "b": other, "status": "accepted",
                                      "note": "", "requested_at": now, "accepted_at": now, "expires_at": None,
                                      "request_id": ObjectId()})


async def test_the_card_says_why_and_not_for_me_keeps_it_away(
        new_context: NewContext, server: Server, people: Any, tools: Tools, screenshots: Path) -> None:
    meena, friend, known = await people("Meena Suggested"), await people("Farid Friend"), await people("Kiran Known")
    async with server.store() as db:
        ids = {person.email: (await db.users.find_one({"email": person.email}, {"_id": 1}))["_id"]
               for person in (meena, friend, known)}
        await _connect(db, ids[meena.email], ids[friend.email])
        await _connect(db, ids[friend.email], ids[known.email])
    page = await signed_in(new_context, meena)
    await page.goto("/network")
    card = page.locator(f"#suggested-{ids[known.email]}")
    await expect(card.get_by_role("link", name=known.name)).to_be_visible()
    await expect(card.get_by_text("1 shared connection")).to_be_visible()
    await check_page(page, tools, screenshots, "network-people-you-may-know")
    await card.get_by_role("button", name="Not for me").click()
    await expect(page.get_by_text("Dismissed: this member will not be suggested to you again.")).to_be_visible()
    await expect(page.locator(f"#suggested-{ids[known.email]}")).to_have_count(0)
    await page.goto("/network/suggestions")
    await expect(page.get_by_role("heading", level=1)).to_have_text("People you may know")
    await expect(page.locator(f"#suggested-{ids[known.email]}")).to_have_count(0)
