"""The main pages a signed-in administrator reaches, in English and in Hindi, at phone and desktop
widths: a screenshot of each in ``screenshots/`` for a person to look at, no serious or critical
axe-core violation, and no page that scrolls sideways on a phone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, Community, NewContext, Person, Server, Tools
from tests.browser.support import check_page, signed_in
from tests.browser.test_forums import start_thread

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PAGES = {
    "home-signed-in": "/",
    "network": "/network",
    "profile-own": "/profile",
    "privacy": "/privacy",
    "vacancies": "/vacancies",
    "events": "/events",
    "messages": "/messages",
    "mentoring": "/mentoring",
    "foryou-page": "/for-you",
    "notifications-page": "/notifications",
    "search-page": "/search?q=registers",
    "leaderboard": "/leaderboard",
    "admin": "/admin",
    "admin-people": "/admin/people",
}


@pytest.mark.parametrize("language", ["en", "hi"])
async def test_main_pages_in_each_language_at_phone_and_desktop_width(
        new_context: NewContext, server: Server, community: Community, people: Callable[[str], Awaitable[Person]],
        tools: Tools, screenshots: Path, language: str) -> None:
    author = await people("Sunita Tour")
    writing = await signed_in(new_context, author)
    thread = await start_thread(writing, community, "Which registers may a district office weed after five years?",
                                "The record room is full and the retention schedule is unclear.")
    person = await writing.locator("article .author").first.get_attribute("href")
    assert person is not None
    page = await signed_in(new_context, community.admin)
    await page.context.add_cookies([{"name": "lang", "value": language, "url": server.url}])
    for name, path in {**PAGES, "thread-signed-in": thread, "profile-other": person}.items():
        response = await page.goto(path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        assert await page.get_attribute("html", "lang") == language
        await check_page(page, tools, screenshots, f"{name}-{language}")
        await page.set_viewport_size(PHONE)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} in {language} scrolls sideways on a phone: {width} pixels wide"

    await page.goto(thread)
    actions, posts = await page.locator(".thread-actions").bounding_box(), await page.locator("#posts").bounding_box()
    assert actions and posts and posts["y"] >= actions["y"] + actions["height"] + 8, \
        f"the first post touches the thread's buttons above it: {actions} then {posts}"

    await page.goto("/profile")
    await page.set_viewport_size(PHONE)
    weight = await page.locator("main dt").first.evaluate("e => Number(getComputedStyle(e).fontWeight)")
    assert weight >= 600, f"a detail's name looks like its value: font-weight {weight}"
    boxes = [await link.bounding_box() for link in await page.locator(".button-row .button").all()]
    assert len(boxes) == 3 and all(boxes)
    for one, other in ((a, b) for a in boxes for b in boxes if a is not b and a and b):
        side_by_side = one["x"] + one["width"] <= other["x"] or other["x"] + other["width"] <= one["x"]
        assert side_by_side or abs(one["y"] - other["y"]) >= one["height"] + 4, \
            f"the profile's buttons touch when they wrap: {boxes}"
