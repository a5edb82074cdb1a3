"""Browser fixtures: the real server as a newcomer starts it, and Debian's chromium driving it.

* ``server`` (one per test session; journeys use their own people and titles) runs ``python run.py`` in a subprocess on a free port with a
  temporary ``DATA_DIR``, so the whole stack runs exactly as ``README.md`` tells a person to run it:
  settings from the environment, the embedded store on disk, the real middlewares and features.
* ``browser`` (one per test session) is Playwright driving ``/usr/bin/chromium``. Playwright never
  downloads a browser here; ``launch`` gives every run a fresh, temporary user-data directory.
* ``tools`` is the one place that decides what happens when chromium or axe-core is missing:
  a skip whose reason names what to install, or a failure when ``CI=true``.

Playwright's async API is used with a session-scoped event loop (``loop_scope="session"``) so the
single browser is shared by every browser test while the rest of the suite keeps its own
per-test loops; the sync API cannot share a thread with pytest-asyncio's loops.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Response, async_playwright, expect

from community.config import load_settings
from community.storage import connect
from tests.factories import DEFAULT_PASSWORD, bearer_token, make_org, make_user
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SERVER_START_SECONDS = 60
ACTION_TIMEOUT_MS = 15_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)
# Settings that would point the server under test at a real deployment or share its secret.
FOREIGN_SETTINGS = ("MONGODB_URI", "DATABASE_NAME", "MEILISEARCH_URL", "MEILISEARCH_KEY", "REDIS_URL", "SECRET_KEY",
                    "BASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS",
                    "SMTP_FROM")


def missing(what: str, install: str) -> None:
    """Skip (a developer's machine) or fail (``CI=true``) because a test tool is not installed."""
    reason = f"{what} is not installed: run `{install}`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true makes this a failure)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Tools:
    chromium: Path
    axe_source: str


@pytest.fixture(scope="session")
def tools() -> Tools:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing("Debian's chromium", "apt-get install chromium")
    if not AXE.is_file():
        missing("axe-core (test-only npm package)", "npm ci")
    return Tools(chromium=CHROMIUM, axe_source=AXE.read_text(encoding="utf-8"))


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run a ``run.py`` sub-command (e.g. ``make-admin``) against this server's data."""
        return subprocess.run([sys.executable, "run.py", *arguments], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=60, check=False)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Any]:
        """The running server's own store, opened from the test process (the embedded engine is
        safe to share between processes), for setting up people faster than through pages."""
        settings = load_settings({"DATA_DIR": str(self.data_dir)})
        client = connect(settings.storage_url)
        try:
            yield client[settings.database_name]
        finally:
            await client.close()

    async def indexed(self, timeout: float = 30) -> None:
        """Wait until the server's search indexer has taken every outbox entry (the directory's
        rows and search come from it), so a page opened next shows what the test just wrote."""
        deadline = time.monotonic() + timeout
        async with self.store() as db:
            while await db["search_outbox"].count_documents({}):
                assert time.monotonic() < deadline, "the server's search indexer did not catch up"
                await asyncio.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def server(tools: Tools) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="community-browser-") as folder:
        data_dir = Path(folder) / "data"
        port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
        env.update(DATA_DIR=str(data_dir), HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
                   # Journeys post a thread and reply at once, where a person would wait the ten
                   # seconds of flood control; tests/forums holds the limits themselves.
                   FORUM_FLOOD_SECONDS="0",
                   # Each browser context is a person on an address of their own (``new_context``),
                   # as people are: per-address limits, such as 30 sign-ins in 15 minutes, count
                   # each person rather than the whole run, which signs in far more often.
                   TRUSTED_PROXIES="127.0.0.1",
                   # A journey is one person's pace, not a load: on a shared 2-core machine a page
                   # rendered while other tests run can lag the loop past the 200 ms at which the
                   # server sheds load, or keep two browsers' pages and their scripts past the 8
                   # requests in flight, and a journey must not read "Server busy" for it
                   # (tests/test_overload.py holds the shedding itself).
                   OVERLOAD_MAX_LAG_MS="60000", OVERLOAD_MAX_IN_FLIGHT="1000")
        log = Path(folder) / "server.log"
        with log.open("w", encoding="utf-8") as output:
            process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        running = Server(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env, log=log)
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _answers(f"{running.url}/healthz"):
                if process.poll() is not None:
                    pytest.fail(f"`python run.py` exited with {process.returncode}:\n{running.log_tail()}",
                                pytrace=False)
                if time.monotonic() > deadline:
                    pytest.fail(f"`python run.py` did not answer within {SERVER_START_SECONDS}s:\n"
                                f"{running.log_tail()}", pytrace=False)
                time.sleep(0.1)
            yield running
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(tools: Tools) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(tools.chromium), args=CHROMIUM_ARGS,
                                                    headless=True)
        yield launched
        await launched.close()


