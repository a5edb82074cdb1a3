"""A live room as people use it: two browsers in one room; a chat message one sends appears in
the other's page, and a question the other upvotes changes its count and moves up live."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from bson import ObjectId
from playwright.async_api import Page, expect

from tests.browser.conftest import (FOREIGN_SETTINGS, ROOT, SERVER_START_SECONDS, NewContext, Person, Server, Tools,
                                    _answers)
from tests.browser.support import SocketFrames, check_page, signed_in
from tests.factories import make_org, make_user
from tests.processes import free_port
from tests.rooms.conftest import KIND, SESSIONS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """``run.py`` with the tests' room subject registered (``tests/rooms/serve.py``), on its own store."""
    with tempfile.TemporaryDirectory(prefix="community-rooms-") as folder:
        port = free_port()
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
        env.update(DATA_DIR=str(Path(folder) / "data"), HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="INFO",
                   PYTHONUNBUFFERED="1")
        log = Path(folder) / "server.log"
        with log.open("w", encoding="utf-8") as output:
            process = subprocess.Popen([sys.executable, "-m", "tests.rooms.serve"], cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        running = Server(url=f"http://127.0.0.1:{port}", data_dir=Path(folder) / "data", env=env, log=log)
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _answers(f"{running.url}/healthz"):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the rooms test server did not start:\n{running.log_tail()}", pytrace=False)
                time.sleep(0.1)
            yield running
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest_asyncio.fixture(loop_scope="session")
async def session_room(server: Server) -> AsyncIterator[dict[str, Any]]:
    async with server.store() as db:
        org = await make_org(db, name="Department of Expenditure", short_name="DoE")
        host = await make_user(db, org=org, name="Kavita Rao", email=f"kavita.{ObjectId()}@example.gov.in")
        people = [await make_user(db, org=org, name=name, email=f"{name.split()[0].lower()}.{ObjectId()}@example.gov.in")
                  for name in ("Arjun Mehta", "Sunita Das")]
        now = datetime.now(UTC)
        subject = {"_id": ObjectId(), "title": "GFR 2017: procurement clinic", "hosts": [host["_id"]],
                   "invited": [person["_id"] for person in people], "starts_at": now - timedelta(minutes=5),
                   "ends_at": now + timedelta(minutes=55), "open": True, "attended": []}
        await db[SESSIONS].insert_one(subject)
    yield {"subject": subject, "people": [Person(name=p["name"], email=p["email"]) for p in people]}


async def entered(page: Page, path: str) -> None:
    frames = SocketFrames(page)
    await page.goto(path)
    await frames.wait_for("room:enter")
    await expect(page.locator("[data-presence-count]")).not_to_have_text("0")


async def test_two_browsers_see_chat_and_votes_change_live(new_context: NewContext, session_room: dict[str, Any],
                                                           tools: Tools, screenshots: Path) -> None:
    first, second = session_room["people"]
    path = f"/rooms/{KIND}/{session_room['subject']['_id']}"
    one, two = await signed_in(new_context, first), await signed_in(new_context, second)
    await entered(one, path)
    await one.get_by_label("Your question").fill("Is a single bid valid under GFR rule 173?")
    await one.get_by_role("button", name="Ask", exact=True).click()
    await one.get_by_label("Your question").fill("When must a tender be re-invited?")
    await one.get_by_role("button", name="Ask", exact=True).click()
    await entered(one, path)
    await entered(two, path)
    questions = one.locator("[data-questions] > li")
    await expect(questions.first).to_contain_text("single bid")

    await two.get_by_label("Message").fill("Namaste from Kolkata")
    await two.get_by_role("button", name="Send").click()
    await expect(one.locator("[data-messages]")).to_contain_text("Namaste from Kolkata")
    await expect(two.locator("[data-messages]")).to_contain_text("Namaste from Kolkata")

    later = two.locator("[data-questions] > li").filter(has_text="re-invited")
    await later.get_by_role("button", name="Upvote").click()
    await expect(two.locator("[data-questions] > li").first).to_contain_text("re-invited")
    await expect(questions.first).to_contain_text("re-invited")
    await expect(questions.first.locator("[data-vote-count]")).to_have_text("1")
    await check_page(one, tools, screenshots, "room")
    chat, question = await one.locator("#chat-body").bounding_box(), await one.locator("#question-body").bounding_box()
    assert chat and question and abs(chat["width"] - question["width"]) <= 2, \
        f"the chat's message field is not as wide as the question field: {chat} against {question}"
