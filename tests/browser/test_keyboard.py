"""Keyboard-only use: every journey here is done with Tab, Enter and typing, never the mouse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Community, Person
from tests.browser.support import focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]


async def test_first_tab_shows_the_skip_link_and_enter_moves_focus_to_main(page: Page) -> None:
    await page.goto("/")
    await page.keyboard.press("Tab")
    first = await focused(page)
    assert first is not None and "skip-link" in first["classes"] and first["href"] == "#main"
    assert first["outline"] != "none", "the focused skip link shows no focus indicator"
    box = await page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    await page.keyboard.press("Enter")
    element = await focused(page)
    assert element is not None and element["id"] == "main"
    await page.keyboard.press("Tab")
    after = await focused(page)
    assert after is None or not after["inHeader"], f"Tab after the skip link went back into the header: {after}"


async def test_keyboard_reaches_skip_link_first_then_the_main_navigation(page: Page) -> None:
    await page.goto("/")
    nav_links = await page.locator("nav.primary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert nav_links, "the main navigation has no links"

    await page.keyboard.press("Tab")
    first = await focused(page)
    assert first is not None and "skip-link" in first["classes"]

    reached = await tab_to(page, lambda element: element["inNav"])
    assert reached["href"] == nav_links[0]
    for href in nav_links[1:]:
        await page.keyboard.press("Tab")
        element = await focused(page)
        assert element is not None and element["inNav"] and element["href"] == href
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**{nav_links[-1]}")
    await expect(page.locator("nav.primary [aria-current=page]")).to_have_attribute("href", nav_links[-1])


async def label_id(page: Page, label: str) -> str:
    """The id of the field labelled ``label`` (read from the page, not clicked)."""
    field_id = await page.get_by_label(label, exact=True).get_attribute("id")
    assert field_id, f"the field labelled {label!r} has no id"
    return field_id


async def tab_and_type(page: Page, label: str, text: str) -> None:
    field_id = await label_id(page, label)
    await tab_to(page, lambda element: element["id"] == field_id, limit=60)
    await page.keyboard.type(text)


async def tab_and_press(page: Page, text: str) -> None:
    await tab_to(page, lambda element: element["text"] == text, limit=60)
    await page.keyboard.press("Enter")


async def test_sign_in_start_a_thread_and_reply_with_the_keyboard_alone(
        page: Page, community: Community, people: People) -> None:
    person = await people("Keshav Menon")
    await page.goto("/login")
    await tab_and_type(page, "E-mail address", person.email)
    await tab_and_type(page, "Password", person.password)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("banner").locator("details.user-menu summary")).to_contain_text(person.name)

    await tab_to(page, lambda element: element["inNav"] and element["href"] == "/forums")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/forums")
    await tab_and_press(page, community.category_name)
    await expect(page.get_by_role("heading", level=1)).to_have_text(community.category_name)
    await tab_and_press(page, "Start a thread")

    title = "Keyboard-only: templates for a file noting on leave rules"
    await tab_and_type(page, "Title", title)
    await tab_and_type(page, "Message", "Does anyone keep a model noting for **earned leave** cases?")
    await tab_and_press(page, "Post thread")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)

    await tab_and_type(page, "Message", "Answering my own thread: the DoPT compendium has one.")
    await tab_and_press(page, "Post reply")
    await expect(page.get_by_text("Answering my own thread: the DoPT compendium has one.")).to_be_visible()
