"""The phone rules at 390 by 844 CSS pixels: no page scrolls sideways, the signed-in header stays
under 120 pixels, every tap target is at least 24 by 24 pixels or spaced as if it were (WCAG
2.5.8), and "Menu" opens the navigation, search and language; on a wide screen they stand open."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Community, NewContext, Person
from tests.browser.support import sign_in, signed_in
from tests.browser.test_forums import start_thread

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]

MEASURE = """() => {
  const visible = e => { const r = e.getBoundingClientRect(); if (!r.width || !r.height) return false;
    if (getComputedStyle(e).visibility === 'hidden') return false;
    const closed = e.closest('details:not([open])');
    return !closed || (e.tagName === 'SUMMARY' && e.parentElement === closed); };
  // WCAG 2.5.8's exceptions: a link inside a sentence, and an undersized target whose 24-pixel
  // circle meets no other target (nor another undersized target's circle).
  const inSentence = e => e.tagName === 'A' && getComputedStyle(e).display === 'inline'
    && e.parentElement.textContent.trim() !== e.textContent.trim();
  const targets = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, textarea')]
    .filter(e => visible(e) && !inSentence(e)).map(e => ({e, r: e.getBoundingClientRect()}));
  const small = t => t.r.width < 24 || t.r.height < 24;
  const centre = t => [t.r.left + t.r.width / 2, t.r.top + t.r.height / 2];
  const toRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const cramped = targets.filter(t => small(t) && targets.some(o => o !== t && !o.e.contains(t.e) && !t.e.contains(o.e)
      && (toRect(centre(t), o.r) < 12
          || (small(o) && Math.hypot(centre(t)[0] - centre(o)[0], centre(t)[1] - centre(o)[1]) < 24))))
    .map(t => t.e.outerHTML.slice(0, 120));
  return {header: document.querySelector('.site-header').getBoundingClientRect().height,
          width: document.documentElement.scrollWidth, cramped};
}"""


async def assert_phone_rules(page: Page, path: str, *, header_under: float | None = None) -> None:
    await page.goto(path)
    found = await page.evaluate(MEASURE)
    assert found["width"] <= PHONE["width"], f"{path} scrolls sideways: {found['width']} pixels wide"
    assert not found["cramped"], f"{path} has tap targets under 24 by 24 pixels: {found['cramped']}"
    if header_under is not None:
        assert found["header"] < header_under, f"{path}: the header is {found['header']} pixels high"


async def test_no_page_scrolls_sideways_and_every_target_is_big_enough_on_a_phone(
        new_context: NewContext, community: Community, people: People) -> None:
    author = await people("Ritu Saxena")
    writing = await signed_in(new_context, author)
    thread = await start_thread(writing, community, "How long do you keep dak registers before weeding?",
                                "Our record room is full; the retention schedule is unclear to us.")
    admin = await (await new_context(viewport=PHONE)).new_page()
    await sign_in(admin, community.admin)
    await admin.goto(thread)
    person = await admin.locator("article .author").first.get_attribute("href")
    assert person is not None
    for path in ("/", "/forums", f"/forums/c/{community.category_slug}", thread, "/network", "/search?q=registers",
                 "/notifications", "/notifications/preferences", "/profile/edit", person, "/account", "/privacy",
                 "/competencies", "/positions", "/admin", "/admin/people", "/admin/organisations", "/admin/audit",
                 "/admin/jobs", "/admin/dictionary/positions/new", "/forums/moderation", "/forums/new-category", f"/forums/c/{community.category_slug}/new"):
        await assert_phone_rules(admin, path, header_under=120)

    visitor = await (await new_context(viewport=PHONE)).new_page()
    for path in ("/", "/login", "/register", thread, "/forums"):
        await assert_phone_rules(visitor, path)


async def test_menu_opens_the_navigation_on_a_phone_and_stands_open_on_a_wide_screen(
        new_context: NewContext, community: Community, people: People) -> None:
    person = await people("Imran Qureshi")
    phone = await (await new_context(viewport=PHONE)).new_page()
    await sign_in(phone, person)
    navigation = phone.get_by_role("navigation", name="Main")
    await expect(navigation).to_be_hidden()
    brand = phone.locator(".brand")
    await expect(brand).to_have_text("Karmayogi Community")
    assert await brand.evaluate("e => e.scrollWidth <= e.clientWidth && e.getClientRects().length > 0"), \
        "the site's name is cut off on a phone"
    await phone.locator(".site-menu > summary").click()
    await expect(navigation).to_be_visible()
    await expect(phone.get_by_role("searchbox", name="Search")).to_be_visible()
    await navigation.get_by_role("link", name="Discussions").click()
    await expect(phone).to_have_url(re.compile(r"/forums$"))
    await expect(phone.get_by_role("heading", level=1)).to_have_text("Discussions")

    wide = await (await new_context(viewport=DESKTOP)).new_page()
    await sign_in(wide, person)
    await expect(wide.get_by_role("navigation", name="Main")).to_be_visible()
    await expect(wide.locator(".site-menu > summary")).to_be_hidden()
    await wide.get_by_role("button", name="Switch language: हिन्दी").click()
    await expect(wide.locator("html")).to_have_attribute("lang", "hi")


async def test_the_directory_filters_fold_away_on_a_phone_and_stand_open_on_a_wide_screen(
        new_context: NewContext, community: Community, people: People) -> None:
    person = await people("Kavya Menon")
    phone = await (await new_context(viewport=PHONE)).new_page()
    await sign_in(phone, person)
    await phone.goto("/network")
    summary = phone.locator(".filters > summary")
    await expect(summary).to_have_text("Filters")
    await expect(phone.get_by_label("Competency")).to_be_hidden()
    show = await phone.get_by_role("button", name="Show").bounding_box()
    assert show and show["y"] + show["height"] < 420, f"the form still runs down the phone's screen: {show}"
    await summary.click()
    await phone.get_by_label("Competency").select_option(index=1)
    await phone.get_by_label("Available for mentoring").check()
    await phone.get_by_role("button", name="Show").click()
    await expect(phone).to_have_url(re.compile(r"competency=.+&.*mentoring=on"))
    await expect(summary).to_have_text("Filters: 2 active")
    await expect(phone.get_by_label("Competency")).to_be_visible()

    wide = await (await new_context(viewport=DESKTOP)).new_page()
    await sign_in(wide, person)
    await wide.goto("/network")
    await expect(wide.get_by_label("Competency")).to_be_visible()
    await expect(wide.locator(".filters > summary")).to_be_hidden()
