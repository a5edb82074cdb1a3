"""An expert creates and publishes an event with one seat; one person takes the seat, the next is
waitlisted, and when the first gives the seat up the second sees, without reloading, that they
are going."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


def _local(days: int, hours: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).astimezone(ZoneInfo("Asia/Kolkata")).strftime(
        "%Y-%m-%dT%H:%M")


async def test_create_publish_rsvp_until_the_waitlist_and_a_freed_seat_promotes_live(
        new_context: NewContext, server: Server, community: Community, people: Callable[..., Awaitable[Person]],
        tools: Tools, screenshots: Path) -> None:
    host = Person(name="Meera Events", email="meera.events@example.gov.in")
    async with server.store() as db:
        await make_user(db, org={"_id": community.org_id}, roles=("expert",), name=host.name, email=host.email)
    first, second = await people("Asha Events"), await people("Bala Events")

    hosting = await signed_in(new_context, host)
    await hosting.goto("/events")
    await hosting.get_by_role("link", name="Create an event").click()
    await hosting.get_by_label("Title").fill("Noting and drafting clinic")
    await hosting.get_by_label("Description").fill("Bring a **draft** note.")
    await hosting.get_by_label("Starts").fill(_local(2))
    await hosting.get_by_label("Ends").fill(_local(2, 1))
    await hosting.get_by_label("Seats").fill("1")
    await hosting.get_by_label("Meeting link").fill("https://meet.example.gov.in/clinic")
    await check_page(hosting, tools, screenshots, "events-form")
    await hosting.get_by_role("button", name="Save").click()
    await expect(hosting.get_by_text("The event is saved.")).to_be_visible()
    await hosting.get_by_role("button", name="Publish").click()
    await expect(hosting.get_by_text("The event is published.")).to_be_visible()
    event_url = hosting.url.split("?")[0]

    taking = await signed_in(new_context, first)
    await taking.goto(event_url)
    await taking.get_by_role("button", name="Going", exact=True).click()
    await expect(taking.locator("#my-rsvp")).to_have_text("You are going.")

    waiting = await signed_in(new_context, second)
    await waiting.goto(event_url)
    await waiting.get_by_role("button", name="Going", exact=True).click()
    await expect(waiting.locator("#my-rsvp")).to_have_text("The event is full: you are on the waitlist.")
    await check_page(waiting, tools, screenshots, "events-waitlisted")
    await waiting.wait_for_function("() => window.Community && window.Community.socket")
    await waiting.wait_for_timeout(500)

    await taking.get_by_role("button", name="Not going").click()
    await expect(taking.locator("#my-rsvp")).to_have_text("You are not going.")
    await expect(waiting.locator("#my-rsvp")).to_have_text("You are going.")
    await expect(waiting.locator('[data-count="going"]')).to_have_text("1")
    await expect(waiting.locator('[data-count="waitlisted"]')).to_have_text("0")
