"""Polls without JavaScript: the thread page shows each poll where its block stood, a form votes,
the results are a table whose bars have their numbers beside them."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums import queries
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.polls.conftest import LUNCH, Forum, polls_of


async def _thread(forum: Forum, body: str = LUNCH) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha, body=body)
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    return asha, thread, post, (await polls_of(forum, post["_id"]))["lunch"]


async def test_a_member_votes_through_the_form_and_sees_the_results_table(client: TestClient, forum: Forum) -> None:
    asha, thread, post, lunch = await _thread(forum)
    bala = await forum.person()
    await sign_in(client, bala)
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert page.index("What shall we eat") < page.index(f'id="poll-{lunch["id"]}"')
    assert 'type="radio" name="choice" value="1"' in page and "poll-slot" not in page
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    voted = await client.post(f"/polls/{lunch['id']}/vote", data={"csrf_token": token, "choice": "1",
                                                                  "next": f"/forums/t/{thread['id']}"},
                              allow_redirects=False)
    assert voted.status == 303 and voted.headers["Location"] == f"/forums/t/{thread['id']}#poll-{lunch['id']}"
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    row = re.search(r'<tr data-option="1">(.*?)</tr>', page, re.S)
    assert row is not None
    assert 'class="poll-votes">1<' in row.group(1) and '<meter min="0" max="100" value="100"' in row.group(1)
    assert "100%" in row.group(1) and "your choice" in row.group(1)
    assert "Change my vote" in page and "Withdraw my vote" in page


async def test_submitting_without_a_choice_shows_the_poll_again_with_a_message(client: TestClient, forum: Forum) -> None:
    _asha, thread, _post, lunch = await _thread(forum)
    await sign_in(client, await forum.person())
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    response = await client.post(f"/polls/{lunch['id']}/vote", data={"csrf_token": token})
    assert response.status == 422
    assert 'role="alert">Choose an option first.' in await response.text()
    crafted = await client.post(f"/polls/{lunch['id']}/vote", data={"csrf_token": token, "choice": "x9"})
    assert crafted.status == 422 and "does not exist" in await crafted.text()


async def test_visitors_see_results_but_no_form_and_a_cached_page_never_shows_old_counts(
        client: TestClient, forum: Forum) -> None:
    _asha, thread, _post, lunch = await _thread(forum)
    first = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert 'name="choice"' not in first and "0 voters" in first
    await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [0]},
                           headers=forum.headers(await forum.person()))
    again = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert "1 voter" in again


async def test_the_author_closes_the_poll_from_the_page(client: TestClient, forum: Forum) -> None:
    asha, thread, _post, lunch = await _thread(forum)
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/t/{thread['id']}")
    closed = await client.post(f"/polls/{lunch['id']}/close", data={"csrf_token": token}, allow_redirects=False)
    assert closed.status == 303
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert "Reopen the poll" in page and 'name="choice"' not in page and ">Closed<" in page


async def test_a_public_polls_voters_page_and_the_fragment(client: TestClient, forum: Forum) -> None:
    _asha, thread, _post, lunch = await _thread(forum, LUNCH.replace("name=lunch", "name=lunch public=true"))
    bala = await forum.person(name="Bala Krishnan")
    await forum.client.put(f"/api/v1/polls/{lunch['id']}/vote", json={"choices": [2]}, headers=forum.headers(bala))
    await sign_in(client, await forum.person())
    voters = await (await client.get(f"/polls/{lunch['id']}/voters", params={"option": "2"})).text()
    assert "Bala Krishnan" in voters and "Paratha" in voters
    fragment = await (await client.get(f"/polls/{lunch['id']}", headers={"HX-Request": "true"})).text()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert (await client.get(f"/polls/{lunch['id']}/voters", params={"option": "99"})).status == 422
    assert (await client.get("/polls/not-an-id")).status == 404


async def test_the_composer_explains_how_to_write_a_poll(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    await sign_in(client, await forum.person())
    page = await (await client.get(f"/forums/c/{category['slug']}/new")).text()
    assert "<summary>Add a poll</summary>" in page and "[/poll]" in page
