"""A poll in an event's live room, as people use it: the host starts one from the room page while an
attendee in a second browser is in the room; the poll appears in the attendee's page live, the
attendee votes with the plain form, the host's results change live, and the host closes it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from community.events import service
from community.events.queries import EVENTS
from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import SocketFrames, check_page, signed_in
from tests.events.conftest import as_actor, event_in
from tests.factories import act, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _live_event(server: Server, community: Community) -> tuple[str, Person, Person]:
    """A published event whose room is open now: its host (an expert) and one person going."""
    host = Person(name="Dr Leela Menon", email=f"leela.{secrets.token_hex(3)}@example.gov.in")
    attendee = Person(name="Imran Qureshi", email=f"imran.{secrets.token_hex(3)}@example.gov.in")
    async with server.store() as db:
        hosting = await make_user(db, org={"_id": community.org_id}, roles=("officer", "expert"), name=host.name,
                                  email=host.email)
        going = await make_user(db, org={"_id": community.org_id}, name=attendee.name, email=attendee.email)
        event_id = await act(db, as_actor(hosting), service.create, event_in(title="Writing a cabinet note"))
        await act(db, as_actor(hosting), service.publish, event_id)
        await act(db, as_actor(going), service.rsvp, event_id, "going")
        now = datetime.now(UTC)
        await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": now - timedelta(minutes=5),
                                                                 "end_at": now + timedelta(minutes=55)}})
    return f"/rooms/event/{event_id}", host, attendee


async def _in_room(page: Page, frames: SocketFrames) -> None:
    await frames.wait_for("room:enter")
    await expect(page.locator("[data-presence-count]")).not_to_have_text("0")


async def _open(page: Page, path: str) -> None:
    frames = SocketFrames(page)
    await page.goto(path)
    await _in_room(page, frames)


async def test_host_starts_a_poll_attendee_sees_it_live_votes_and_the_host_closes_it(
        new_context: NewContext, server: Server, community: Community, tools: Tools, screenshots: Path) -> None:
    path, host, attendee = await _live_event(server, community)
    hosting, going = await signed_in(new_context, host), await signed_in(new_context, attendee)
    await _open(hosting, path)
    await _open(going, path)
    await expect(going.locator("[data-polls]")).to_contain_text("No polls yet.")
    await expect(going.get_by_text("Start a poll")).to_have_count(0)

    await hosting.get_by_text("Start a poll").click()
    await hosting.get_by_label("Poll question", exact=True).fill("Which part of the note is hardest?")
    await hosting.get_by_label("Options, one a line").fill("The summary\nThe financial implications")
    frames = SocketFrames(hosting)
    await hosting.get_by_role("button", name="Start the poll").click()
    await _in_room(hosting, frames)
    poll = hosting.locator("section.poll")
    await expect(poll).to_contain_text("Which part of the note is hardest?")

    shown = going.locator("section.poll")
    await expect(shown).to_contain_text("Which part of the note is hardest?")  # arrived live, no reload
    await expect(going.locator("[data-polls-empty]")).to_have_count(0)
    await shown.get_by_label("The financial implications").check()
    frames = SocketFrames(going)
    await shown.get_by_role("button", name="Vote").click()
    await _in_room(going, frames)
    await expect(going.locator("section.poll .poll-results tr[data-option='1'] .poll-votes")).to_have_text("1")

    votes = poll.locator(".poll-results tr[data-option='1'] .poll-votes")
    await expect(votes).to_have_text("1")  # the host's page did not reload: the push changed it
    await expect(poll.locator(".poll-results tr[data-option='1'] .poll-percent")).to_have_text("100%")
    await check_page(hosting, tools, screenshots, "room-poll")
    for empty in ("No questions yet.", "No hands raised."):
        marker = await hosting.get_by_text(empty).evaluate("e => getComputedStyle(e).listStyleType")
        assert marker == "none", f"{empty!r} is numbered as if it were the first item: {marker}"

    await poll.get_by_role("button", name="Close the poll").click()
    await expect(hosting.locator("section.poll .tag").first).to_have_text("Closed")
    await expect(going.locator("section.poll .tag").first).to_have_text("Closed")  # live, through poll:closed
    await expect(going.locator("section.poll form.poll-vote")).to_have_count(0)
    await check_page(going, tools, screenshots, "room-poll-closed")

