"""An expert invites two people to an invitation-only event by address, then edits it: the form
names the two, the host finds a third by name in the people picker, removes one, renames the
event and saves; the one kept and the one added are invited, the one removed no longer is."""

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



async def test_the_edit_form_keeps_removes_and_adds_invitations_by_name(
        new_context: NewContext, server: Server, community: Community, people: Callable[..., Awaitable[Person]],
        tools: Tools, screenshots: Path) -> None:
    host = Person(name="Kiran Invites", email="kiran.invites@example.gov.in")
    async with server.store() as db:
        await make_user(db, org={"_id": community.org_id}, roles=("expert",), name=host.name, email=host.email)
    kept, removed, added = await people("Anita Invited"), await people("Vikram Invited"), await people("Kavita Picked")

    hosting = await signed_in(new_context, host)
    await hosting.goto("/events/new")
    await hosting.get_by_label("Title").fill("Cabinet note drafting")
    await hosting.get_by_label("Starts").fill(ist_input(3))
    await hosting.get_by_label("Ends").fill(ist_input(3, 1))
    await hosting.get_by_label("Seats").fill("5")
    await hosting.get_by_label("Who may come").select_option("invitation")
    await hosting.get_by_label("Invited people").fill(f"{kept.email}, {removed.email}")
    await hosting.get_by_label("Meeting link").fill("https://meet.example.gov.in/notes")
    await hosting.get_by_role("button", name="Save").click()
    await expect(hosting.get_by_text("The event is saved.")).to_be_visible()
    await hosting.get_by_role("button", name="Publish").click()
    await expect(hosting.get_by_text("The event is published.")).to_be_visible()
    event_id = ObjectId(hosting.url.split("?")[0].rsplit("/", 1)[1])

    await hosting.goto(f"/events/{event_id}/edit")
    await expect(hosting.get_by_label(f"Remove {kept.name}")).not_to_be_checked()
    await expect(hosting.get_by_label(f"Remove {removed.name}")).not_to_be_checked()
    lookup = hosting.get_by_role("combobox", name="Find people to invite by name")
    await lookup.press_sequentially("Kavita Pi")
    await expect(lookup).to_have_attribute("aria-expanded", "true")
    await hosting.get_by_role("option", name=re.compile(added.name)).click()
    await expect(hosting.get_by_label(f"Invite {added.name}")).to_be_checked()
    await expect(lookup).to_have_value("")
    await hosting.get_by_label(f"Remove {removed.name}").check()
    await hosting.get_by_label("Title").fill("Cabinet note drafting clinic")
    await check_page(hosting, tools, screenshots, "events-invitations")
    await hosting.get_by_role("button", name="Save").click()
    await expect(hosting.get_by_text("The event is saved.")).to_be_visible()
    await expect(hosting.get_by_role("heading", name="Cabinet note drafting clinic")).to_be_visible()

    async with server.store() as db:
        event = await db[EVENTS].find_one({"_id": event_id})
        emails = {user["_id"]: user["email"] async for user in db.users.find({"_id": {"$in": event["invited_ids"]}})}
    assert [emails[user_id] for user_id in event["invited_ids"]] == [kept.email, added.email]
    for person, shown in ((kept, True), (added, True), (removed, False)):
        guest = await signed_in(new_context, person)
        answer = await guest.goto(f"/events/{event_id}")
        assert answer is not None and (answer.status == 200) is shown, f"{person.name}: {answer and answer.status}"
