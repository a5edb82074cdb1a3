"""Keyboard-only use: every journey here is done with Tab, Enter and typing, never the mouse."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.support import focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


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
