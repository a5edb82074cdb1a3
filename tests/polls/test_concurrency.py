"""Votes count exactly: many people at once, and one person clicking twice."""

from __future__ import annotations

import asyncio
import random

import pytest
from bson import ObjectId

from community import actions
from community.forums import queries
from community.errors import Forbidden, RateLimited
from community.policy import Member
from community.polls import service
from tests.polls.conftest import LUNCH, Forum, polls_of


async def _lunch(forum: Forum) -> tuple[ObjectId, ObjectId]:
    category = await forum.category()
    thread = await forum.thread(category, await forum.person(), body=LUNCH)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    return post["_id"], ObjectId((await polls_of(forum, post["_id"]))["lunch"]["id"])


async def test_a_thousand_people_voting_at_once_make_a_thousand_votes(forum: Forum) -> None:
    post_id, poll_id = await _lunch(forum)
    people = [Member(ObjectId()) for _ in range(1000)]
    await asyncio.gather(*(actions.run(forum.client.app, person, service.vote, poll_id=poll_id, choices=[n % 3])
                           for n, person in enumerate(people)))
    assert await forum.db[service.VOTES].count_documents({"poll_id": poll_id}) == 1000
    shown = (await polls_of(forum, post_id))["lunch"]
    assert shown["voters"] == 1000
    assert [option["votes"] for option in shown["options"]] == [334, 333, 333]


async def test_a_double_click_leaves_one_vote(forum: Forum) -> None:
    post_id, poll_id = await _lunch(forum)
    person = Member(ObjectId())
    await asyncio.gather(*(actions.run(forum.client.app, person, service.vote, poll_id=poll_id, choices=[1])
                           for _ in range(2)))
    assert await forum.db[service.VOTES].count_documents({"poll_id": poll_id}) == 1
    assert [option["votes"] for option in (await polls_of(forum, post_id))["lunch"]["options"]] == [0, 1, 0]


async def test_concurrent_changes_and_withdrawals_keep_the_counts_equal_to_the_votes(forum: Forum) -> None:
    post_id, poll_id = await _lunch(forum)
    people = [Member(ObjectId()) for _ in range(40)]
    rng = random.Random(15)
    app = forum.client.app

    async def act(person: Member) -> None:
        try:
            if rng.random() < 0.3:
                await actions.run(app, person, service.unvote, poll_id=poll_id)
            else:
                await actions.run(app, person, service.vote, poll_id=poll_id, choices=[rng.randrange(3)])
        except RateLimited:
            pass

    await asyncio.gather(*(act(rng.choice(people)) for _ in range(400)))
    stored = await forum.db[service.VOTES].find({"poll_id": poll_id}).to_list(None)
    shown = (await polls_of(forum, post_id))["lunch"]
    assert shown["voters"] == len(stored)
    assert [option["votes"] for option in shown["options"]] == [
        sum(1 for vote in stored if vote["choices"] == [n]) for n in range(3)]


async def test_one_persons_votes_are_limited_in_the_votes_own_transaction(forum: Forum) -> None:
    """The count moved into the vote's transaction: the limit holds as before, a refused vote
    uses none of it, and concurrent votes past it write nothing."""
    post_id, poll_id = await _lunch(forum)
    person = Member(ObjectId())
    app = forum.client.app
    closed_id = ObjectId()
    await forum.db[service.POLLS].insert_one({**await forum.db[service.POLLS].find_one({"_id": poll_id}),
                                              "_id": closed_id, "name": "closed", "closed": True})
    for _ in range(3):
        with pytest.raises(Forbidden):
            await actions.run(app, person, service.vote, poll_id=closed_id, choices=[0])
    for n in range(service.VOTES_PER_MINUTE):
        await actions.run(app, person, service.vote, poll_id=poll_id, choices=[n % 3])
    with pytest.raises(RateLimited):
        await asyncio.gather(*(actions.run(app, person, service.vote, poll_id=poll_id, choices=[2]) for _ in range(3)))
    stored = await forum.db[service.VOTES].find({"poll_id": poll_id}).to_list(None)
    assert [vote["choices"] for vote in stored] == [[(service.VOTES_PER_MINUTE - 1) % 3]], "the refused votes wrote nothing"
    held = await forum.db["rate_limits"].find_one({"_id": f"poll-vote:{person.user_id}"})
    assert held is not None and len(held["hits"]) == service.VOTES_PER_MINUTE
