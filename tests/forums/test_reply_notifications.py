"""Several unread replies to one thread are one notification: "5 new replies in ..." naming the
latest repliers, on the notifications page, in the API, in the live push and in the header's count;
reading the thread reads it, and the next reply starts a new one."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums import queries
from community.forums.queries import FOLLOWS, POSTS
from community.notifications.intents import RECIPIENT_SETS, expand
from community.notifications.routes import NOTIFIER
from tests.factories import record_calls, sign_in
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url

TITLE = "Which form for a leave encashment claim?"
REPLY_NUMBERS = itertools.count(1)


async def replies_from(forum: Forum, thread: dict[str, Any], *people: dict[str, Any]) -> None:
    for person in people:
        await forum.reply(thread, person, f"Reply number {next(REPLY_NUMBERS)} from me.")
    await forum.client.app[NOTIFIER].drain()


async def test_replies_to_one_thread_are_one_item_naming_the_latest_repliers(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person(name="Asha Menon")
    bala, chitra, devi = (await forum.person(name="Bala Iyer"), await forum.person(name="Chitra Das"),
                          await forum.person(name="Devi Rao"))
    thread = await forum.thread(category, asha, title=TITLE)
    await replies_from(forum, thread, bala, chitra, bala, devi, bala)

    listed = await (await client.get("/api/v1/notifications", headers=forum.headers(asha))).json()
    assert listed["unread"] == 1 and len(listed["items"]) == 1
    item = listed["items"][0]
    assert item["count"] == 5
    assert item["text"] == f"5 new replies in \u201c{TITLE}\u201d, latest from Bala Iyer, Devi Rao, Chitra Das"

    await sign_in(client, asha)
    page = await (await client.get("/notifications")).text()
    assert page.count('class="notification unread"') == 1
    assert "5 new replies in \u201c" in page and "latest from Bala Iyer, Devi Rao, Chitra Das" in page
    assert "×5" not in page, "the words say how many; no count badge beside them"
    assert 'class="badge" data-unread-count>1</span>' in page, "the header counts the thread once"

    hindi = await (await client.get("/api/v1/notifications", headers={**forum.headers(asha),
                                                                      "Accept-Language": "hi"})).json()
    assert hindi["items"][0]["text"] == (f"\u201c{TITLE}\u201d में 5 नए उत्तर, सबसे हाल के "
                                         "Bala Iyer, Devi Rao, Chitra Das से")


async def test_reading_the_thread_reads_the_group_and_the_next_reply_starts_anew(client: TestClient,
                                                                                forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(name="Asha Menon"), await forum.person(name="Bala Iyer")
    thread = await forum.thread(category, asha, title=TITLE)
    await replies_from(forum, thread, bala, bala)
    await sign_in(client, asha)
    await client.get(f"/forums/t/{thread['id']}")
    assert await forum.db.notifications.count_documents({"user_id": asha["_id"], "read": False}) == 0
    await replies_from(forum, thread, bala)
    listed = await (await client.get("/api/v1/notifications", headers=forum.headers(asha))).json()
    assert [(i["count"], i["read"]) for i in listed["items"]] == [(1, False), (2, True)]
    assert listed["items"][0]["text"].startswith(f"New reply in \u201c{TITLE}\u201d: Reply number ")
    assert listed["items"][1]["text"] == f"2 new replies in \u201c{TITLE}\u201d, latest from Bala Iyer"


async def test_the_live_push_carries_the_grouped_words(client: TestClient, forum: Forum, probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala, chitra = (await forum.person(name="Asha Menon"), await forum.person(name="Bala Iyer"),
                          await forum.person(name="Chitra Das"))
    thread = await forum.thread(category, asha, title=TITLE)
    await probe.connect(server_url(client), token=asha["token"])
    await replies_from(forum, thread, bala)
    first = await probe.next("notification")
    assert first["text"].startswith(f"New reply in \u201c{TITLE}\u201d: Reply number ")
    await replies_from(forum, thread, chitra)
    second = await probe.next("notification")
    assert second["text"] == f"2 new replies in \u201c{TITLE}\u201d, latest from Chitra Das, Bala Iyer"
    assert second["count"] == 2 and second["unread"] == 1


async def test_replies_queued_in_one_thread_read_its_followers_once_and_each_tells_whom_it_would_alone(
        bare_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notifier expands the replies it folds together in one call: one read of the thread's
    followers for all of them, each reply's audience still its own (who had followed by then,
    the author it answers, less those it mentions)."""
    thread_id, now = ObjectId(), datetime.now(UTC)
    early, late, answered, mentioned = ObjectId(), ObjectId(), ObjectId(), ObjectId()
    await bare_db[FOLLOWS].insert_many([
        {"_id": f"{person}|thread|{thread_id}", "user_id": person, "target_type": "thread", "target_id": thread_id,
         "at": now + offset} for person, offset in ((early, -timedelta(hours=1)), (mentioned, -timedelta(hours=1)),
                                                     (late, timedelta(seconds=90)))])
    first = {"_id": ObjectId(), "thread_id": thread_id, "number": 1, "author_id": answered, "body": "Asked",
             "created_at": now}
    replies = [{"_id": ObjectId(), "thread_id": thread_id, "number": n + 1, "author_id": early, "body": f"Reply {n}",
                "created_at": now + timedelta(minutes=n), **({"reply_to_post_id": first["_id"]} if n == 2 else {})}
               for n in range(1, 4)]
    await bare_db[POSTS].insert_many([first, *replies])
    sets = [{"set": "forum.reply_audience", "args": {"post_id": reply["_id"], "mentioned": [mentioned]}}
            for reply in replies]
    alone = [await RECIPIENT_SETS["forum.reply_audience"](bare_db, **to["args"]) for to in sets]
    read = record_calls(monkeypatch, queries, "follows_by")
    together = await expand(bare_db, sets)
    assert len(read) == 1, "one read of the thread's followers for the three replies"
    assert together == alone == [[early], [answered, early, late], [early, late]]
