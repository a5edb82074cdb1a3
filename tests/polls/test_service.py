"""Polls in forum posts: created with the post, kept in step on edit, votes, changes, closing,
reopening, results as each viewer may see them, public voters and the staff export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community import actions, keys
from community.forums import queries
from community.jobs.runner import Runner
from community.polls import service, tallies
from tests.factories import forget_recurring_jobs, record_calls
from tests.polls.conftest import LUNCH, Forum, polls_of


async def opening_post(forum: Forum, thread: dict[str, Any]) -> dict[str, Any]:
    post = await queries.post_by_number(forum.db, ObjectId(thread["id"]), 1)
    assert post is not None
    return post


async def problem_of(response: Any) -> dict[str, str]:
    """A refusal's messages by field."""
    return {error["field"]: error["message"] for error in (await response.json()).get("errors", [])}


async def vote(forum: Forum, poll: dict[str, Any], person: dict[str, Any], *choices: int) -> Any:
    return await forum.client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": list(choices)},
                                  headers=forum.headers(person))


async def test_a_thread_with_a_poll_counts_votes_changes_and_withdrawals(forum: Forum) -> None:
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await opening_post(forum, thread)
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    assert [option["text"] for option in lunch["options"]] == ["Idli", "Poha", "Paratha"]
    assert (await vote(forum, lunch, bala, 0)).status == 200
    assert (await vote(forum, lunch, chitra, 1)).status == 200
    changed = await (await vote(forum, lunch, bala, 1)).json()
    assert [option["votes"] for option in changed["options"]] == [0, 2, 0]
    assert changed["voters"] == 2 and changed["options"][1]["chosen"] and changed["options"][1]["percent"] == 100
    withdrawn = await (await forum.client.delete(f"/api/v1/polls/{lunch['id']}/vote", headers=forum.headers(chitra))).json()
    assert withdrawn["voters"] == 1 and not withdrawn["voted"]


