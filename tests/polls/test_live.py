"""Live results through the subject's room: pushed after a vote commits, folded per poll."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.forums import queries
from community.policy import Member
from community.polls import live, service
from tests.polls.conftest import LUNCH, Forum, polls_of
from tests.realtime.probe import SocketProbe, server_url


async def test_watchers_of_the_thread_hear_the_new_counts(client: TestClient, forum: Forum, probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    await probe.connect(server_url(client), token=asha["token"])
    assert (await probe.call("join", {"room": f"thread:{thread['id']}"}))["ok"] is True
    await client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [2]}, headers=forum.headers(bala))
    pushed = await probe.next("poll:results")
    assert pushed == {"poll_id": lunch["id"], "voters": 1, "open": True, "options": [
        {"index": 0, "votes": 0, "percent": 0}, {"index": 1, "votes": 0, "percent": 0},
        {"index": 2, "votes": 1, "percent": 100}]}
    await client.post(f"/api/v1/polls/{lunch['id']}/close", headers=forum.headers(asha))
    assert await probe.next("poll:closed") == {"poll_id": lunch["id"], "closed": True}


async def test_a_poll_whose_results_wait_pushes_only_how_many_voted(client: TestClient, forum: Forum,
                                                                    probe: SocketProbe) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH.replace("name=lunch", "name=lunch results=on_close"))
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    await probe.connect(server_url(client), token=asha["token"])
    await probe.call("join", {"room": f"thread:{thread['id']}"})
    await client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [0]}, headers=forum.headers(bala))
    assert await probe.next("poll:results") == {"poll_id": lunch["id"], "voters": 1, "open": True, "options": None}


async def test_a_burst_of_votes_makes_a_few_pushes_carrying_the_final_count(client: TestClient, forum: Forum,
                                                                            probe: SocketProbe) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    poll_id = ObjectId((await polls_of(forum, post["_id"]))["lunch"]["id"])
    await probe.connect(server_url(client), token=asha["token"])
    await probe.call("join", {"room": f"thread:{thread['id']}"})
    pushes = client.app[live.PUSHES]
    before = pushes.sent

    async def one_vote() -> None:
        poll, found = await actions.run(client.app, Member(ObjectId()), service.vote, poll_id=poll_id, choices=[0])
        live.changed(client.app, poll["_id"], found.room)

    await asyncio.gather(*(one_vote() for _ in range(60)))
    last = None
    while last is None or last["voters"] < 60:
        last = await probe.next("poll:results")
    assert last["options"][0]["votes"] == 60
    assert pushes.sent - before < 20
