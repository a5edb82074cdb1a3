"""What the browser journeys share: accessibility checks, screenshots, keyboard focus, signing in."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page, Request, WebSocket, expect

from community.timezones import IST
from tests.browser.conftest import DESKTOP, PHONE, NewContext, Person, Tools

BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }));
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim(),
    href: el.getAttribute('href'), inNav: !!el.closest('nav.primary'), inMain: !!el.closest('main'),
    inHeader: !!el.closest('header'),
    classes: el.className, outline: style.outlineStyle, outlineWidth: style.outlineWidth,
  };
}"""


def ist_input(days: int, hours: int = 0) -> str:
    """Now plus ``days`` and ``hours`` as a ``datetime-local`` field takes it, in IST (the forms' zone)."""
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).astimezone(IST).strftime(
        "%Y-%m-%dT%H:%M")


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.extend(f"        {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


async def assert_accessible(page: Page, tools: Tools, label: str) -> None:
    """axe-core finds no serious or critical violation on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not govern, so the page is checked under the policy it really runs with.
    """
    if await page.evaluate("typeof window.axe") != "object":
        await page.evaluate(tools.axe_source + "\n;undefined")
    violations = await page.evaluate(RUN_AXE)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core: serious or critical violations on {label} ({page.url}):\n{describe(blocking)}"


async def check_page(page: Page, tools: Tools | None, folder: Path, name: str) -> None:
    """At phone and desktop widths: save ``<name>-phone.png`` / ``<name>-desktop.png``, then run axe.

    The screenshot comes first so a person can look at what failed. ``tools=None`` only saves the
    screenshots: in a page with JavaScript disabled axe cannot run (its promises wait on timers
    that never fire), so such a page is checked with axe in a page that has JavaScript.
    """
    original = page.viewport_size
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        await page.screenshot(path=folder / f"{name}-{size_name}.png", full_page=True)
        if tools is not None:
            await assert_accessible(page, tools, f"{name} at {size_name} width")
    if original:
        await page.set_viewport_size(original)


async def focused(page: Page) -> dict[str, Any] | None:
    result: dict[str, Any] | None = await page.evaluate(FOCUSED)
    return result


async def tab_to(page: Page, predicate: Any, *, limit: int = 40, shift: bool = False) -> dict[str, Any]:
    """Press Tab until the focused element satisfies ``predicate``; fail after ``limit`` presses.

    Every element reached on the way must show a visible focus indicator.
    """
    seen = []
    for _ in range(limit):
        await page.keyboard.press("Shift+Tab" if shift else "Tab")
        element = await focused(page)
        if element is None:
            continue
        assert element["outline"] != "none", f"no visible focus indicator on {element}"
        seen.append(element)
        if predicate(element):
            return element
    raise AssertionError(f"Tab never reached the element; focus went through: {seen}")


CODE = re.compile(r"\b(\d{6})\b")


async def sign_in(page: Page, person: Person) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail address", exact=True).fill(person.email)
    await page.get_by_label("Password", exact=True).fill(person.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("banner").locator("details.user-menu summary")).to_contain_text(person.name)


async def signed_in(new_context: NewContext, person: Person) -> Page:
    """A page in a fresh browser context (a person of their own), signed in as ``person``."""
    page = await (await new_context()).new_page()
    await sign_in(page, person)
    return page


async def code_from_outbox(admin_page: Page, email: str) -> str:
    """The newest one-time code e-mailed to ``email``, read on the administrators' outbox page."""
    await admin_page.goto("/admin/outbox")
    message = admin_page.get_by_role("listitem").filter(has_text=email).first
    match = CODE.search(await message.inner_text())
    assert match, f"no 6-digit code in the outbox message to {email}"
    return match.group(1)


class SocketFrames:
    """Every Socket.IO message the page sent, in WebSocket frames or long-polling POSTs (the client
    starts with polling and upgrades), so a test can wait until the page has joined a room before
    another person acts (otherwise the live event could race the join), and how many Socket.IO
    connections the page opened (each starts with a handshake that names no session).

    Attach before the page opens its sockets, i.e. before ``goto``."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        self.opened: list[str] = []
        page.on("websocket", self._upgraded)
        page.on("request", self._requested)

    def _upgraded(self, socket: WebSocket) -> None:
        socket.on("framesent", self._record)

    def _requested(self, request: Request) -> None:
        address = urlsplit(request.url)
        if address.path != "/socket.io/":
            return
        if "sid=" not in address.query:
            self.opened.append(request.url)
        elif request.method == "POST" and request.post_data:
            self.sent.append(request.post_data)

    def _record(self, payload: str | bytes) -> None:
        self.sent.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    async def wait_for(self, text: str, *, seconds: float = 15) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while not any(text in frame for frame in self.sent):
            assert asyncio.get_running_loop().time() < deadline, f"no socket frame with {text!r}; sent: {self.sent}"
            await asyncio.sleep(0.05)