async def test_voting_for_a_missing_option_too_many_or_none_is_refused(forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    body = "[poll name=pick type=multiple min=1 max=2]\n- a\n- b\n- c\n[/poll]\n"
    post = await opening_post(forum, await forum.thread(category, asha, body=body))
    pick = (await polls_of(forum, post["_id"]))["pick"]
    for choices, message in (((7,), "does not exist"), ((0, 1, 2), "at most 2"), ((0, 0), "only once")):
        response = await vote(forum, pick, asha, *choices)
        assert response.status == 422
        assert message in (await problem_of(response))["choices"]
    assert (await forum.client.put(f"/api/v1/polls/{pick['id']}/vote", json={"choices": []},
                                   headers=forum.headers(asha))).status == 422
    assert (await polls_of(forum, post["_id"]))["pick"]["voters"] == 0


async def test_a_closed_poll_refuses_votes_and_reopens(forum: Forum, captured_effects: actions.Effects) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    post = await opening_post(forum, thread)
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    assert (await forum.client.post(f"/api/v1/polls/{lunch['id']}/close", headers=forum.headers(bala))).status == 403
    closed = await forum.client.post(f"/api/v1/polls/{lunch['id']}/close", headers=forum.headers(asha))
    assert (await closed.json())["open"] is False
    assert [e.event for e in captured_effects.events][-1] == "poll:closed"
    assert captured_effects.events[-1].room == f"thread:{thread['id']}"
    refused = await vote(forum, lunch, bala, 0)
    assert refused.status == 403 and "closed" in (await refused.json())["detail"]
    reopened = await (await forum.client.post(f"/api/v1/polls/{lunch['id']}/reopen", headers=forum.headers(asha))).json()
    assert reopened["open"] and (await vote(forum, lunch, bala, 0)).status == 200


async def test_closing_at_a_set_time_is_a_job_moved_on_edit_and_cancelled_on_close(
        forum: Forum, captured_effects: actions.Effects) -> None:
    category = await forum.category()
    asha = await forum.person()
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    body = f"[poll close={later.isoformat()}]\n- a\n- b\n[/poll]\n"
    thread = await forum.thread(category, asha, body=body)
    post = await opening_post(forum, thread)
    poll = (await polls_of(forum, post["_id"]))["poll"]
    key = f"poll.close:{poll['id']}"
    assert [(job["_id"], job["due_at"]) for job in captured_effects.scheduled] == [(key, later)]
    sooner = later - timedelta(days=1)
    edited = await forum.client.patch(f"/api/v1/forums/posts/{post['_id']}",
                                      json={"body": f"[poll close={sooner.isoformat()}]\n- a\n- b\n[/poll]\n"},
                                      headers=forum.headers(asha))
    assert edited.status == 200, await edited.text()
    assert (captured_effects.scheduled[-1]["_id"], captured_effects.scheduled[-1]["due_at"]) == (key, sooner)
    await forum.client.post(f"/api/v1/polls/{poll['id']}/close", headers=forum.headers(asha))
    assert captured_effects.cancelled == [key]
    assert await forum.db.jobs.find_one({"_id": key}) is None


async def test_the_closing_job_closes_the_poll_when_its_time_comes(forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    # An hour ahead, so that the server's own runner (on the real clock) never takes the job
    # before this test's runner, whose clock is two hours ahead, does.
    soon = datetime.now(UTC) + timedelta(hours=1)
    thread = await forum.thread(category, asha, body=f"[poll close={soon.isoformat()}]\n- a\n- b\n[/poll]\n")
    poll = (await polls_of(forum, (await opening_post(forum, thread))["_id"]))["poll"]
    app = forum.client.app
    later = {keys.DB: forum.db, keys.EMITTER: app[keys.EMITTER], keys.CLOCK: lambda: app[keys.CLOCK]() + timedelta(hours=2)}
    await forget_recurring_jobs(forum.db)
    with actions.capture() as effects:
        assert await Runner(later).drain() == 1
    assert [(event.event, event.data) for event in effects.events] == [("poll:closed", {"poll_id": poll["id"], "closed": True})]
    stored = await forum.db[service.POLLS].find_one({"_id": ObjectId(poll["id"])})
    assert stored["closed"] is True
    assert (await vote(forum, poll, bala, 0)).status == 403


async def test_results_follow_the_poll_setting(forum: Forum) -> None:
    category = await forum.category()
    asha, bala, moderator = await forum.person(), await forum.person(), await forum.person(roles=("moderator",))
    body = ("[poll name=v results=on_vote]\n- a\n- b\n[/poll]\n\n[poll name=c results=on_close]\n- a\n- b\n[/poll]\n\n"
            "[poll name=s results=staff_only]\n- a\n- b\n[/poll]\n")
    post = await opening_post(forum, await forum.thread(category, asha, body=body))
    polls = await polls_of(forum, post["_id"], bala)
    assert not any(poll["results_visible"] for poll in polls.values())
    assert polls["v"]["options"][0]["votes"] is None
    for name in ("v", "c", "s"):
        await vote(forum, polls[name], bala, 0)
    seen = await polls_of(forum, post["_id"], bala)
    assert seen["v"]["results_visible"] and seen["v"]["options"][0]["votes"] == 1
    assert not seen["c"]["results_visible"] and not seen["s"]["results_visible"]
    staff = await polls_of(forum, post["_id"], moderator)
    assert all(poll["results_visible"] for poll in staff.values()) and staff["s"]["can_export"]
    await forum.client.post(f"/api/v1/polls/{polls['c']['id']}/close", headers=forum.headers(asha))
    assert (await polls_of(forum, post["_id"], bala))["c"]["results_visible"]
    assert not (await polls_of(forum, post["_id"], bala))["s"]["results_visible"]


async def test_public_polls_list_voters_and_anonymous_ones_do_not(forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person(name="Bala Krishnan")
    body = "[poll name=open public=true]\n- a\n- b\n[/poll]\n\n[poll name=secret]\n- a\n- b\n[/poll]\n"
    post = await opening_post(forum, await forum.thread(category, asha, body=body))
    polls = await polls_of(forum, post["_id"])
    await vote(forum, polls["open"], bala, 1)
    await vote(forum, polls["secret"], bala, 1)
    listed = await forum.client.get(f"/api/v1/polls/{polls['open']['id']}/voters", params={"option": "1"},
                                    headers=forum.headers(asha))
    assert [voter["name"] for voter in (await listed.json())["items"]] == ["Bala Krishnan"]
    hidden = await forum.client.get(f"/api/v1/polls/{polls['secret']['id']}/voters", params={"option": "1"},
                                    headers=forum.headers(asha))
    assert hidden.status == 403


async def test_staff_export_votes_as_csv_and_members_cannot(forum: Forum) -> None:
    category = await forum.category()
    asha, moderator = await forum.person(name="Asha Rao"), await forum.person(roles=("moderator",))
    body = "[poll public=true]\n- =SUM(A1)\n- b\n[/poll]\n"
    post = await opening_post(forum, await forum.thread(category, asha, body=body))
    poll = (await polls_of(forum, post["_id"]))["poll"]
    await vote(forum, poll, asha, 0)
    assert (await forum.client.get(f"/api/v1/polls/{poll['id']}/export", headers=forum.headers(asha))).status == 403
    exported = await forum.client.get(f"/api/v1/polls/{poll['id']}/export", headers=forum.headers(moderator))
    assert exported.content_type == "text/csv"
    lines = (await exported.text()).splitlines()
    assert lines[0] == "option,voter_id,voter,voted_at"
    assert lines[1].startswith(f"'=SUM(A1),{asha['_id']},Asha Rao,")


async def test_editing_options_after_votes_allows_only_spelling_fixes(forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    post = await opening_post(forum, await forum.thread(category, asha, body=LUNCH))
    lunch = (await polls_of(forum, post["_id"]))["lunch"]
    await vote(forum, lunch, bala, 2)

    async def edit(body: str) -> Any:
        return await forum.client.patch(f"/api/v1/forums/posts/{post['_id']}", json={"body": body},
                                        headers=forum.headers(asha))

    added = await edit(LUNCH.replace("- Paratha\n", "- Paratha\n- Dosa\n"))
    assert added.status == 422 and "has votes" in (await problem_of(added))["body"]
    removed = await edit("No poll any more")
    assert removed.status == 422 and "cannot be removed" in (await problem_of(removed))["body"]
    stored = await queries.post(forum.db, post["_id"])
    assert stored is not None and stored["body"] == LUNCH.strip()
    assert (await edit(LUNCH.replace("Paratha", "Parantha"))).status == 200
    after = (await polls_of(forum, post["_id"], bala))["lunch"]
    assert after["options"][2] == {"index": 2, "text": "Parantha", "votes": 1, "percent": 100, "chosen": True}


async def test_a_bad_block_refuses_the_whole_post_and_writes_nothing(forum: Forum, captured_effects: actions.Effects) -> None:
    category = await forum.category()
    asha = await forum.person()
    response = await forum.client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                       json={"title": "A poll with one option", "kind": "discussion",
                                             "body": "Which?\n\n[poll]\n- only\n[/poll]\n"},
                                       headers=forum.headers(asha))
    assert response.status == 422 and "at least two" in (await problem_of(response))["body"]
    assert await forum.db[service.POLLS].count_documents({}) == 0
    assert captured_effects.empty


async def test_a_reply_may_hold_polls_and_a_quoted_poll_is_not_a_second_poll(forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, body=LUNCH)
    quoted = "> " + LUNCH.replace("\n", "\n> ") + "\nI vote Idli\n\n[poll name=tea]\n- Chai\n- Coffee\n[/poll]\n"
    reply = await forum.reply(thread, bala, quoted)
    assert list(await polls_of(forum, reply["id"])) == ["tea"]


async def test_people_who_cannot_read_the_post_do_not_find_its_polls(forum: Forum) -> None:
    private = await forum.category("mdo-space", org="Ministry B")
    insider, outsider = await forum.person("Ministry B"), await forum.person("Ministry A")
    post = await opening_post(forum, await forum.thread(private, insider, body=LUNCH))
    lunch = (await polls_of(forum, post["_id"], insider))["lunch"]
    assert (await forum.client.get(f"/api/v1/polls/{lunch['id']}", headers=forum.headers(outsider))).status == 404
    assert (await vote(forum, lunch, outsider, 0)).status == 404
    assert (await forum.client.get("/api/v1/polls", params={"subject_type": "forum_post", "subject_id": str(post["_id"])},
                                   headers=forum.headers(outsider))).status == 404


async def test_a_post_whose_poll_has_closed_at_its_time_can_still_be_edited(forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    soon = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)
    body = f"[poll close={soon.isoformat()}]\n- a\n- b\n[/poll]\n"
    post = await opening_post(forum, await forum.thread(category, asha, body=body))
    await forum.db[service.POLLS].update_one({"subject_id": post["_id"]},
                                             {"$set": {"close_at": datetime.now(UTC) - timedelta(minutes=1)}})
    past = (await forum.db[service.POLLS].find_one({"subject_id": post["_id"]}))["close_at"].replace(tzinfo=UTC)
    kept = f"Edited.\n\n[poll close={past.isoformat()}]\n- a\n- b\n[/poll]\n"
    edited = await forum.client.patch(f"/api/v1/forums/posts/{post['_id']}", json={"body": kept},
                                      headers=forum.headers(asha))
    assert edited.status == 200, await edited.text()
    moved = kept.replace(past.isoformat(), (past - timedelta(hours=1)).isoformat())
    refused = await forum.client.patch(f"/api/v1/forums/posts/{post['_id']}", json={"body": moved},
                                       headers=forum.headers(asha))
    assert refused.status == 422 and "has passed" in (await problem_of(refused))["body"]


async def test_a_polls_counts_are_read_on_the_loop_without_a_trip_to_a_reader_thread(forum: Forum) -> None:
    """Tallies are read by their ids (a unique key), which the embedded engine answers on the
    loop; read by ``poll_id`` every vote's answer went to a reader thread and back. A read that
    stays on the loop finishes without ever waiting: driven by hand, its first step returns."""
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    lunch = (await polls_of(forum, (await opening_post(forum, await forum.thread(category, asha, body=LUNCH)))["_id"]))["lunch"]
    assert (await vote(forum, lunch, asha, 0)).status == 200
    assert (await vote(forum, lunch, bala, 2)).status == 200
    reading = tallies.read(forum.db, [ObjectId(lunch["id"])])
    try:
        waited_for = reading.send(None)
    except StopIteration as finished:
        found = finished.value
    else:
        reading.close()
        raise AssertionError(f"the read waited for {waited_for!r}")
    poll_id = ObjectId(lunch["id"])
    assert found == {poll_id: tallies.Count(voters=2, options={0: 1, 2: 1})}


async def test_votes_read_the_category_as_the_forum_does_from_its_short_cache(
        forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vote's access check is the forum's: the post and thread read fresh, the category from
    the forum's cache of a few seconds (``community.forums.cache``), not once more per vote."""
    category = await forum.category()
    asha, bala, chitra = await forum.person(), await forum.person(), await forum.person()
    lunch = (await polls_of(forum, (await opening_post(forum, await forum.thread(category, asha, body=LUNCH)))["_id"]))["lunch"]
    assert (await vote(forum, lunch, bala, 0)).status == 200
    read = record_calls(monkeypatch, queries, "category")
    assert (await vote(forum, lunch, chitra, 1)).status == 200
    assert (await vote(forum, lunch, bala, 2)).status == 200
    assert read == []
