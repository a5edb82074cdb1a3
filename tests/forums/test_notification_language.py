"""Forum notifications are words rendered for each reader, in the reader's language, from a kind and parameters."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community import actions
from community.notifications.intents import INTENTS
from community.notifications.routes import NOTIFIER
from community.notifications.render import in_language
from community.i18n import gettext
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum
from tests.realtime.probe import SocketProbe, server_url


async def _follow(client: TestClient, forum: Forum, thread: dict[str, Any], user: dict[str, Any]) -> None:
    response = await client.put(f"/api/v1/forums/threads/{thread['id']}/follow", headers=forum.headers(user))
    assert response.status == 200


async def test_an_english_follower_reads_english_of_a_reply_posted_from_a_hindi_page(
        client: TestClient, forum: Forum, probe: SocketProbe) -> None:
    category = await forum.category()
    author, replier = await forum.person(), await forum.person()
    english, hindi = await forum.person(name="Asha Rao"), await forum.person(name="Ravi Kumar")
    thread = await forum.thread(category, author, title="Pay fixation on promotion")
    for follower in (english, hindi):
        await _follow(client, forum, thread, follower)
    await sign_in(client, hindi)
    token = await csrf_token(client)
    switched = await client.post("/language", data={"lang": "hi", "next": "/", "csrf_token": token},
                                 allow_redirects=False)
    assert switched.status == 303, "Ravi chose Hindi with the language switch; it is stored for him"
    client.session.cookie_jar.clear()
    await probe.connect(server_url(client), token=english["token"])
    ravi_probe = SocketProbe()
    await ravi_probe.connect(server_url(client), token=hindi["token"])

    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "Rule 22 applies."},
                                 headers={**forum.headers(replier), "Accept-Language": "hi"})
    assert response.status == 201, "posted from a Hindi page"
    await client.app[NOTIFIER].drain()

    english_text = "New reply in “Pay fixation on promotion”: Rule 22 applies."
    pushed = await probe.next("notification")
    assert pushed["text"] == english_text, "the live push speaks the English reader's language"
    listed = await (await client.get("/api/v1/notifications", headers=forum.headers(english))).json()
    assert [item["text"] for item in listed["items"]] == [english_text]

    with in_language("hi"):
        hindi_text = gettext("New reply in \u201c%(title)s\u201d: %(excerpt)s", title="Pay fixation on promotion",
                             excerpt="Rule 22 applies.")
    assert hindi_text != english_text
    try:
        assert (await ravi_probe.next("notification"))["text"] == hindi_text, "Ravi's push is in his stored Hindi"
    finally:
        await ravi_probe.close()
    listed = await (await client.get("/api/v1/notifications", headers={**forum.headers(hindi),
                                                                        "Accept-Language": "hi"})).json()
    assert [item["text"] for item in listed["items"]] == [hindi_text], "shown in the language of the request"


async def test_a_refused_reply_records_no_effect(client: TestClient, forum: Forum,
                                                 captured_effects: actions.Effects) -> None:
    category = await forum.category()
    author, replier = await forum.person(), await forum.person()
    thread = await forum.thread(category, author)
    captured_effects.events.clear()
    captured_effects.notifications.clear()
    captured_effects.reindexed.clear()
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": ""},
                                 headers=forum.headers(replier))
    assert response.status == 422
    assert captured_effects.empty
    assert await forum.db[INTENTS].count_documents({"kind": "reply"}) == 0


async def test_a_reply_records_exactly_its_events_intents_and_reindex(client: TestClient, forum: Forum,
                                                                      captured_effects: actions.Effects) -> None:
    category = await forum.category()
    author, replier = await forum.person(), await forum.person()
    thread = await forum.thread(category, author)
    before = len(captured_effects.events), len(captured_effects.notifications), len(captured_effects.reindexed)
    reply = await forum.reply(thread, replier, "A plain reply, mentioning nobody")
    events = [(e.event, e.room) for e in captured_effects.events[before[0]:]]
    assert events == [("forum:post_created", f"thread:{thread['id']}"),
                      ("forum:thread_activity", f"category:{category['_id']}")]
    intents = captured_effects.notifications[before[1]:]
    assert [(i["kind"], i["to"]["set"], i["subject_type"]) for i in intents] == [
        ("reply", "forum.reply_audience", "forum_thread")]
    assert captured_effects.reindexed[before[2]:] == [("threads_posts", reply["id"])]
    assert captured_effects.scheduled == [] and captured_effects.cancelled == []
