"""The front door as a person meets it: the home page, the language switch, no JavaScript."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from community.i18n import translations
from tests.browser.conftest import Community, NewContext, Person

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]

HINDI = translations("hi")


async def test_home_page_has_its_title_heading_and_landmarks(page: Page) -> None:
    await page.goto("/")
    await expect(page).to_have_title(re.compile("Karmayogi Community"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Learn from each other")
    for landmark in ("banner", "main", "contentinfo"):
        await expect(page.get_by_role(landmark)).to_have_count(1)
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()


async def test_language_switch_to_hindi_and_back_keeps_the_page(page: Page) -> None:
    await page.goto("/?from=switch")
    await page.get_by_role("button", name="Switch language: हिन्दी").click()
    await expect(page.locator("html")).to_have_attribute("lang", "hi")
    assert page.url.endswith("/?from=switch")
    hindi_title = HINDI.ugettext("Learn from each other")
    assert hindi_title != "Learn from each other"
    await expect(page.get_by_role("heading", level=1)).to_have_text(hindi_title)

    await page.get_by_role("button", name=HINDI.ugettext("Switch language:") + " English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Learn from each other")


async def test_home_page_and_language_switch_work_without_javascript(new_context: NewContext) -> None:
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Learn from each other")
    await expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")
    await page.get_by_role("button", name="Switch language: हिन्दी").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(HINDI.ugettext("Learn from each other"))


async def test_a_visitor_following_a_members_page_signs_in_and_comes_back_to_it(
        new_context: NewContext, community: Community, people: People) -> None:
    person = await people("Vandana Joshi")
    page = await (await new_context()).new_page()
    await page.goto("/network/lists/connections")
    await expect(page).to_have_url(re.compile(r"/login\?next=/network/lists/connections$"))
    await page.get_by_label("E-mail address", exact=True).fill(person.email)
    await page.get_by_label("Password", exact=True).fill(person.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/network/lists/connections$"))
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
