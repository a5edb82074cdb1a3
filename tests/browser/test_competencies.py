"""An administrator adds a required competency to a position by picking its name, with no id to
type; a reader of the Hindi interface sees it, and the dictionary, by their Hindi names."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from community.competencies.dictionary import load_dictionary
from community.competencies.names import translations
from tests.browser.conftest import Community, NewContext, Server, Tools
from tests.browser.support import check_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

MENTORING = "beh.team-leadership.mentoring"


async def test_a_requirement_is_picked_by_name_and_read_in_hindi(
        new_context: NewContext, server: Server, community: Community, tools: Tools, screenshots: Path) -> None:
    position = load_dictionary().positions[-1]
    rows = sum(len(activity.competencies) for role in position.roles for activity in role.activities)
    admin = await signed_in(new_context, community.admin)
    await admin.goto(f"/admin/dictionary/positions/{position.id}/edit")
    row = admin.get_by_role("group", name=f"Row {rows + 1}")
    await row.get_by_label("Role").fill("Team leadership")
    await row.get_by_label("Activity").fill("Guide new section officers")
    await row.get_by_label("Competency").select_option(label="Mentoring (Team Leadership)")
    await row.get_by_label("Level").select_option("3")
    await check_page(admin, tools, screenshots, "competencies-position-form")
    await admin.get_by_role("button", name="Save").click()
    await expect(admin.get_by_role("heading", level=1)).to_have_text("Manage the competency dictionary")

    reader = await (await new_context()).new_page()
    await reader.context.add_cookies([{"name": "lang", "value": "hi", "url": server.url}])
    await reader.goto(f"/positions/{position.id}")
    mentoring = translations("hi")[MENTORING]
    await expect(reader.get_by_role("link", name=mentoring, exact=True)).to_be_visible()
    await reader.goto(f"/competencies/{MENTORING}")
    await expect(reader.get_by_role("heading", level=1)).to_have_text(mentoring)
    await check_page(reader, tools, screenshots, "competencies-competency-hi")
