"""A person's votes are theirs: their export lists them, erasure removes them and the counts follow."""

from __future__ import annotations

from bson import ObjectId

from community.forums import queries
from tests.polls.conftest import LUNCH, Forum, polls_of


async def test_export_lists_votes_and_erasure_removes_them_and_the_counts_follow(forum: Forum) -> None:
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH.replace("[poll name=lunch]", "[poll name=lunch public=true]"))
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    for person, choice in ((bala, 0), (chitra, 0)):
        await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [choice]},
                               headers=forum.headers(person))
    exported = await (await forum.client.get("/api/v1/me/data", headers=forum.headers(bala))).json()
    votes = exported["collections"]["poll_votes"]
    assert [doc["choices"] for doc in votes["documents"]] == [[0]] and votes["purposes"]
    erased = await forum.client.post("/api/v1/me/erase", json={"confirm": bala["email"]}, headers=forum.headers(bala))
    assert erased.status == 200, await erased.text()
    after = (await polls_of(forum, post["_id"]))["lunch"]
    assert after["voters"] == 1 and after["options"][0]["votes"] == 1
    voters = await (await forum.client.get(f"/api/v1/polls/{lunch['id']}/voters", params={"option": "0"},
                                           headers=forum.headers(asha))).json()
    assert [voter["user_id"] for voter in voters["items"]] == [str(chitra["_id"])]
