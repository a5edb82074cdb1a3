"""An expert makes two people co-hosts of an event by address; one of them edits it: the form
names both, the co-host finds a third by name in the co-hosts' picker, fixes the title and saves,
and all three co-host. The host then removes the one who edited, who can no longer change it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.events.queries import EVENTS
from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import check_page, ist_input, signed_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]



async def test_the_edit_form_keeps_removes_and_adds_cohosts_by_name(
        new_context: NewContext, server: Server, community: Community, people: Callable[..., Awaitable[Person]],
        tools: Tools, screenshots: Path) -> None:
    host = Person(name="Kiran Hosts", email="kiran.hosts@example.gov.in")
    async with server.store() as db:
        await make_user(db, org={"_id": community.org_id}, roles=("expert",), name=host.name, email=host.email)
    editor, kept, added = await people("Anita Cohost"), await people("Vikram Cohost"), await people("Kavita Chosen")

    hosting = await signed_in(new_context, host)
    await hosting.goto("/events/new")
    await hosting.get_by_label("Title").fill("Budget basics")
    await hosting.get_by_label("Starts").fill(ist_input(3))
    await hosting.get_by_label("Ends").fill(ist_input(3, 1))
    await hosting.get_by_label("Seats").fill("5")
    await hosting.get_by_label("Co-hosts", exact=True).fill(f"{editor.email}, {kept.email}")
    await hosting.get_by_label("Meeting link").fill("https://meet.example.gov.in/budget")
    await hosting.get_by_role("button", name="Save").click()
    await expect(hosting.get_by_text("The event is saved.")).to_be_visible()
    event_id = ObjectId(hosting.url.split("?")[0].rsplit("/", 1)[1])

    editing = await signed_in(new_context, editor)
    await editing.goto(f"/events/{event_id}/edit")
    await expect(editing.get_by_label(f"Remove {editor.name}")).not_to_be_checked()
    await expect(editing.get_by_label(f"Remove {kept.name}")).not_to_be_checked()
    await expect(editing.get_by_text(kept.email)).to_have_count(0)
    lookup = editing.get_by_role("combobox", name="Find co-hosts by name")
    await lookup.press_sequentially("Kavita Ch")
    await expect(lookup).to_have_attribute("aria-expanded", "true")
    await editing.get_by_role("option", name=re.compile(added.name)).click()
    await expect(editing.get_by_label(f"Make {added.name} a co-host")).to_be_checked()
    await expect(lookup).to_have_value("")
    await editing.get_by_label("Title").fill("Budget basics, typo fixed")
    await check_page(editing, tools, screenshots, "events-cohosts")
    await editing.get_by_role("button", name="Save").click()
    await expect(editing.get_by_text("The event is saved.")).to_be_visible()
    await expect(editing.get_by_role("heading", name="Budget basics, typo fixed")).to_be_visible()

    async def cohost_emails() -> list[str]:
        async with server.store() as db:
            event = await db[EVENTS].find_one({"_id": event_id})
            emails = {user["_id"]: user["email"] async for user in db.users.find({"_id": {"$in": event["cohost_ids"]}})}
        return [emails[user_id] for user_id in event["cohost_ids"]]

    assert await cohost_emails() == [editor.email, kept.email, added.email]

    await hosting.goto(f"/events/{event_id}/edit")
    await hosting.get_by_label(f"Remove {editor.name}").check()
    await hosting.get_by_role("button", name="Save").click()
    await expect(hosting.get_by_text("The event is saved.")).to_be_visible()
    assert await cohost_emails() == [kept.email, added.email]
    answer = await editing.goto(f"/events/{event_id}/edit")
    assert answer is not None and answer.status == 404, "a draft only its hosts see"
