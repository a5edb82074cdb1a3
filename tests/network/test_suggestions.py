"""People you may know: each signal with its reason in the reader's language, who is never
suggested, what field privacy hides, dismissal, and the pages and API."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.forums import reads as forums
from community.forums.queries import POSTS
from community.network import queries, suggestions
from community.network.suggestions import people_you_may_know
from community.profiles import directory
from community.profiles.queries import PROFILES
from tests.conftest import csrf_token
from tests.factories import act, sent_to_sign_in, sign_in
from tests.forums.conftest import Forum
from tests.network.helpers import ask, block, connect
from tests.profiles.helpers import call


async def place(db: Any, person: dict[str, Any], state: str | None = None, **privacy: str) -> None:
    """Give the person a state and privacy choices, and rebuild their directory rows (what a
    profile edit's reindex does)."""
    await db[PROFILES].update_one({"_id": person["_id"]}, {"$set": {"state": state, "privacy": privacy}}, upsert=True)
    await directory.rebuild(db, person["_id"])


async def suggested(db: Any, person: dict[str, Any]) -> dict[ObjectId, list[str]]:
    return {item.person_id: item.reasons for item in await people_you_may_know(db, actor_for_user(person))}


async def test_each_signal_is_a_reason_and_the_strongest_come_first(client: TestClient, forum: Forum) -> None:
    app, db = client.app, forum.db
    asha = await forum.person("Ministry of Finance", name="Asha Menon")
    friends = [await forum.person("Ministry of Health") for _ in range(3)]
    known = await forum.person("Ministry of Rural Development", name="Known Through Friends")
    fellow = await forum.person("Ministry of Rural Development", name="Thread Fellow")
    colleague = await forum.person("Ministry of Finance", name="Finance Colleague")
    keralite = await forum.person("Ministry of Rural Development", name="Kerala Officer")
    stranger = await forum.person("Ministry of Rural Development", name="Stranger")
    for person, state in ((asha, "Kerala"), (keralite, "Kerala"), (stranger, "Punjab"), (colleague, "Punjab")):
        await place(db, person, state, location="everyone")
    for person in (*friends, known, fellow):
        await place(db, person)
    for friend in friends:
        await connect(app, asha, friend)
    for friend in friends[:2]:
        await connect(app, friend, known)
    category = await forum.category()
    for title in ("Single bid tenders", "GeM returns"):
        thread = await forum.thread(category, stranger, title=f"{title}: what did you do?")
        await forum.reply(thread, asha, f"{title}: we asked the finance wing first.")
        await forum.reply(thread, fellow, f"{title}: we re-tendered after a week.")

    found = await suggested(db, asha)
    assert found[known["_id"]] == ["2 shared connections"]
    assert found[fellow["_id"]] == ["Replied in the same 2 threads as you"]
    assert found[colleague["_id"]] == ["Also in Ministry of Finance"]
    assert found[keralite["_id"]] == ["Also posted in Kerala"]
    assert found[stranger["_id"]] == ["Replied in the same 2 threads as you"], "they started both threads"
    assert asha["_id"] not in found and not set(found) & {friend["_id"] for friend in friends}
    order = [item.person_id for item in await people_you_may_know(db, actor_for_user(asha))]
    assert order.index(known["_id"]) < order.index(fellow["_id"]) < order.index(colleague["_id"]) < order.index(keralite["_id"])

    status, body = await call(client, "GET", "/api/v1/network/suggestions", asha["token"], headers={"Accept-Language": "hi"})
    assert status == 200
    reasons = {item["id"]: item["reasons"] for item in body["items"]}
    assert reasons[str(known["_id"])] == ["2 साझा संपर्क"]
    assert reasons[str(keralite["_id"])] == ["केरल में भी तैनात"]


async def test_nobody_connected_waiting_blocked_erased_or_dismissed_is_suggested(client: TestClient, forum: Forum) -> None:
    app, db = client.app, forum.db
    asha = await forum.person("Ministry of Finance")
    colleagues = {name: await forum.person("Ministry of Finance", name=name)
                  for name in ("connected", "asked", "asking", "blocked", "blocker", "erased", "dismissed", "left")}
    for person in (asha, *colleagues.values()):
        await place(db, person)
    await connect(app, asha, colleagues["connected"])
    await ask(app, asha, colleagues["asked"])
    await ask(app, colleagues["asking"], asha)
    await block(app, asha, colleagues["blocked"])
    await block(app, colleagues["blocker"], asha)
    await db.users.update_one({"_id": colleagues["erased"]["_id"]}, {"$set": {"deleted": True}})
    assert await act(app, actor_for_user(asha), suggestions.dismiss, colleagues["dismissed"]["_id"])
    assert set(await suggested(db, asha)) == {colleagues["left"]["_id"]}
    assert await queries.dismissed_people(db, asha["_id"]) == {colleagues["dismissed"]["_id"]}


async def test_a_hidden_organisation_or_state_is_neither_a_reason_nor_a_signal(client: TestClient, forum: Forum) -> None:
    app, db = client.app, forum.db
    asha = await forum.person("Ministry of Finance")
    friend = await forum.person("Ministry of Health")
    await place(db, asha, "Kerala")
    private = await forum.person("Ministry of Finance", name="Private Colleague")
    await place(db, private, "Kerala", organisation="me", location="me")
    elsewhere = await forum.person("Ministry of Health", name="Kerala, seen by their ministry only")
    await place(db, elsewhere, "Kerala")
    await place(db, friend)
    assert private["_id"] not in await suggested(db, asha), "neither its organisation nor its state may be seen"
    assert elsewhere["_id"] not in await suggested(db, asha), "their state shows to their own organisation only"
    await connect(app, asha, friend)
    await connect(app, friend, private)
    unindexed = await forum.person("Ministry of Finance", name="Profile not indexed yet")
    await connect(app, friend, unindexed)
    found = await suggested(db, asha)
    assert found[private["_id"]] == ["1 shared connection"]
    assert found[unindexed["_id"]] == ["1 shared connection"], "no directory rows: nothing of where they are is known"


async def test_the_pages_show_why_and_dismiss_without_javascript(client: TestClient, forum: Forum) -> None:
    db = forum.db
    asha = await forum.person("Ministry of Finance", name="Asha Menon")
    ravi = await forum.person("Ministry of Finance", name="Ravi Kumar")
    meera = await forum.person("Ministry of Finance", name="Meera Iyer")
    for person in (asha, ravi, meera):
        await place(db, person, "Kerala")
    assert await sent_to_sign_in(client, "/network/suggestions")
    await sign_in(client, asha)
    network = await (await client.get("/network")).text()
    assert "People you may know" in network and "Ravi Kumar" in network and "Also in Ministry of Finance" in network
    assert 'href="/network/suggestions"' in network and '<input type="hidden" name="back" value="network">' in network
    page = await (await client.get("/network/suggestions")).text()
    assert "Also posted in Kerala" in page and f'action="/network/suggestions/{ravi["_id"]}/dismiss"' in page
    assert f'action="/people/{ravi["_id"]}/network/connect"' in page
    hindi = await (await client.get("/network/suggestions", headers={"Accept-Language": "hi"})).text()
    assert "जिन्हें आप शायद जानते हों" in hindi and "Ministry of Finance में भी" in hindi

    refused = await client.post(f"/network/suggestions/{ravi['_id']}/dismiss", data={"back": "network"},
                                allow_redirects=False)
    assert refused.status == 403 and await db[queries.DISMISSALS].count_documents({}) == 0, "CSRF"
    token = await csrf_token(client, "/network/suggestions")
    dismissed = await client.post(f"/network/suggestions/{ravi['_id']}/dismiss",
                                  data={"csrf_token": token, "back": "network"}, allow_redirects=False)
    assert dismissed.status == 303 and dismissed.headers["Location"] == "/network"
    network = await (await client.get("/network")).text()
    assert "will not be suggested to you again" in network
    assert f'id="suggested-{ravi["_id"]}"' not in network and f'id="suggested-{meera["_id"]}"' in network
    unknown = await client.post(f"/network/suggestions/{ObjectId()}/dismiss", data={"csrf_token": token})
    assert unknown.status == 404

    connect = await client.post(f"/people/{meera['_id']}/network/connect", allow_redirects=False,
                                data={"csrf_token": token, "back": "suggestions"})
    assert connect.status == 303 and connect.headers["Location"] == "/network/suggestions"
    assert f'id="suggested-{meera["_id"]}"' not in await (await client.get("/network/suggestions")).text(), \
        "a request waits now"


async def test_the_api_lists_and_dismisses(client: TestClient, forum: Forum) -> None:
    db = forum.db
    asha, ravi = await forum.person("Ministry of Finance"), await forum.person("Ministry of Finance")
    for person in (asha, ravi):
        await place(db, person)
    status, body = await call(client, "GET", "/api/v1/network/suggestions", asha["token"])
    assert status == 200 and body["items"] == [{"id": str(ravi["_id"]), "name": ravi["name"],
                                                "designation": ravi["designation"],
                                                "reasons": ["Also in Ministry of Finance"]}]
    status, body = await call(client, "POST", f"/api/v1/network/suggestions/{ravi['_id']}/dismissal", asha["token"])
    assert status == 201 and body == {"id": str(ravi["_id"]), "dismissed": True}
    status, body = await call(client, "GET", "/api/v1/network/suggestions", asha["token"])
    assert body["items"] == []
    status, body = await call(client, "POST", f"/api/v1/network/suggestions/{asha['_id']}/dismissal", asha["token"])
    assert status == 404
    status, body = await call(client, "GET", "/api/v1/network/suggestions", None)
    assert status == 401


async def test_shared_threads_count_posts_still_shown_in_spaces_still_readable(client: TestClient, forum: Forum) -> None:
    db = forum.db
    asha = await forum.person("Ministry of Finance")
    hidden, insider = await forum.person("Ministry of Health"), await forum.person("Ministry of Finance")
    public = await forum.thread(await forum.category("procurement"), asha, title="Open tenders, open questions")
    reply = await forum.reply(public, hidden, "A reply a moderator hid later.")
    await db[POSTS].update_one({"_id": ObjectId(reply["id"])}, {"$set": {"hidden": True}})
    private = await forum.thread(await forum.category("finance-only", org="Ministry of Finance"), asha,
                                 title="Our own budget circular")
    await forum.reply(private, insider, "Circulated to every division.")
    assert await forums.thread_companions(db, actor_for_user(asha)) == {insider["_id"]: 1}
    moved = {**asha, "org_id": (await forum.org("Ministry of Health"))["_id"]}
    assert await forums.thread_companions(db, actor_for_user(moved)) == {}, "the space is no longer theirs to read"
