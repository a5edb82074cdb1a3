"""Every main page, at phone and desktop widths: a screenshot in ``screenshots/`` and no serious or
critical axe-core violation. Pages that need a signed-in person are checked in their journeys."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.browser.conftest import Tools
from tests.browser.support import check_page

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PUBLIC_PAGES = {
    "home": "/",
    "forums": "/forums",
    "register": "/register",
    "sign-in": "/login",
    "not-found": "/no-such-page",
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
async def test_public_page_is_accessible_at_phone_and_desktop_width(page: Page, tools: Tools, screenshots: Path,
                                                                     name: str) -> None:
    response = await page.goto(PUBLIC_PAGES[name])
    assert response is not None and response.status == (404 if name == "not-found" else 200)
    await check_page(page, tools, screenshots, name)


async def test_register_form_errors_are_accessible(page: Page, tools: Tools, screenshots: Path) -> None:
    await page.goto("/register")
    await page.get_by_role("button", name="Register").click()
    await page.get_by_role("alert").wait_for()
    await check_page(page, tools, screenshots, "register-errors")
