"""The composer's preview as people use it: with JavaScript the draft is shown rendered as it is
typed; without, the Preview button shows it above the form with the draft kept, then it posts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Community, NewContext, Person, Tools
from tests.browser.support import check_page, sign_in, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]


async def test_the_live_preview_renders_the_draft_as_it_is_typed(
        new_context: NewContext, community: Community, people: People, tools: Tools, screenshots: Path) -> None:
    page = await signed_in(new_context, await people("Lalitha Menon"))
    await page.goto(f"/forums/c/{community.category_slug}/new")
    live = page.get_by_role("region", name="Preview")
    await expect(live).to_be_hidden()
    await page.get_by_label("Message", exact=True).press_sequentially(
        "**Single bid** tenders: see https://gem.gov.in <script>window.previewRan = 1</script>")
    await expect(live.locator("strong")).to_have_text("Single bid")
    link = live.get_by_role("link", name="https://gem.gov.in")
    await expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    await expect(live).to_contain_text("<script>window.previewRan = 1</script>")
    assert await page.evaluate("() => window.previewRan === undefined"), "markup in a draft never runs"
    await page.get_by_label("Message", exact=True).fill("")
    await page.get_by_label("Message", exact=True).press_sequentially("_Changed_")
    await expect(live.locator("em")).to_have_text("Changed")
    await check_page(page, tools, screenshots, "composer-live-preview")


async def test_the_preview_button_works_without_javascript(
        new_context: NewContext, community: Community, people: People, screenshots: Path) -> None:
    person = await people("Tenzin Dorji")
    page = await (await new_context(java_script_enabled=False)).new_page()
    await sign_in(page, person)
    await page.goto(f"/forums/c/{community.category_slug}/new")
    await page.get_by_label("Title", exact=True).fill("Citizen charter review in Sikkim")
    await page.get_by_label("Message", exact=True).fill("Our charter lists **21 days** for pensions.")
    await page.get_by_role("button", name="Preview").click()
    shown = page.get_by_role("region", name="Preview").first
    await expect(shown.locator("strong")).to_have_text("21 days")
    await expect(page.get_by_label("Message", exact=True)).to_have_value("Our charter lists **21 days** for pensions.")
    await expect(page.get_by_label("Title", exact=True)).to_have_value("Citizen charter review in Sikkim")
    await check_page(page, None, screenshots, "composer-preview-no-javascript")
    await page.get_by_role("button", name="Post thread").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Citizen charter review in Sikkim")
    await expect(page.locator("strong", has_text="21 days")).to_be_visible()
