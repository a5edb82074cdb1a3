"""An officer with no position sets a target, sees the gap and a thread, an expert, an event and a
vacancy each with its reason (the expert offers mentoring in it, so their card also links to the
request form), dismisses the thread, and it does not come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.accounts.sessions import actor_for_user
from community.competencies import queries as dictionary
from community.events import service as events
from community.forums import categories
from community.forums.create_thread import create_thread
from community.mentoring import service as mentoring
from community.mentoring.schemas import OfferIn
from community.policy import Actor, Role
from community.profiles import directory
from community.vacancies import posting
from community.vacancies.schemas import VacancyIn
from tests.browser.conftest import DESKTOP, PHONE, NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.events.conftest import event_in
from tests.factories import act, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_set_a_target_see_each_kind_with_its_reason_dismiss_one(new_context: NewContext, server: Server,
                                                                     tools: Tools, screenshots: Path) -> None:
    officer = Person(name="Kavya Aspirant", email="kavya.aspirant@example.gov.in")
    async with server.store() as db:
        position = (await dictionary.positions(db))[-1]
        competency, level = sorted(dictionary.requirements(position).items(), key=lambda item: (-item[1], item[0]))[0]
        name = (await dictionary.competency_names(db, [competency]))[competency]["name"]
        home = await make_org(db, name="Ministry of Coal Planning", short_name="MOCP")
        await make_user(db, org=home, name=officer.name, email=officer.email)
        other = await make_org(db, name="Department of Mentors", short_name="DOM")
        expert = await make_user(db, org=other, roles=("expert",), name="Ishaan Mentor")
        await db.profiles.update_one({"_id": expert["_id"]}, {"$set": {
            "competencies": [{"competency_id": competency, "level": level}]}}, upsert=True)
        await db.verifications.insert_one({"_id": ObjectId(), "user_id": expert["_id"], "competency_id": competency,
                                           "source": "assessment", "level": level, "reference": "iGOT",
                                           "recorded_by": None, "at": datetime.now(UTC)})
        await directory.rebuild(db, expert["_id"])
        await act(db, actor_for_user(expert), mentoring.save_offer, OfferIn(
            competencies=[competency], offer="Walk-throughs of the first cases.",
            slots=[{"weekday": 2, "start": "11:00", "minutes": 60}], monthly_cap=2))
        admin = await make_user(db, roles=("admin",))
        space = await act(db, Actor(user_id=admin["_id"], roles=frozenset({Role.ADMIN})), categories.create_category,
                          {"name": "Gap clinic", "slug": f"gap-clinic-{ObjectId()}"})
        await act(db, actor_for_user(expert), create_thread, category_id=space["_id"], data={
            "title": "Where to start with this competency", "body": "Begin with the rules, then the cases.",
            "kind": "question", "competency_tags": [competency]})
        event_id = await act(db, actor_for_user(expert), events.create,
                             event_in(title="Mentor hour on the gap", competencies=[competency], capacity=10))
        await act(db, actor_for_user(expert), events.publish, event_id)
        department_admin = await make_user(db, org=other, roles=("mdo_admin",))
        vacancy_id = await act(db, actor_for_user(department_admin), posting.create, VacancyIn.model_validate({
            "org_id": str(other["_id"]), "title": "Deputy Director, Gap Closing", "position_id": position["_id"],
            "state": "Bihar", "city": "Patna", "pay_level": 12, "mode": "deputation", "eligibility_service": "",
            "eligibility_grade": "", "eligibility_years": 0, "posts": 1,
            "closes_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(), "description": "Close gaps.",
            "contact": "gap@example.gov.in", "required": [{"competency": competency, "level": level, "essential": True}]}))
        await act(db, actor_for_user(department_admin), posting.publish, vacancy_id)

    page = await signed_in(new_context, officer)
    await page.goto("/for-you")
    await expect(page.get_by_text("Set your position on your profile")).to_be_visible()
    await page.get_by_label("I want to move to...").select_option(value=position["_id"])
    await page.get_by_role("button", name="Save target position").click()
    await expect(page.get_by_role("alert")).to_have_text("Your target position was saved.")
    await expect(page.get_by_role("heading", name="Your competency gap")).to_be_visible()
    await expect(page.locator("table.foryou-gap")).to_contain_text(name)
    need = f"You need {name} at level {level} for {position['title']}, the position you want to move to"
    for heading, title, offer in (
            ("Threads to read", "Where to start with this competency", "This discussion of it is recent."),
            ("Experts to meet", "Ishaan Mentor", f"This expert holds it verified at level {level} and offers mentoring "
                                                 "in it, with 2 places left this month."),
            ("Events to attend", "Mentor hour on the gap", "This event is on it and has 10 seats left."),
            ("Vacancies that fit", "Deputy Director, Gap Closing", f"This vacancy asks for it at level {level}")):
        section = page.locator("section", has=page.get_by_role("heading", name=heading))
        item = section.locator("li", has_text=title)
        await expect(item).to_contain_text(need)
        await expect(item).to_contain_text(offer)
    await check_page(page, tools, screenshots, "foryou")
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the gap table widens the page"
    tick = await page.get_by_label("Send me new suggestions in my daily e-mail digest").bounding_box()
    words = await page.get_by_text("Send me new suggestions in my daily e-mail digest").bounding_box()
    assert tick and words and words["y"] <= tick["y"] + tick["height"] / 2 <= words["y"] + words["height"], \
        f"the digest's box stands beside its words, not above them: {tick} and {words}"
    await page.set_viewport_size(DESKTOP)

    thread = page.locator("li", has_text="Where to start with this competency")
    await thread.get_by_role("button", name="Not for me").click()
    await expect(page.get_by_role("alert")).to_have_text("Dismissed: it will not be suggested again.")
    await expect(page.get_by_text("Where to start with this competency")).to_have_count(0)
    await expect(page.get_by_role("heading", name="Threads to read")).to_have_count(0)
    await page.reload()
    await expect(page.get_by_text("Where to start with this competency")).to_have_count(0)
    await expect(page.get_by_role("link", name="Ishaan Mentor", exact=True)).to_be_visible()
    await page.goto("/")
    await expect(page.get_by_role("heading", name="For you")).to_be_visible()
    await expect(page.locator("#home-foryou + p")).to_contain_text(name)

    await page.goto("/for-you")
    await page.locator("li", has_text="Ishaan Mentor").get_by_role("link", name="Ask for mentoring").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ask Ishaan Mentor for mentoring")
    await expect(page.get_by_label("Topic")).to_have_value(competency)
