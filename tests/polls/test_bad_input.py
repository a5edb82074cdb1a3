"""Crafted and mistaken input to the polls API and pages: a clear refusal, never a 500, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId

from community import actions
from community.forums import queries
from community.polls import service
from tests.polls.conftest import LUNCH, Forum, polls_of


async def _lunch(forum: Forum) -> tuple[dict[str, Any], dict[str, Any]]:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    return asha, (await polls_of(forum, post["_id"]))["lunch"]


@pytest.mark.parametrize("body", [
    {"choices": "0"}, {"choices": ["0"]}, {"choices": [0.5]}, {"choices": [True]}, {"choices": [-1]},
    {"choices": [0], "extra": 1}, {}, {"choices": list(range(51))}, {"choices": [2**70]},
])
async def test_crafted_vote_bodies_are_refused_and_write_nothing(forum: Forum, body: dict[str, Any]) -> None:
    asha, lunch = await _lunch(forum)
    with actions.capture() as captured:
        response = await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json=body, headers=forum.headers(asha))
    assert response.status in (400, 422), await response.text()
    assert response.content_type == "application/problem+json"
    assert await forum.db[service.VOTES].count_documents({}) == 0
    assert captured.empty


async def test_unknown_polls_and_signed_out_votes(forum: Forum) -> None:
    asha, lunch = await _lunch(forum)
    for poll_id in ("nope", str(ObjectId())):
        assert (await forum.client.get(f"/api/v1/polls/{poll_id}")).status == 404
        assert (await forum.client.put(f"/api/v1/polls/{poll_id}/vote", json={"choices": [0]},
                                       headers=forum.headers(asha))).status == 404
    assert (await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [0]})).status in (401, 403)
    assert (await forum.client.get("/api/v1/polls", params={"subject_type": "event", "subject_id": "x" * 24})).status == 422
    assert (await forum.client.get(f"/api/v1/polls/{lunch['id']}/voters", params={"option": "-3"},
                                   headers=forum.headers(asha))).status == 422


async def test_a_locked_thread_takes_votes_only_from_its_moderators(forum: Forum) -> None:
    category = await forum.category()
    asha, moderator = await forum.person(), await forum.person(roles=("moderator",))
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    locked = await forum.client.post(f"/api/v1/forums/threads/{thread['id']}/lock", json={"reason": "Decided already"},
                                     headers=forum.headers(moderator))
    assert locked.status == 200, await locked.text()
    refused = await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [0]},
                                     headers=forum.headers(asha))
    assert refused.status == 403
    assert (await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [0]},
                                   headers=forum.headers(moderator))).status == 200
