"""A department posts a vacancy from a FRAC position's mapping; an officer sees it ranked with the
explanation and applies sharing some fields; the department shortlists; the officer sees it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.competencies import queries as dictionary
from community.profiles import directory
from tests.browser.conftest import NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.factories import make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_post_from_the_mapping_apply_shortlist_and_see_the_status(new_context: NewContext, server: Server,
                                                                      tools: Tools, screenshots: Path) -> None:
    admin = Person(name="Meera Department", email="meera.jal@example.gov.in")
    officer = Person(name="Ravi Applicant", email="ravi.applicant@example.gov.in")
    async with server.store() as db:
        ministry = await make_org(db, name="Ministry of Jal Shakti", short_name="MOJS")
        await make_user(db, org=ministry, roles=("mdo_admin",), name=admin.name, email=admin.email)
        elsewhere = await make_org(db, name="Ministry of Rural Development", short_name="MORD")
        applicant = await make_user(db, org=elsewhere, name=officer.name, email=officer.email)
        position = (await dictionary.positions(db))[0]
        first, level = sorted(dictionary.requirements(position).items(), key=lambda item: (-item[1], item[0]))[0]
        await db.profiles.update_one({"_id": applicant["_id"]}, {"$set": {
            "competencies": [{"competency_id": first, "level": level}]}}, upsert=True)
        await db.verifications.insert_one({"_id": ObjectId(), "user_id": applicant["_id"], "competency_id": first,
                                           "source": "assessment", "level": level, "reference": "iGOT",
                                           "recorded_by": None, "at": datetime.now(UTC)})
        await directory.rebuild(db, applicant["_id"])

    department = await signed_in(new_context, admin)
    await department.goto("/vacancies")
    await department.get_by_role("link", name="Post a vacancy").click()
    await department.get_by_label("Organisation").select_option(label="Ministry of Jal Shakti")
    await department.get_by_label("Title", exact=True).fill("Director, River Basin Planning")
    await department.get_by_label("FRAC position").select_option(value=position["_id"])
    await department.get_by_role("button", name="Start from the position's FRAC mapping").click()
    await expect(department.get_by_label("Competency 1", exact=True)).to_have_value(first)
    await department.get_by_label("State", exact=True).select_option("Bihar")
    await department.get_by_label("City").fill("Patna")
    await department.get_by_label("Pay level").fill("13")
    await department.get_by_label("Closing date and time (IST)").fill("2031-01-15T17:00")
    await department.get_by_label("Description").fill("Plan the **Ganga** basin's works.")
    await department.get_by_label("Contact").fill("planning@mojs.gov.in")
    await check_page(department, tools, screenshots, "vacancies-post-form")
    await department.get_by_role("button", name="Save as draft").click()
    await expect(department.get_by_role("heading", level=1)).to_have_text("Director, River Basin Planning")
    await department.get_by_role("button", name="Publish").click()
    await expect(department.locator("#vacancy-state")).to_have_text("Open")

    applying = await signed_in(new_context, officer)
    await applying.goto("/vacancies")
    listed = applying.locator("#vacancy-list li", has_text="Director, River Basin Planning")
    await expect(listed).to_contain_text("Match")
    await expect(listed).to_contain_text("competenc")
    await listed.get_by_role("link").click()
    await expect(applying.locator("#match-summary")).to_be_visible()
    await expect(applying.get_by_text("(verified).").first).to_be_visible()
    await applying.get_by_label("Your statement").fill("I planned the Kosi embankment works for four years.")
    await applying.get_by_label("Designation").check()
    ticks = [await applying.get_by_label(name, exact=True).bounding_box() for name in ("Designation", "Organisation")]
    assert ticks[0] and ticks[1] and ticks[1]["y"] > ticks[0]["y"] + ticks[0]["height"], \
        f"each field to share has a line of its own, so no box sits beside another field's name: {ticks}"
    await check_page(applying, tools, screenshots, "vacancies-apply")
    await applying.get_by_role("button", name="Apply", exact=True).click()
    await expect(applying.locator("#application-status")).to_have_text("Submitted")

    await department.reload()
    await department.get_by_role("link", name="Applicants (1)").click()
    await expect(department.locator("#applicants")).to_contain_text("I planned the Kosi embankment works")
    await expect(department.locator("#applicants")).to_contain_text("Under Secretary")
    await department.locator("#applicants input[type=checkbox]").first.check()
    await department.get_by_label("Move the ticked applicants to").select_option("shortlisted")
    await check_page(department, tools, screenshots, "vacancies-applicants")
    await department.get_by_role("button", name="Move", exact=True).click()
    await expect(department.locator("#applicants .status").first).to_have_text("Shortlisted")

    await applying.reload()
    await expect(applying.locator("#application-status")).to_have_text("Shortlisted")
    await applying.goto("/vacancies/applications")
    await expect(applying.locator("#my-applications")).to_contain_text("Shortlisted")
