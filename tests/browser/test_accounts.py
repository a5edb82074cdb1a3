"""A newcomer joins: register, the code from the development outbox, verify, sign out, sign in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import check_page, code_from_outbox, sign_in, signed_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_register_verify_with_the_outbox_code_sign_out_and_sign_in(
        new_context: NewContext, community: Community, tools: Tools, screenshots: Path) -> None:
    newcomer = Person(name="Meera Iyer", email="meera.iyer@example.gov.in", password="tea garden river monsoon")
    page = await (await new_context()).new_page()
    await page.goto("/")
    await page.get_by_role("banner").get_by_role("link", name="Register").click()
    await page.get_by_label("Full name", exact=True).fill(newcomer.name)
    await page.get_by_label("E-mail address", exact=True).fill(newcomer.email)
    await page.get_by_label("Organisation", exact=True).select_option(label=community.org_name)
    await page.get_by_label("Designation", exact=True).fill("Deputy Secretary")
    await page.get_by_label("Password", exact=True).fill(newcomer.password)
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Verify your e-mail address")
    await expect(page.get_by_label("E-mail address", exact=True)).to_have_value(newcomer.email)
    await check_page(page, tools, screenshots, "verify")

    admin_page = await signed_in(new_context, community.admin)
    code = await code_from_outbox(admin_page, newcomer.email)
    await check_page(admin_page, tools, screenshots, "admin-outbox")

    await page.get_by_label("Code", exact=True).fill("000000" if code != "000000" else "111111")
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Code", exact=True).fill(code)
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    header = page.get_by_role("banner")
    menu = header.locator("details.user-menu")
    await expect(menu.locator("summary")).to_contain_text(newcomer.name)
    await check_page(page, tools, screenshots, "account")
    await menu.locator("summary").click()
    await check_page(page, tools, screenshots, "user-menu-open")
    await menu.get_by_role("link", name="Your profile", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(newcomer.name)

    await menu.locator("summary").click()
    await menu.get_by_role("button", name="Sign out").click()
    await expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    await expect(header.get_by_text(newcomer.name)).to_have_count(0)
    assert await page.goto("/account") is not None
    await expect(page.get_by_role("heading", level=1)).not_to_have_text("Your account")

    await sign_in(page, newcomer)
    await page.goto("/account")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    await expect(page.get_by_text(f"Your request to join {community.org_name} is waiting")).to_be_visible()


async def test_the_outbox_is_closed_to_people_who_are_not_administrators(
        new_context: NewContext, server: Server) -> None:
    officer = Person(name="Ravi Officer", email="ravi.officer@example.gov.in")
    async with server.store() as db:
        await make_user(db, name=officer.name, email=officer.email)
    page = await (await new_context()).new_page()
    await page.goto("/admin/outbox")
    assert page.url.endswith("/login?next=/admin/outbox"), "a visitor is asked to sign in first"
    await expect(page.get_by_text("Your code to verify")).to_have_count(0)
    await sign_in(page, officer)
    response = await page.goto("/admin/outbox")
    assert response is not None and response.status == 403
    await expect(page.get_by_text("Your code to verify")).to_have_count(0)
