"""Polls as people use them: a thread with a poll, two people vote in two browsers and each sees
the other's vote arrive live, the author closes the poll and both pages show it closed; the page
with the poll passes the accessibility check."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Community, NewContext, Person, Tools
from tests.browser.support import SocketFrames, check_page, signed_in
from tests.browser.test_forums import start_thread

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]
BODY = ("Which format suits the next review meeting?\n\n"
        "[poll name=format]\n- In person\n- Online\n- Hybrid\n[/poll]\n")


def row(page: Page, option: str) -> Locator:
    return page.locator(".poll-results tr").filter(has=page.get_by_role("rowheader", name=re.compile(option)))


async def watching(page: Page, path: str) -> None:
    """Open the thread and wait until its page has joined the thread's room."""
    frames = SocketFrames(page)
    await page.goto(path)
    await frames.wait_for(f"thread:{path.rsplit('/', 1)[1]}")
    await page.wait_for_function("() => window.Community && window.Community.socket && window.Community.socket.connected")


async def test_two_people_vote_in_two_browsers_and_see_the_results_change_live_until_it_closes(
        new_context: NewContext, community: Community, people: People, tools: Tools, screenshots: Path) -> None:
    author, first, second = await people("Meera Iyer"), await people("Rohit Verma"), await people("Farah Khan")
    writing = await signed_in(new_context, author)
    path = await start_thread(writing, community, "Review meeting format: please vote", BODY)
    await expect(writing.get_by_role("radio", name="Hybrid")).to_be_visible()

    one, two = await signed_in(new_context, first), await signed_in(new_context, second)
    await watching(one, path)
    await watching(two, path)
    await check_page(two, tools, screenshots, "poll")

    await one.get_by_role("radio", name="Online").check()
    await one.get_by_role("button", name="Vote", exact=True).click()
    await expect(row(one, "Online").locator(".poll-votes")).to_have_text("1")
    await expect(row(two, "Online").locator(".poll-votes")).to_have_text("1")
    await expect(row(two, "Online").locator(".poll-percent")).to_have_text("100%")
    await expect(two.locator("[data-poll-voters]")).to_have_text("1 voter")

    await watching(one, path)
    await two.get_by_role("radio", name="Hybrid").check()
    await two.get_by_role("button", name="Vote", exact=True).click()
    await expect(row(two, "Hybrid").locator(".poll-votes")).to_have_text("1")
    await expect(row(one, "Hybrid").locator(".poll-votes")).to_have_text("1")
    await expect(row(one, "Online").locator(".poll-percent")).to_have_text("50%")
    await expect(one.locator("[data-poll-voters]")).to_have_text("2 voters")
    await check_page(one, tools, screenshots, "poll-results")

    await watching(two, path)
    await writing.goto(path)
    await writing.get_by_role("button", name="Close the poll").click()
    await expect(writing.get_by_role("button", name="Reopen the poll")).to_be_visible()
    for reader in (one, two):
        await expect(reader.locator(".poll .tag").first).to_have_text("Closed")
        await expect(reader.get_by_role("radio")).to_have_count(0)
        await expect(row(reader, "Hybrid").locator(".poll-votes")).to_have_text("1")


async def test_a_poll_works_with_javascript_off(new_context: NewContext, community: Community, people: People) -> None:
    author, voter = await people("Gita Menon"), await people("Imran Ali")
    writing = await signed_in(new_context, author)
    path = await start_thread(writing, community, "Lunch for the workshop", BODY.replace("format", "lunch"))
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-mail address", exact=True).fill(voter.email)
    await page.get_by_label("Password", exact=True).fill(voter.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(path)
    await page.get_by_role("radio", name="In person").check()
    await page.get_by_role("button", name="Vote", exact=True).click()
    await expect(row(page, "In person").locator(".poll-votes")).to_have_text("1")
    await expect(page.get_by_role("button", name="Change my vote")).to_be_visible()
