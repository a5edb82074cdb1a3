"""Flags, the moderation queue, hide/unhide (reversing Karma Points), lock, pin, move, delete,
suspension, and an audit entry for every moderator action."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums.queries import FLAGS, POSTS, THREADS
from community.karma import service as karma
from tests.forums.conftest import Forum


async def _audit(forum: Forum, action: str) -> list[dict[str, Any]]:
    return await forum.db.audit_log.find({"action": action}).to_list(None)


async def test_flag_queue_and_hiding_reverses_karma(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala, voter = await forum.person(), await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, bala, "Something rude and off topic.")
    await client.put(f"/api/v1/forums/posts/{reply['id']}/vote", headers=forum.headers(voter))
    await client.put(f"/api/v1/forums/threads/{thread['id']}/accepted", json={"number": 2}, headers=forum.headers(asha))
    assert await karma.total(forum.db, bala["_id"]) > 0
    flagged = await client.post(f"/api/v1/forums/posts/{reply['id']}/flags", json={"reason": "abuse"},
                                headers=forum.headers(asha))
    assert flagged.status == 201
    twice = await client.post(f"/api/v1/forums/posts/{reply['id']}/flags", json={"reason": "abuse"},
                              headers=forum.headers(asha))
    assert twice.status == 409
    bad = await client.post(f"/api/v1/forums/posts/{reply['id']}/flags", json={"reason": "other"},
                            headers=forum.headers(voter))
    assert bad.status == 422
    assert (await client.get("/api/v1/forums/flags", headers=forum.headers(asha))).status == 403
    queue = await (await client.get("/api/v1/forums/flags", headers=forum.headers(moderator))).json()
    assert [item["post_id"] for item in queue["items"]] == [reply["id"]]
    no_reason = await client.post(f"/api/v1/forums/posts/{reply['id']}/hide", json={}, headers=forum.headers(moderator))
    assert no_reason.status == 422
    hidden = await client.post(f"/api/v1/forums/posts/{reply['id']}/hide", json={"reason": "Abusive language"},
                               headers=forum.headers(moderator))
    assert (await hidden.json())["changed"] is True
    assert await karma.total(forum.db, bala["_id"]) == 0
    assert (await forum.db[FLAGS].find_one({}))["status"] == "resolved"
    public = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    assert [p["number"] for p in public["posts"]] == [1]
    as_moderator = await (await client.get(f"/api/v1/forums/threads/{thread['id']}", headers=forum.headers(moderator))).json()
    assert any(p["number"] == 2 and p["hidden"] for p in as_moderator["posts"])
    entry = (await _audit(forum, "forum.post.hide"))[0]
    assert entry["actor_id"] == moderator["_id"] and entry["reason"] == "Abusive language"
    assert entry["target_id"] == ObjectId(reply["id"])
    await client.post(f"/api/v1/forums/posts/{reply['id']}/unhide", json={"reason": "Reviewed on appeal"},
                      headers=forum.headers(moderator))
    assert await karma.total(forum.db, bala["_id"]) > 0
    assert await _audit(forum, "forum.post.unhide")


async def test_dismissing_a_flag_is_audited(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    reply = await forum.reply(await forum.thread(category, asha), bala, "A perfectly fine answer.")
    flag = await (await client.post(f"/api/v1/forums/posts/{reply['id']}/flags", json={"reason": "spam"},
                                    headers=forum.headers(asha))).json()
    for bad in ({"outcome": "ban", "reason": "no"}, {"outcome": "dismiss"}):
        response = await client.post(f"/api/v1/forums/flags/{flag['id']}/resolve", json=bad,
                                     headers=forum.headers(moderator))
        assert response.status == 422
    response = await client.post(f"/api/v1/forums/flags/{flag['id']}/resolve",
                                 json={"outcome": "dismiss", "reason": "Not spam"}, headers=forum.headers(moderator))
    assert response.status == 200
    assert (await forum.db[FLAGS].find_one({}))["status"] == "dismissed"
    assert not (await forum.db[POSTS].find_one({"_id": ObjectId(reply["id"])}))["hidden"]
    assert (await _audit(forum, "forum.flag.dismiss"))[0]["reason"] == "Not spam"


async def test_lock_pin_and_move(client: TestClient, forum: Forum) -> None:
    procurement = await forum.category("procurement")
    grievances = await forum.category("grievances")
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(procurement, asha)
    for action in ("lock", "pin"):
        assert (await client.post(f"/api/v1/forums/threads/{thread['id']}/{action}", json={"reason": "Resolved"},
                                  headers=forum.headers(asha))).status == 403
        response = await client.post(f"/api/v1/forums/threads/{thread['id']}/{action}", json={"reason": "Resolved"},
                                     headers=forum.headers(moderator))
        assert (await response.json())["changed"] is True
        assert await _audit(forum, f"forum.thread.{action}")
    locked_reply = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies", json={"body": "One more thing"},
                                     headers=forum.headers(bala))
    assert locked_reply.status == 403
    moderator_reply = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies",
                                        json={"body": "Closing note from the moderators"},
                                        headers=forum.headers(moderator))
    assert moderator_reply.status == 201
    other = await forum.thread(procurement, asha, title="Another thread in the list")
    listing = await (await client.get(f"/api/v1/forums/categories/{procurement['slug']}/threads")).json()
    assert listing["items"][0]["id"] == thread["id"] and listing["items"][0]["pinned"]
    assert listing["items"][1]["id"] == other["id"]
    bad_move = await client.post(f"/api/v1/forums/threads/{thread['id']}/move", json={"reason": "Wrong place",
                                 "category_id": "nope"}, headers=forum.headers(moderator))
    assert bad_move.status == 422
    moved = await client.post(f"/api/v1/forums/threads/{thread['id']}/move",
                              json={"reason": "Wrong place", "category_id": str(grievances["_id"])},
                              headers=forum.headers(moderator))
    assert (await moved.json())["changed"] is True
    assert (await forum.db[THREADS].find_one({"_id": ObjectId(thread["id"])}))["category_id"] == grievances["_id"]
    assert await forum.db[POSTS].count_documents({"thread_id": ObjectId(thread["id"]),
                                                  "category_id": grievances["_id"]}) == 2
    entry = (await _audit(forum, "forum.thread.move"))[0]
    assert entry["details"] == {"from": str(procurement["_id"]), "to": str(grievances["_id"])}


async def test_moderator_deletes_with_a_reason_and_deleting_the_opening_post_removes_the_thread(
        client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    reply = await forum.reply(thread, bala, "Spam link to a shop")
    assert (await client.delete(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(moderator))).status == 422
    deleted = await client.request("DELETE", f"/api/v1/forums/posts/{reply['id']}", json={"reason": "Advertising"},
                                   headers=forum.headers(moderator))
    assert (await deleted.json())["changed"] is True
    assert (await _audit(forum, "forum.post.delete"))[0]["reason"] == "Advertising"
    opening = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json())["posts"][0]
    await client.delete(f"/api/v1/forums/posts/{opening['id']}", headers=forum.headers(asha))
    assert (await client.get(f"/api/v1/forums/threads/{thread['id']}")).status == 404
    listing = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads")).json()
    assert listing["items"] == []


async def test_category_moderators_and_organisation_admins(client: TestClient, forum: Forum) -> None:
    own_moderator = await forum.person()
    public = await forum.category("procurement", moderator_ids=[str(own_moderator["_id"])])
    private = await forum.category("ministry-a-internal", org="Ministry A")
    asha = await forum.person("Ministry A")
    mdo_admin = await forum.person("Ministry A", roles=("mdo_admin",))
    other_admin = await forum.person("Ministry B", roles=("mdo_admin",))
    public_thread = await forum.thread(public, asha)
    private_thread = await forum.thread(private, asha, title="Internal question on our budget")
    assert (await client.post(f"/api/v1/forums/threads/{public_thread['id']}/lock", json={"reason": "Done here"},
                              headers=forum.headers(own_moderator))).status == 200
    assert (await client.post(f"/api/v1/forums/threads/{private_thread['id']}/lock", json={"reason": "Done here"},
                              headers=forum.headers(mdo_admin))).status == 200
    assert (await client.post(f"/api/v1/forums/threads/{private_thread['id']}/pin", json={"reason": "Done here"},
                              headers=forum.headers(other_admin))).status == 404
    assert (await client.post(f"/api/v1/forums/threads/{public_thread['id']}/pin", json={"reason": "Done here"},
                              headers=forum.headers(mdo_admin))).status == 403


async def test_moderation_pages_without_javascript(client: TestClient, forum: Forum) -> None:
    from tests.conftest import csrf_token
    from tests.factories import sign_in

    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    moderator = await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha)
    await forum.reply(thread, bala, "Please flag me")
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/t/{thread['id']}/p/2/flag")
    response = await client.post(f"/forums/t/{thread['id']}/p/2/flag", data={"csrf_token": token, "reason": "other"})
    assert response.status == 422 and "Say what is wrong" in await response.text()
    response = await client.post(f"/forums/t/{thread['id']}/p/2/flag", allow_redirects=False,
                                 data={"csrf_token": token, "reason": "off_topic"})
    assert response.status == 303
    await sign_in(client, moderator)
    queue = await (await client.get("/forums/moderation")).text()
    assert "Please flag me" in queue and "Off topic" in queue
    flag = await forum.db[FLAGS].find_one({})
    token = await csrf_token(client, "/forums/moderation")
    response = await client.post(f"/forums/flags/{flag['_id']}/resolve", allow_redirects=False,
                                 data={"csrf_token": token, "outcome": "hide", "reason": "Off topic"})
    assert response.status == 303
    assert (await forum.db[POSTS].find_one({"number": 2}))["hidden"]


async def test_moving_from_the_thread_page(client: TestClient, forum: Forum) -> None:
    from tests.conftest import csrf_token
    from tests.factories import sign_in

    procurement, grievances = await forum.category("procurement"), await forum.category("grievances")
    thread = await forum.thread(procurement, await forum.person())
    moderator = await forum.person(roles=("moderator",))
    await sign_in(client, moderator)
    html = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert f'<option value="{grievances["_id"]}">Grievances</option>' in html
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    response = await client.post(f"/forums/t/{thread['id']}/move", allow_redirects=False,
                                 data={"csrf_token": token, "category_id": str(grievances["_id"]), "reason": "Belongs there"})
    assert response.status == 303
    assert (await forum.db[THREADS].find_one({"_id": ObjectId(thread["id"])}))["category_id"] == grievances["_id"]


async def test_unlocking_and_unpinning_are_audited_with_who_what_and_why(client: TestClient, forum: Forum) -> None:
    category = await forum.category("ministry-a-internal", org="Ministry A")
    asha = await forum.person("Ministry A")
    mdo_admin = await forum.person("Ministry A", roles=("mdo_admin",))
    thread = await forum.thread(category, asha, title="Leave rules for the new batch")
    for action in ("lock", "pin"):
        response = await client.post(f"/api/v1/forums/threads/{thread['id']}/{action}", json={"reason": "For now"},
                                     headers=forum.headers(mdo_admin))
        assert response.status == 200
    for action, reason in (("unlock", "Questions are open again"), ("unpin", "No longer the main thread")):
        response = await client.post(f"/api/v1/forums/threads/{thread['id']}/{action}", json={"reason": reason},
                                     headers=forum.headers(mdo_admin))
        assert (await response.json())["changed"] is True
        again = await client.post(f"/api/v1/forums/threads/{thread['id']}/{action}", json={"reason": reason},
                                  headers=forum.headers(mdo_admin))
        assert (await again.json())["changed"] is False
        entries = await _audit(forum, f"forum.thread.{action}")
        assert len(entries) == 1, "an action that changed nothing leaves no entry"
        entry = entries[0]
        assert entry["actor_id"] == mdo_admin["_id"] and entry["reason"] == reason
        assert (entry["target_type"], entry["target_id"]) == ("forum_thread", ObjectId(thread["id"]))
        assert entry["org_id"] == category["org_id"]
        assert entry["details"] == {"title": "Leave rules for the new batch"}
    stored = await forum.db[THREADS].find_one({"_id": ObjectId(thread["id"])})
    assert (stored["locked"], stored["pinned"]) == (False, False)


async def test_unlocking_from_the_thread_page_needs_a_reason_and_is_audited(client: TestClient, forum: Forum) -> None:
    from tests.conftest import csrf_token
    from tests.factories import sign_in

    category = await forum.category()
    thread = await forum.thread(category, await forum.person())
    moderator = await forum.person(roles=("moderator",))
    await client.post(f"/api/v1/forums/threads/{thread['id']}/lock", json={"reason": "Heated"},
                      headers=forum.headers(moderator))
    await sign_in(client, moderator)
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    refused = await client.post(f"/forums/t/{thread['id']}/unlock", data={"csrf_token": token, "reason": ""},
                                allow_redirects=False)
    assert refused.status == 422
    assert (await forum.db[THREADS].find_one({"_id": ObjectId(thread["id"])}))["locked"] is True
    assert await _audit(forum, "forum.thread.unlock") == []
    response = await client.post(f"/forums/t/{thread['id']}/unlock", allow_redirects=False,
                                 data={"csrf_token": token, "reason": "Calmer now"})
    assert response.status == 303
    entry = (await _audit(forum, "forum.thread.unlock"))[0]
    assert (entry["actor_id"], entry["target_id"], entry["reason"]) == (moderator["_id"], ObjectId(thread["id"]),
                                                                        "Calmer now")
