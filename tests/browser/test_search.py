"""Search as people use it: a thread someone just started is found from the header box, by
suggestions as you type (keyboard only) and on the results page with its words highlighted, and
a visitor without JavaScript gets the same results from the plain form."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Community, NewContext, Person, Tools
from tests.browser.support import check_page, focused, signed_in
from tests.browser.test_forums import start_thread

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]

# The indexer drains the outbox in the background; a new thread is searchable within a few
# seconds, so the expectations below wait for it rather than assume it.
INDEXED_MS = 20_000


async def test_a_new_thread_is_found_by_suggestions_and_on_the_results_page(
        new_context: NewContext, community: Community, people: People, tools: Tools, screenshots: Path) -> None:
    author, searcher = await people("Meera Iyer"), await people("Tarun Bose")
    writing = await signed_in(new_context, author)
    title = "Dashboards for tracking Jal Jeevan tap connections"
    path = await start_thread(writing, community, title, "Which district dashboards show functional household taps?")

    page = await signed_in(new_context, searcher)
    box = page.get_by_role("searchbox", name="Search")
    suggestion = page.locator("#search-suggestions").get_by_role("link", name=re.compile("Jal Jeevan"))
    await box.focus()
    # A typo in the first word and only the start of the last: as a person types on a phone.
    await box.press_sequentially("dashbords for tracking jal jee")
    await expect(suggestion).to_be_visible(timeout=INDEXED_MS)
    await box.press("ArrowDown")
    element = await focused(page)
    assert element is not None and element["href"] == path, f"ArrowDown focused {element}, not the thread"
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**{path}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)

    await box.fill("jal jeevan")
    await box.press("Enter")
    await page.wait_for_url("**/search?q=jal+jeevan**")
    hit = page.locator(".search-hit").filter(has=page.get_by_role("link", name=title))
    await expect(hit).to_have_count(1)
    await expect(hit.locator("mark").first).to_have_text(re.compile("jal|jeevan", re.IGNORECASE))
    await check_page(page, tools, screenshots, "search-results")

    visitor = await (await new_context(java_script_enabled=False)).new_page()
    await visitor.goto("/")
    await visitor.get_by_role("searchbox", name="Search").fill("household taps")
    await visitor.get_by_role("search").get_by_role("button", name="Search").click()
    await expect(visitor.get_by_role("link", name=title)).to_be_visible()
    await check_page(visitor, None, screenshots, "search-results-no-javascript")


async def test_a_search_for_nothing_known_says_so(new_context: NewContext, tools: Tools, screenshots: Path) -> None:
    page = await (await new_context()).new_page()
    await page.goto("/search?q=zzqxv+wqpld")
    await expect(page.get_by_text("Nothing matches. Try fewer or different words.")).to_be_visible()
    await expect(page.get_by_role("heading", name="0 results")).to_be_visible()
    await check_page(page, tools, screenshots, "search-empty")
