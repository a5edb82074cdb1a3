"""A certificate from the person's menu: their list, the PDF downloaded with their name in
Devanagari read back whole, and its public verification page in another browser, signed out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import expect

from community.accounts.sessions import actor_for_user
from community.certificates import service, subjects
from community.certificates.subjects import Kind
from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.certificates.conftest import KIND, Sessions
from tests.certificates.helpers import pdf_text
from tests.factories import act

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_the_certificate_downloads_and_its_verification_page_answers(
        new_context: NewContext, server: Server, people: Callable[..., Awaitable[Person]], tools: Tools,
        screenshots: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = Sessions()
    monkeypatch.setitem(subjects.KINDS, KIND, Kind(facts=held.facts_of, may_receive=held.may_receive))
    person = replace(await people("Kshitij Certificate"), name="क्षितिज श्रीवास्तव")
    async with server.store() as db:
        user = await db.users.find_one_and_update({"email": person.email}, {"$set": {"name": person.name}},
                                                  return_document=True)
        session_id = held.add(title="Public procurement on GeM", host_name="Asha Menon", attendees=(user,))
        issued = await act(db, actor_for_user(user), service.issue, user["_id"], KIND, session_id)

    page = await signed_in(new_context, person)
    await page.get_by_role("banner").locator("details.user-menu summary").click()
    await page.get_by_role("link", name="Your certificates").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your certificates")
    await expect(page.get_by_role("listitem", name="Public procurement on GeM")).to_contain_text("Hosted by: Asha Menon")
    await check_page(page, tools, screenshots, "certificates-mine")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download the PDF: Public procurement on GeM").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.name == f"certificate-{issued.code}.pdf"
    text = pdf_text(saved.read_bytes(), tmp_path)
    assert person.name in text.splitlines() and f"{server.url}/certificates/{issued.code}" in text.splitlines()

    visitor = await (await new_context()).new_page()
    await visitor.goto(f"/certificates/{issued.code}")
    await expect(visitor.get_by_role("status")).to_contain_text("This certificate is genuine.")
    await expect(visitor.get_by_text(person.name)).to_be_visible()
    await check_page(visitor, tools, screenshots, "certificates-verify")
    await visitor.goto(f"/certificates/{service.new_code()}")
    await expect(visitor.get_by_text("There is no certificate with this code.")).to_be_visible()