@dataclass
class Problems:
    """What went wrong inside the pages of one test: uncaught script errors, console errors (a
    Content-Security-Policy refusal is one) and failed loads of anything but the page itself (a
    page may rightly answer 404 or 422; its stylesheet, script or icon may not)."""

    messages: list[str]

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.messages.append(f"{page.url}: uncaught {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.on("response", lambda response: self._response(page, response))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            source = message.location.get("url") or "?"
            self.messages.append(f"{page.url}: console error: {message.text} [{source}]")

    def _response(self, page: Page, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{page.url}: {response.request.resource_type} {response.url} "
                                 f"answered {response.status}")


NewContext = Callable[..., Awaitable[BrowserContext]]


@pytest_asyncio.fixture(loop_scope="session")
async def problems() -> Problems:
    return Problems(messages=[])


ADDRESSES = itertools.count(1)
"""Each browser context's own client address, under 10.0.0.0/8."""


@pytest_asyncio.fixture(loop_scope="session")
async def new_context(browser: Browser, server: Server, problems: Problems) -> AsyncIterator[NewContext]:
    """Open a fresh browser context (a separate person: own cookies, own storage) on the server.

    Every page opened in it is watched, and the test fails at teardown if any script error or
    console error (a Content-Security-Policy refusal is one) happened, so broken JavaScript
    cannot hide behind a page that still renders.
    """
    opened: list[BrowserContext] = []

    async def open_context(*, viewport: dict[str, int] = DESKTOP, **options: Any) -> BrowserContext:
        phone = viewport["width"] < 600
        address = next(ADDRESSES)
        headers = {"X-Forwarded-For": f"10.{address // 65536 % 256}.{address // 256 % 256}.{address % 256}",
                   **options.pop("extra_http_headers", {})}
        context = await browser.new_context(base_url=server.url, viewport=viewport, is_mobile=phone,
                                            has_touch=phone, locale="en-IN", extra_http_headers=headers, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("page", problems.watch)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        await context.close()
    assert not problems.messages, "errors inside the browser:\n" + "\n".join(problems.messages)


@pytest_asyncio.fixture(loop_scope="session")
async def page(new_context: NewContext) -> Page:
    """A page at desktop width in a fresh context."""
    context = await new_context()
    return await context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    password: str = DEFAULT_PASSWORD


@dataclass(frozen=True)
class Community:
    """What exists before any journey: an organisation, a platform administrator in it, and a
    public forum category the administrator opened through the JSON API."""

    org_id: Any
    org_name: str
    admin: Person
    category_name: str
    category_slug: str


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def community(server: Server) -> Community:
    admin = Person(name="Asha Administrator", email="asha.admin@example.gov.in")
    async with server.store() as db:
        org = await make_org(db, name="Department of Administrative Reforms", short_name="DARPG")
        admin_user = await make_user(db, org=org, roles=("officer", "admin"), name=admin.name, email=admin.email)
        token = await bearer_token(db, admin_user)
    name, slug = "Public service delivery", "public-service-delivery"
    async with aiohttp.ClientSession(server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.post("/api/v1/forums/categories", json={"name": name, "slug": slug,
                                                               "description": "Grievances, citizen charters, Sevottam."}) as made:
            assert made.status == 201, await made.text()
    return Community(org_id=org["_id"], org_name=org["name"], admin=admin, category_name=name, category_slug=slug)


@pytest_asyncio.fixture(loop_scope="session")
async def people(server: Server, community: Community) -> Callable[..., Awaitable[Person]]:
    """Make a verified officer of the community's organisation, straight in the server's store."""

    async def make(name: str) -> Person:
        person = Person(name=name, email=f"{name.lower().replace(' ', '.')}.{secrets.token_hex(3)}@example.gov.in")
        async with server.store() as db:
            await make_user(db, org={"_id": community.org_id}, name=person.name, email=person.email)
        return person

    return make
