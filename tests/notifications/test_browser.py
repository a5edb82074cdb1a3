"""In Debian's chromium: the header badge counts unread notifications and follows changes live.

The page loads the vendored Socket.IO client and realtime.js under the site's real
Content-Security-Policy, opens a WebSocket authenticated by the session cookie (and the Origin
check lets our own page in), and when the person marks everything read in another tab, the
first tab's badge empties without a reload. Any console error (a CSP refusal, a failed socket)
fails the test through the ``problems`` fixture.
"""

from __future__ import annotations

import pytest
from bson import ObjectId
from playwright.async_api import expect

from community.config import load_settings
from community.storage import connect
from tests.browser.conftest import (  # noqa: F401 - fixtures used by name
    NewContext, Server, Tools, browser, new_context, problems, server, tools)
from tests.browser.support import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_notification, make_user

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def _member_with_unread(server: Server, count: int) -> str:  # noqa: F811 - the imported fixture's name
    """A verified member in the running server's own store, with ``count`` unread notifications."""
    settings = load_settings({"DATA_DIR": str(server.data_dir)})
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        email = f"badge-{ObjectId()}@example.gov.in"
        user = await make_user(db, email=email, name="Badge Tester")
        for n in range(count):
            await make_notification(db, user, title=f"Mention number {n}")
    finally:
        await client.close()
    return email


async def test_the_badge_counts_unread_and_empties_live_when_read_elsewhere(
        server: Server, new_context: NewContext, tools: Tools) -> None:  # noqa: F811
    email = await _member_with_unread(server, 2)
    context = await new_context()
    reading = await context.new_page()
    await reading.goto("/login")
    await reading.get_by_label("E-mail address").fill(email)
    await reading.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await reading.get_by_role("button", name="Sign in").click()
    await reading.goto("/")
    badge = reading.locator("[data-unread-count]")
    await expect(badge).to_have_text("2")
    await expect(badge).to_be_visible()
    await reading.wait_for_function("() => window.Community && window.Community.socket && window.Community.socket.connected")

    other_tab = await context.new_page()
    await other_tab.goto("/notifications")
    await expect(other_tab.get_by_role("link", name="Mention number 1")).to_be_visible()
    await assert_accessible(other_tab, tools, "the notifications list")
    await other_tab.get_by_role("button", name="Mark all read").click()
    await expect(other_tab.locator("[data-unread-count]")).to_be_hidden()

    await expect(badge).to_have_text("0")
    await expect(badge).to_be_hidden()
    await expect(reading.locator("[data-unread-label]")).to_have_text("0 unread")

    await other_tab.goto("/notifications/preferences")
    await other_tab.get_by_role("group", name="Mentions of you").get_by_label("Off").check()
    await other_tab.get_by_role("button", name="Save preferences").click()
    await expect(other_tab.get_by_role("status")).to_have_text("Your preferences are saved.")
    await expect(other_tab.get_by_role("group", name="Mentions of you").get_by_label("Off")).to_be_checked()
    await assert_accessible(other_tab, tools, "notification preferences")
