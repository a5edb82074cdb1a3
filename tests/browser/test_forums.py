"""Forums as people use them: start a thread, a second person sees the reply arrive live with the
mention badge, a category page counts new replies live, and anyone can read the thread with
JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Community, NewContext, Person, Server, Tools
from tests.browser.support import SocketFrames, check_page, signed_in
from tests.factories import make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

People = Callable[[str], Awaitable[Person]]


async def start_thread(page: Page, community: Community, title: str, body: str) -> str:
    """Through the pages: forums, the category, "Start a thread", the form. Returns the thread's path."""
    await page.goto("/forums")
    await page.get_by_role("link", name=community.category_name).click()
    await page.get_by_role("link", name="Start a thread").click()
    await page.get_by_label("Title", exact=True).fill(title)
    await page.get_by_label("Message", exact=True).fill(body)
    await page.get_by_role("button", name="Post thread").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    match = re.search(r"/forums/t/[0-9a-f]{24}", page.url)
    assert match, page.url
    return match.group(0)


async def test_start_a_thread_then_a_reply_and_mention_reach_the_reader_live(
        new_context: NewContext, community: Community, people: People, tools: Tools, screenshots: Path) -> None:
    author, reader = await people("Kavita Rao"), await people("Bina Sharma")
    writing = await signed_in(new_context, author)
    title = "How do you close grievances within the charter's 21 days?"
    path = await start_thread(writing, community, title, "Our backlog doubled after the portal migration.")
    stamp = writing.locator("article time").first
    await expect(stamp).to_have_text(re.compile(r"^(now|1 minute ago)$"))
    await expect(stamp).to_have_attribute("title", re.compile(r"^\d+ \w+ \d{4}, \d\d:\d\d IST$"))
    await check_page(writing, tools, screenshots, "thread")

    reading = await signed_in(new_context, reader)
    frames = SocketFrames(reading)
    await reading.goto(path)
    thread_id = path.rsplit("/", 1)[1]
    await frames.wait_for(f"thread:{thread_id}")
    await reading.wait_for_function("() => window.Community && window.Community.socket && window.Community.socket.connected")
    badge = reading.locator("[data-unread-count]")
    await expect(badge).to_be_hidden()
    await reading.evaluate("() => { window.stillTheSamePage = true; }")

    composer = writing.get_by_label("Message", exact=True)
    await composer.press_sequentially("Thanks for asking, @Bin")
    suggestion = writing.get_by_role("option", name=reader.name)
    await expect(suggestion).to_be_visible()
    await composer.press("Enter")
    await expect(composer).to_have_value(re.compile(re.escape(f"@[{reader.name}](") + r"[0-9a-f]{24}\)"))
    await composer.press_sequentially(" we triage by department first.")
    await writing.get_by_role("button", name="Post reply").click()
    await expect(writing.get_by_text("we triage by department first.")).to_be_visible()

    await expect(reading.get_by_text("we triage by department first.")).to_be_visible()
    await expect(reading.get_by_role("status").filter(has_text="A new reply was posted.")).to_have_count(1)
    await expect(badge).to_have_text("1")
    await expect(badge).to_be_visible()
    assert await reading.evaluate("() => window.stillTheSamePage === true"), "the reader's page reloaded"

    await reading.get_by_role("banner").get_by_role("link", name=re.compile("Notifications")).click()
    await expect(reading.get_by_role("link", name=re.compile(re.escape(title)))).to_be_visible()
    await check_page(reading, tools, screenshots, "notifications")


async def test_the_mention_picker_finds_a_full_name_or_a_surname_and_tells_namesakes_apart(
        new_context: NewContext, community: Community, server: Server, people: People) -> None:
    """"@Fatima Men" keeps looking past the space, "@Menon" finds the surname, and two people of
    the same name are told apart by organisation and designation; the one chosen is mentioned."""
    author = await people("Gopal Iyer")
    async with server.store() as db:
        other_org = await make_org(db, name="Ministry of Ports, Shipping and Waterways", short_name="MoPSW")
        ours = await make_user(db, org={"_id": community.org_id}, name="Fatima Menon", designation="Under Secretary")
        await make_user(db, org=other_org, name="Fatima Menon", designation="Deputy Director")
    writing = await signed_in(new_context, author)
    await start_thread(writing, community, "Who keeps the register of grievance appeals?", "Asking for our section.")
    composer = writing.get_by_label("Message", exact=True)

    await composer.press_sequentially("Over to @Fatima Men")
    options = writing.get_by_role("listbox").get_by_role("option")
    await expect(options).to_have_count(2)
    await expect(options.filter(has_text="Ministry of Ports, Shipping and Waterways")).to_contain_text("Deputy Director")
    ours_option = options.filter(has_text=community.org_name)
    await expect(ours_option).to_contain_text("Under Secretary")
    await ours_option.click()
    await expect(composer).to_have_value(f"Over to @[Fatima Menon]({ours['_id']}) ")

    await composer.press_sequentially("and @Menon")
    await expect(options).to_have_count(2)
    await composer.press("Escape")
    await expect(options).to_have_count(0)


