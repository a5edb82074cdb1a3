"""Polls in an event's live room, through the API, the room page's forms and the room's socket,
on the real store: the host starts and closes them, the people going vote, results reach the room."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.events import service
from community.events.queries import EVENTS
from community.polls.service import POLLS, VOTES
from community.polls.tallies import TALLIES
from tests.conftest import TOKEN_PATTERN
from tests.events.conftest import as_actor, event_in
from tests.factories import act, bearer_token, make_user, sign_in
from tests.realtime.probe import SocketProbe, server_url

POLL = {"question": "Which rule should we take up next?", "type": "single",
        "options": ["GFR 2017, rule 149", "GeM bid splitting", "Single-tender cases"], "results": "always"}


class Live:
    """A published event whose room is open now, its host and two people going."""

    def __init__(self, client: TestClient, db: Any) -> None:
        self.client, self.db = client, db

    async def start(self) -> Live:
        self.host = await self.person(roles=("expert",))
        self.going, self.other = await self.person(), await self.person()
        self.event_id = await act(self.client.app, as_actor(self.host), service.create,
                                  event_in(title="Procurement clinic", capacity=10))
        await act(self.client.app, as_actor(self.host), service.publish, self.event_id)
        for person in (self.going, self.other):
            await act(self.client.app, as_actor(person), service.rsvp, self.event_id, "going")
        await self.move(timedelta(minutes=-10), timedelta(minutes=50))
        return self

    async def person(self, **extra: Any) -> dict[str, Any]:
        user = await make_user(self.db, **extra)
        user["token"] = await bearer_token(self.db, user)
        return user

    async def move(self, start: timedelta, end: timedelta) -> None:
        now = datetime.now(UTC)
        await self.db[EVENTS].update_one({"_id": self.event_id}, {"$set": {"start_at": now + start,
                                                                           "end_at": now + end}})

    @property
    def room(self) -> str:
        return f"/rooms/event/{self.event_id}"

    @property
    def ref(self) -> dict[str, str]:
        return {"kind": "event", "subject_id": str(self.event_id)}

    def headers(self, user: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {user['token']}"}

    async def create(self, user: dict[str, Any], **changes: Any) -> Any:
        return await self.client.post("/api/v1" + self.room + "/polls", json={**POLL, **changes},
                                      headers=self.headers(user))


async def _live(client: TestClient, db: Any) -> Live:
    return await Live(client, db).start()


async def test_the_host_creates_and_closes_people_going_vote_and_nobody_else_sees(client: TestClient,
                                                                                  db: Any) -> None:
    live = await _live(client, db)
    stranger = await live.person()
    created = await live.create(live.host)
    assert created.status == 201, await created.text()
    poll = (await created.json())["poll"]
    assert poll["question"] == POLL["question"] and poll["can_manage"] and poll["can_export"]
    assert [o["text"] for o in poll["options"]] == POLL["options"]

    refused = await live.create(live.going, question="May I ask too?")
    assert refused.status == 403
    assert await db[POLLS].count_documents({}) == 1

    for path in (f"/api/v1/polls/{poll['id']}", "/api/v1" + live.room + "/polls"):
        assert (await client.get(path, headers=live.headers(stranger))).status == 404
    voted_outside = await client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": [0]},
                                     headers=live.headers(stranger))
    assert voted_outside.status == 404
    assert await db[VOTES].count_documents({}) == 0

    seen = await (await client.get("/api/v1" + live.room + "/polls", headers=live.headers(live.going))).json()
    assert [item["id"] for item in seen["items"]] == [poll["id"]] and seen["items"][0]["can_vote"]
    assert not seen["items"][0]["can_manage"]
    voted = await client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": [1]},
                             headers=live.headers(live.going))
    assert voted.status == 200 and (await voted.json())["options"][1]["votes"] == 1

    assert (await client.post(f"/api/v1/polls/{poll['id']}/close", headers=live.headers(live.going))).status == 403
    closed = await client.post(f"/api/v1/polls/{poll['id']}/close", headers=live.headers(live.host))
    assert closed.status == 200 and (await closed.json())["open"] is False
    late = await client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": [0]},
                            headers=live.headers(live.going))
    assert late.status == 403
    reopened = await client.post(f"/api/v1/polls/{poll['id']}/reopen", headers=live.headers(live.host))
    assert reopened.status == 200 and (await reopened.json())["open"] is True


async def test_after_the_session_nobody_votes_or_starts_a_poll_and_those_absent_see_nothing(client: TestClient,
                                                                                           db: Any) -> None:
    live = await _live(client, db)
    poll = (await (await live.create(live.host)).json())["poll"]
    await live.move(timedelta(hours=-2), timedelta(hours=-1))
    assert (await live.create(live.host, question="One more?")).status == 403
    hosts = await (await client.get(f"/api/v1/polls/{poll['id']}", headers=live.headers(live.host))).json()
    assert hosts["open"] is True and hosts["can_vote"] is False
    absent = await client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": [0]},
                              headers=live.headers(live.going))
    assert absent.status == 404, "going but never in the room: the record is not theirs to read"


async def test_a_new_poll_votes_and_closing_reach_every_socket_in_the_room(client: TestClient, db: Any) -> None:
    live = await _live(client, db)
    other = live.other
    outsider = await live.person()
    watchers: list[SocketProbe] = []
    try:
        for person in (live.host, live.going):
            probe = await SocketProbe().connect(server_url(client), token=person["token"])
            watchers.append(probe)
            assert (await probe.call("room:enter", live.ref))["ok"] is True
        outside = await SocketProbe().connect(server_url(client), token=outsider["token"])
        watchers.append(outside)
        assert (await outside.call("room:enter", live.ref))["ok"] is False

        poll = (await (await live.create(live.host)).json())["poll"]
        for probe in watchers[:2]:
            heard = await probe.next("poll:created")
            assert heard == {"poll_id": poll["id"], "subject_type": "event", "subject_id": str(live.event_id),
                             "room": f"room:event:{live.event_id}"}
        await client.put(f"/api/v1/polls/{poll['id']}/vote", json={"choices": [2]}, headers=live.headers(other))
        for probe in watchers[:2]:
            pushed = await probe.next("poll:results")
            assert pushed["poll_id"] == poll["id"] and pushed["voters"] == 1
            assert [o["votes"] for o in pushed["options"]] == [0, 0, 1]
        await client.post(f"/api/v1/polls/{poll['id']}/close", headers=live.headers(live.host))
        for probe in watchers[:2]:
            assert await probe.next("poll:closed") == {"poll_id": poll["id"], "closed": True}
        await outside.nothing("poll:created")
        await outside.nothing("poll:results")
    finally:
        for probe in watchers:
            await probe.close()


def _token(html: str) -> str:
    match = TOKEN_PATTERN.search(html)
    assert match is not None
    return match.group(1)


async def test_the_host_starts_a_poll_from_the_room_page_and_bad_input_is_answered_beside_the_field(
        client: TestClient, db: Any) -> None:
    live = await _live(client, db)
    await sign_in(client, live.host)
    page = await client.get(live.room)
    html = await page.text()
    assert page.status == 200 and 'action="' + live.room + '/polls"' in html and "No polls yet." in html
    token = _token(html)
    form = {"csrf_token": token, "question": "Which <b>rule</b> next?", "kind": "single", "results": "always",
            "public": "false", "min": "", "max": ""}
    bad = [
        ({"options": ""}, "poll-options-error", "A poll needs at least two options."),
        ({"options": "GFR 149"}, "poll-options-error", "A poll needs at least two options."),
        ({"options": "GeM\n gem \nCPPP"}, "poll-options-error", "Each poll option must be different from the others."),
        ({"options": "\n".join(f"Option {n}" for n in range(100))}, "poll-options-error",
         "A poll may have at most 50 options."),
        ({"kind": "multiple", "options": "A\nB\nC", "min": "3", "max": "2"}, "poll-min-error",
         "The poll&#39;s min is above its max."),
        ({"kind": "multiple", "options": "A\nB\nC", "min": "two"}, "poll-min-error",
         "Write a whole number, or leave it empty."),
        ({"question": "  ", "options": "A\nB"}, "poll-question-error", "Write the question the poll asks."),
    ]
    for changes, field, message in bad:
        answer = await client.post(live.room + "/polls", data={**form, **changes})
        text = await answer.text()
        assert answer.status == 422, changes
        assert f'id="{field}"' in text and message in text, (changes, field)
        assert "Which &lt;b&gt;rule&lt;/b&gt; next?" in text or changes.get("question"), "the form is kept"
        assert 'aria-invalid="true"' in text
    assert await db[POLLS].count_documents({}) == 0

    kept = await client.post(live.room + "/polls", data={**form, "options": "A\nB\nC", "kind": "multiple",
                                                          "min": "3", "max": "2"})
    text = await kept.text()
    assert re.search(r'<textarea id="poll-options"[^>]*>A\nB\nC</textarea>', text)
    assert 'value="multiple" checked' in text and 'id="poll-min"' in text and 'value="3"' in text

    made = await client.post(live.room + "/polls", data={**form, "kind": "multiple", "options": "GeM\nCPPP\nGFR",
                                                          "min": "1", "max": "2", "public": "true"},
                             allow_redirects=False)
    assert made.status == 303 and made.headers["Location"].startswith(live.room)
    stored = await db[POLLS].find_one({})
    assert stored is not None and (stored["subject_type"], stored["subject_id"]) == ("event", live.event_id)
    assert (stored["kind"], stored["min"], stored["max"], stored["public"]) == ("multiple", 1, 2, True)
    html = await (await client.get(live.room)).text()
    assert "Poll: Which &lt;b&gt;rule&lt;/b&gt; next?" in html and "Close the poll" in html
    assert "data-poll-room" not in html, "the room page is in the room already; polls.js joins nothing"


async def test_an_attendee_votes_with_the_plain_form_and_erasure_takes_the_vote_out(client: TestClient,
                                                                                    db: Any) -> None:
    live = await _live(client, db)
    poll = (await (await live.create(live.host, public=True)).json())["poll"]
    await sign_in(client, live.going)
    html = await (await client.get(live.room)).text()
    assert f'action="/polls/{poll["id"]}/vote"' in html and "Start a poll" not in html
    voted = await client.post(f"/polls/{poll['id']}/vote", data={"csrf_token": _token(html), "choice": "0",
                                                                 "next": live.room}, allow_redirects=False)
    assert voted.status == 303 and voted.headers["Location"].startswith(live.room + "#poll-")
    html = await (await client.get(live.room)).text()
    assert 'class="poll-results"' in html and "Change my vote" in html and "100%" in html
    empty = await client.post(f"/polls/{poll['id']}/vote", data={"csrf_token": _token(html), "next": live.room})
    assert empty.status == 422 and "Choose an option first." in await empty.text()

    exported = await (await client.get("/api/v1/me/data", headers=live.headers(live.going))).json()
    assert [doc["choices"] for doc in exported["collections"]["poll_votes"]["documents"]] == [[0]]
    erased = await client.post("/api/v1/me/erase", json={"confirm": live.going["email"]},
                               headers=live.headers(live.going))
    assert erased.status == 200, await erased.text()
    assert await db[VOTES].count_documents({"poll_id": ObjectId(poll["id"])}) == 0
    tally = await db[TALLIES].find_one({"poll_id": ObjectId(poll["id"])})
    assert tally is not None and tally["voters"] == 0 and tally["counts"]["0"] == 0


async def test_bad_input_through_the_api_is_a_problem_naming_the_field(client: TestClient, db: Any) -> None:
    live = await _live(client, db)
    for changes, field in (({"options": ["Only one"]}, "options"), ({"options": ["A", "a"]}, "options"),
                           ({"type": "multiple", "min": 3, "max": 2}, "min"),
                           ({"options": [f"o{n}" for n in range(100)]}, "options")):
        answer = await live.create(live.host, **changes)
        assert answer.status == 422, changes
        assert answer.content_type == "application/problem+json"
        assert [error["field"] for error in (await answer.json())["errors"]] == [field], changes
    rating = await live.create(live.host, type="number", options=[], min=1, max=5)
    assert rating.status == 201 and [o["text"] for o in (await rating.json())["poll"]["options"]] == list("12345")
    assert await db[POLLS].count_documents({}) == 1
