"""An expert creates and publishes an event with one seat; one person takes the seat, the next is
waitlisted, and when the first gives the seat up the second sees, without reloading, that they
are going. Afterwards, whoever attended takes their certificate from the event page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from community.events import live, service
from community.events.queries import EVENTS
from community.rooms import attendance
from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import check_page, ist_input, signed_in
from tests.certificates.helpers import pdf_text
from tests.events.conftest import as_actor, event_in
from tests.factories import act, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]



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
    await hosting.get_by_label("Starts").fill(ist_input(2))
    await hosting.get_by_label("Ends").fill(ist_input(2, 1))
    await hosting.get_by_label("Seats").fill("1")
    await hosting.get_by_label("Meeting link").fill("https://meet.example.gov.in/clinic")
    zone = hosting.get_by_label("Time zone")
    await expect(zone).to_have_value("Asia/Kolkata")
    await zone.select_option(label="Nepal Time (UTC+05:45)")
    await zone.select_option(label="India Standard Time (UTC+05:30)")
    await check_page(hosting, tools, screenshots, "events-form")
    title, next_label = await hosting.locator("#title").bounding_box(), await hosting.locator("label[for=description]").bounding_box()
    assert title and next_label and next_label["y"] >= title["y"] + title["height"] + 8, \
        f"the Description label touches the Title box above it: {title} then {next_label}"
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


async def test_who_attended_gets_the_certificate_from_the_event_page(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path, tmp_path: Path) -> None:
    """After the session, the event page of someone who stayed offers the certificate; one press
    issues it and leads to their list, where the PDF carries their name and the event's title."""
    attendee = await people("Charu Attended")
    async with server.store() as db:
        host = await make_user(db, roles=("expert",), name="Dr Farida Host")
        event_id = await act(db, as_actor(host), service.create, event_in(title="Drafting a cabinet note"))
        await act(db, as_actor(host), service.publish, event_id)
        user = await db.users.find_one({"email": attendee.email})
        await act(db, as_actor(user), service.rsvp, event_id, "going")
        start = datetime.now(UTC) - timedelta(hours=2)
        await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": start, "end_at": start + timedelta(hours=1)}})
        await attendance.joined(db, live.KIND, event_id, user["_id"], start)
        await attendance.left(db, live.KIND, event_id, user["_id"], start + timedelta(hours=1))

    page = await signed_in(new_context, attendee)
    await page.goto(f"/events/{event_id}")
    section = page.get_by_role("region", name="Certificate of attendance")
    await check_page(page, tools, screenshots, "events-after")
    await section.get_by_role("button", name="Get your certificate").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your certificates")
    await expect(page.get_by_role("alert")).to_contain_text("Your certificate of attendance is ready")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download the PDF: Drafting a cabinet note").click()
    saved = tmp_path / (await waiting.value).suggested_filename
    await (await waiting.value).save_as(saved)
    lines = pdf_text(saved.read_bytes(), tmp_path).splitlines()
    assert attendee.name in lines and "Drafting a cabinet note" in lines and "Dr Farida Host" in " ".join(lines)