async def test_a_signed_in_thread_page_opens_one_websocket_and_hears_replies_on_it(
        new_context: NewContext, community: Community, people: People) -> None:
    """The header badge, presence and the thread's live replies share the page's one connection
    (realtime.js); forums.js joins the thread's room through it rather than opening its own."""
    author, reader = await people("Sunil Menon"), await people("Lata Kulkarni")
    writing = await signed_in(new_context, author)
    path = await start_thread(writing, community, "Who signs off a revised tender schedule?",
                              "The schedule changed after the pre-bid meeting.")

    # A tab of its own: the page shown after signing in opens its socket too, maybe late enough
    # to be counted here if the thread were opened in the same tab.
    reading = await (await signed_in(new_context, reader)).context.new_page()
    frames = SocketFrames(reading)
    await reading.goto(path)
    await frames.wait_for(f"thread:{path.rsplit('/', 1)[1]}")
    assert len(frames.opened) == 1, f"the page opened {len(frames.opened)} socket connections: {frames.opened}"

    await writing.get_by_label("Message", exact=True).fill("The head of the procuring entity does.")
    await writing.get_by_role("button", name="Post reply").click()
    await expect(reading.get_by_text("The head of the procuring entity does.")).to_be_visible()
    assert len(frames.opened) == 1, f"the page opened {len(frames.opened)} socket connections: {frames.opened}"


async def test_a_thread_reads_with_javascript_disabled(
        new_context: NewContext, community: Community, people: People, tools: Tools, screenshots: Path) -> None:
    author = await people("Farhan Ali")
    writing = await signed_in(new_context, author)
    title = "Reading list for the Mission Karmayogi induction week"
    path = await start_thread(writing, community, title, "Start with the **FRAC** overview, then the iGOT catalogue.")
    await writing.get_by_label("Message", exact=True).fill("And the Sevottam model for service standards.")
    await writing.get_by_role("button", name="Post reply").click()
    await expect(writing.get_by_text("And the Sevottam model for service standards.")).to_be_visible()

    offline = await (await new_context(java_script_enabled=False)).new_page()
    await offline.goto("/forums")
    await offline.get_by_role("link", name=community.category_name).click()
    await offline.get_by_role("link", name=title).click()
    assert offline.url.endswith(path) or path in offline.url
    await expect(offline.get_by_role("heading", level=1)).to_have_text(title)
    await expect(offline.locator("strong", has_text="FRAC")).to_be_visible()
    await expect(offline.get_by_text("And the Sevottam model for service standards.")).to_be_visible()
    await expect(offline.get_by_text("Sign in to reply.")).to_be_visible()
    await check_page(offline, None, screenshots, "thread-no-javascript")

    signed_out = await (await new_context()).new_page()
    await signed_out.goto(path)
    await expect(signed_out.get_by_text("And the Sevottam model for service standards.")).to_be_visible()
    await check_page(signed_out, tools, screenshots, "thread-signed-out")
    await signed_out.get_by_role("link", name="Sign in to reply.").click()
    await signed_out.get_by_label("E-mail address", exact=True).fill(author.email)
    await signed_out.get_by_label("Password", exact=True).fill(author.password)
    await signed_out.get_by_role("button", name="Sign in").click()
    await expect(signed_out.get_by_role("button", name="Post reply")).to_be_visible()
    assert signed_out.url.endswith(path), signed_out.url


async def test_a_category_page_counts_new_replies_live_when_someone_else_replies(
        new_context: NewContext, community: Community, people: People) -> None:
    author, replier = await people("Meera Iyer"), await people("Tarun Bose")
    watching = await signed_in(new_context, author)
    title = "Which service standards did you publish in your citizen charter?"
    path = await start_thread(watching, community, title, "We are drafting ours and want to compare timelines.")

    watching = await watching.context.new_page()  # only the category page opens sockets in this tab
    frames = SocketFrames(watching)
    await watching.goto(f"/forums/c/{community.category_slug}")
    category_id = await watching.locator("#category").get_attribute("data-category-id")
    await frames.wait_for(f"category:{category_id}")
    assert len(frames.opened) == 1, f"the category page opened {len(frames.opened)} socket connections"
    row = watching.get_by_role("row").filter(has=watching.get_by_role("link", name=title, exact=True))
    replies = row.locator(".reply-count")
    await expect(replies).to_have_text("0")
    await expect(row.get_by_role("link", name=re.compile("new repl"))).to_have_count(0)
    await watching.evaluate("() => { window.stillTheSamePage = true; }")

    replying = await signed_in(new_context, replier)
    await replying.goto(path)
    for number, body, label in ((1, "Ours promises a reply within seven days.", "1 new reply"),
                                (2, "And a final disposal within thirty days.", "2 new replies")):
        await replying.get_by_label("Message", exact=True).fill(body)
        await replying.get_by_role("button", name="Post reply").click()
        await expect(replying.get_by_text(body)).to_be_visible()
        await expect(replies).to_have_text(str(number))
        await expect(row.get_by_role("link", name=label, exact=True)).to_be_visible()

    new_replies = row.get_by_role("link", name="2 new replies", exact=True)
    assert await watching.evaluate("() => window.stillTheSamePage === true"), "the category page reloaded"
    await new_replies.click()
    await expect(watching.get_by_text("Ours promises a reply within seven days.")).to_be_visible()
