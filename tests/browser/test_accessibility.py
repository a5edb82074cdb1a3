"""Every main page, at phone and desktop widths: a screenshot in ``screenshots/`` and no serious or
critical axe-core violation. Pages that need a signed-in person are checked in their journeys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, Community, NewContext, Person, Tools
from tests.browser.support import check_page, signed_in

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


async def test_pickers_names_and_the_member_data_view_are_accessible(
        new_context: NewContext, community: Community, people: Callable[[str], Awaitable[Person]],
        screenshots: Path, tools: Tools) -> None:
    moderator = await people("Lalitha Krishnan")
    admin = await signed_in(new_context, community.admin)
    await admin.goto("/forums")
    await admin.get_by_role("link", name="New category").click()
    await check_page(admin, tools, screenshots, "new-category")
    await admin.get_by_label("Filter the list").fill("listen")
    await expect(admin.get_by_label("Active Listening")).to_be_visible()
    await expect(admin.get_by_label("Sound Judgement")).to_be_hidden()
    await admin.get_by_label("Active Listening").check()
    await admin.get_by_label("Name", exact=True).fill("Hearing grievances")
    await admin.get_by_label("Short name for the address").fill("hearing-grievances")
    await admin.get_by_label("Private to an organisation").select_option(label=community.org_name)
    moderators = admin.get_by_role("combobox", name="Moderators (optional)")
    await moderators.press_sequentially("Lalitha Kri")
    option = admin.get_by_role("listbox", name="Moderators (optional)").get_by_role("option")
    await expect(option).to_have_count(1)
    await expect(option).to_contain_text(moderator.email)
    await check_page(admin, tools, screenshots, "new-category-people-picker")
    await moderators.press("Enter")
    await expect(moderators).to_have_value(f"{moderator.email}, ")
    await admin.get_by_role("button", name="Create category").click()
    await expect(admin.get_by_role("heading", level=1)).to_have_text("Hearing grievances")
    await expect(admin.get_by_role("link", name="Active Listening")).to_be_visible()

    await admin.goto("/admin/audit")
    await expect(admin.get_by_role("cell", name="Created a forum category").first).to_be_visible()
    await check_page(admin, tools, screenshots, "audit-log")
    await admin.goto(f"/admin/people?q={moderator.name}")
    await admin.get_by_role("link", name=moderator.name).click()
    await admin.get_by_role("link", name="See all data held about this member").click()
    await expect(admin.get_by_role("heading", level=1)).to_have_text(f"Data held about {moderator.name}")
    await check_page(admin, tools, screenshots, "member-data")
    await admin.set_viewport_size(PHONE)
    assert await admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
