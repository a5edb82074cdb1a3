"""The room through its API, forms and sockets, on the real embedded store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions, audit
from community.errors import Forbidden
from community.policy import Actor
from community.rooms import attendance, service
from community.rooms.storage import ATTENDANCE, HANDS, MESSAGES, QUESTIONS, VOTES
from tests.conftest import TOKEN_PATTERN
from tests.factories import sign_in
from tests.realtime.probe import SocketProbe, server_url
from tests.rooms.conftest import KIND, SESSIONS, Room

Probes = Callable[[], SocketProbe]


async def test_an_attendee_asks_votes_and_the_order_follows_the_votes(client: TestClient, room: Room) -> None:
    host, asha, bala = await room.person(), await room.person(), await room.person()
    subject = await room.subject([host], [asha, bala])
    first = await client.post(room.api(subject) + "/questions", json={"body": "What is GeM's limit?"},
                              headers=room.headers(asha))
    assert first.status == 201, await first.text()
    second = await client.post(room.api(subject) + "/questions", json={"body": "Can a single bid be accepted?",
                                                                       "anonymous": True}, headers=room.headers(asha))
    second_id = (await second.json())["question"]["id"]
    voted = await client.post(room.api(subject) + f"/questions/{second_id}/upvote", headers=room.headers(bala))
    assert voted.status == 200 and (await voted.json())["question"]["votes"] == 1
    again = await client.post(room.api(subject) + f"/questions/{second_id}/upvote", headers=room.headers(bala))
    assert again.status == 409
    assert await room.db[VOTES].count_documents({}) == 1
    seen = await (await client.get(room.api(subject), headers=room.headers(bala))).json()
    assert [q["body"] for q in seen["questions"]] == ["Can a single bid be accepted?", "What is GeM's limit?"]
    assert seen["questions"][0]["author"] is None and seen["questions"][0]["votes"] == 1
    hosts_view = await (await client.get(room.api(subject), headers=room.headers(host))).json()
    assert hosts_view["questions"][0]["author"] == asha["name"]


async def test_someone_not_invited_gets_nothing_by_page_api_or_socket(client: TestClient, room: Room,
                                                                      probes: Probes) -> None:
    host, stranger = await room.person(), await room.person()
    subject = await room.subject([host], [])
    assert (await client.get(room.api(subject), headers=room.headers(stranger))).status == 404
    assert (await client.post(room.api(subject) + "/messages", json={"body": "hello"},
                              headers=room.headers(stranger))).status == 404
    probe = await probes().connect(server_url(client), token=stranger["token"])
    ack = await probe.call("room:enter", {"kind": KIND, "subject_id": str(subject["_id"])})
    assert ack["ok"] is False and ack["error"]["status"] == 404
    generic = await probe.call("join", {"room": f"room:{KIND}:{subject['_id']}"})
    assert generic["ok"] is False
    watcher = await probes().connect(server_url(client), token=host["token"])
    assert (await watcher.call("room:enter", {"kind": KIND, "subject_id": str(subject["_id"])}))["ok"] is True
    said = await watcher.call("room:message", {"kind": KIND, "subject_id": str(subject["_id"]), "body": "Welcome"})
    assert said["ok"] is True
    assert (await watcher.next("room:message"))["message"]["body"] == "Welcome"
    await probe.nothing("room:message")
    assert await room.db[ATTENDANCE].count_documents({"user_id": stranger["_id"]}) == 0


async def test_chat_reaches_the_room_live_and_a_flood_is_refused(client: TestClient, room: Room,
                                                                 probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    ref = {"kind": KIND, "subject_id": str(subject["_id"])}
    listener = await probes().connect(server_url(client), token=host["token"])
    await listener.call("room:enter", ref)
    speaker = await probes().connect(server_url(client), token=asha["token"])
    entered = await speaker.call("room:enter", ref)
    assert entered["ok"] is True and entered["present"] == 2
    answers = [await speaker.call("room:message", {**ref, "body": f"point {n}"}) for n in range(9)]
    assert all(a["ok"] for a in answers[:8])
    assert answers[8]["ok"] is False and answers[8]["error"]["status"] == 429
    assert "too fast" in answers[8]["error"]["detail"]
    heard = [(await listener.next("room:message"))["message"]["body"] for _ in range(8)]
    assert heard == [f"point {n}" for n in range(8)]
    assert await room.db[MESSAGES].count_documents({}) == 8
    who = await speaker.call("room:who", ref)
    assert who["present"] == 2 and sorted(who["people"]) == sorted([host["name"], asha["name"]])


async def test_slow_mode_mute_and_removal_by_a_host(client: TestClient, room: Room, probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    assert (await client.post(room.api(subject) + "/messages", json={"body": "one"},
                              headers=room.headers(asha))).status == 201
    refused = await client.post(room.api(subject) + "/questions/x/upvote", headers=room.headers(asha))
    assert refused.status == 404
    hosting = Actor(user_id=host["_id"])
    await actions.run(client.app, hosting, service.set_slow_mode, kind=KIND, subject_id=subject["_id"],
                      data={"seconds": 60})
    slow = await client.post(room.api(subject) + "/messages", json={"body": "two"}, headers=room.headers(asha))
    assert slow.status == 429 and "Slow mode" in (await slow.json())["detail"]
    await actions.run(client.app, hosting, service.mute, kind=KIND, subject_id=subject["_id"],
                      data={"user_id": str(asha["_id"]), "minutes": 5})
    muted = await client.post(room.api(subject) + "/questions", json={"body": "Am I heard?"},
                              headers=room.headers(asha))
    assert muted.status == 403 and "muted" in (await muted.json())["detail"]
    await actions.run(client.app, hosting, service.remove_person, kind=KIND, subject_id=subject["_id"],
                      user_id=asha["_id"])
    assert (await client.get(room.api(subject), headers=room.headers(asha))).status == 404
    probe = await probes().connect(server_url(client), token=asha["token"])
    assert (await probe.call("room:enter", {"kind": KIND, "subject_id": str(subject["_id"])}))["ok"] is False


async def test_a_closed_room_is_read_only_for_attendees_and_hidden_from_others(client: TestClient,
                                                                                room: Room) -> None:
    host, asha, bala = await room.person(), await room.person(), await room.person()
    subject = await room.subject([host], [asha, bala])
    await client.post(room.api(subject) + "/questions", json={"body": "Will slides be shared?"},
                      headers=room.headers(asha))
    await room.db[SESSIONS].update_one({"_id": subject["_id"]}, {"$set": {"open": False, "attended": [asha["_id"]]}})
    late = await client.post(room.api(subject) + "/questions", json={"body": "One more?"}, headers=room.headers(asha))
    assert late.status == 403 and "closed" in (await late.json())["detail"]
    record = await (await client.get(room.api(subject), headers=room.headers(asha))).json()
    assert [q["body"] for q in record["questions"]] == ["Will slides be shared?"] and record["open"] is False
    assert (await client.get(room.api(subject), headers=room.headers(bala))).status == 404
    assert await room.db[QUESTIONS].count_documents({}) == 1


async def test_bad_input_is_a_clear_refusal_and_writes_nothing(client: TestClient, room: Room) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    empty = await client.post(room.api(subject) + "/messages", json={"body": "  "}, headers=room.headers(asha))
    assert empty.status == 422 and [e["field"] for e in (await empty.json())["errors"]] == ["body"]
    long = await client.post(room.api(subject) + "/questions", json={"body": "x" * 501}, headers=room.headers(asha))
    assert long.status == 422
    odd = await client.put(room.api(subject) + "/hand", json={"raised": "maybe"}, headers=room.headers(asha))
    assert odd.status == 422
    assert await room.db[MESSAGES].count_documents({}) == 0 and await room.db[QUESTIONS].count_documents({}) == 0
    assert (await client.get(f"/api/v1/rooms/{KIND}/nothex", headers=room.headers(asha))).status == 404
    assert (await client.get(f"/api/v1/rooms/unknown/{ObjectId()}", headers=room.headers(asha))).status == 404


async def test_attendance_comes_from_presence_and_a_host_corrects_it(client: TestClient, room: Room,
                                                                     probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    ref = {"kind": KIND, "subject_id": str(subject["_id"])}
    probe = await probes().connect(server_url(client), token=asha["token"])
    await probe.call("room:enter", ref)
    second_tab = await probes().connect(server_url(client), token=asha["token"])
    await second_tab.call("room:enter", ref)
    assert await room.db[ATTENDANCE].count_documents({"user_id": asha["_id"]}) == 1
    await probe.call("room:leave", ref)
    assert (await room.db[ATTENDANCE].find_one({"user_id": asha["_id"]}))["left_at"] is None
    await second_tab.close()
    for _ in range(50):
        span = await room.db[ATTENDANCE].find_one({"user_id": asha["_id"]})
        if span["left_at"] is not None:
            break
        await asyncio.sleep(0.05)
    assert span["left_at"] is not None
    start = subject["starts_at"]
    spans = [(start + timedelta(minutes=0), start + timedelta(minutes=20)),
             (start + timedelta(minutes=10), start + timedelta(minutes=35)), (start - timedelta(hours=1), start)]
    assert attendance.present_seconds(spans, start, subject["ends_at"]) == 35 * 60
    found = await service.room_for(room.db, Actor(user_id=host["_id"]), KIND, subject["_id"], datetime.now(UTC))
    report = await attendance.report(room.db, found, 0.5, now=datetime.now(UTC))
    assert report[asha["_id"]].attended is False and not report[asha["_id"]].corrected
    await actions.run(client.app, Actor(user_id=host["_id"]), service.correct_attendance, kind=KIND,
                      subject_id=subject["_id"], data={"user_id": str(asha["_id"]), "attended": True,
                                                       "reason": "Joined by phone"})
    report = await attendance.report(room.db, found, 0.5, now=datetime.now(UTC))
    assert report[asha["_id"]].attended is True and report[asha["_id"]].corrected
    entries = await audit.entries(room.db, target_type="user", target_id=asha["_id"])
    assert entries[0]["action"] == "room.attendance_corrected" and entries[0]["details"]["was"] is False
    refused = actions.run(client.app, Actor(user_id=asha["_id"]), service.correct_attendance, kind=KIND,
                          subject_id=subject["_id"], data={"user_id": str(asha["_id"]), "attended": True,
                                                           "reason": "I was there"})
    with pytest.raises(Forbidden):
        await refused


async def test_the_page_works_without_javascript(client: TestClient, room: Room) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha], title="Pay Commission <live>")
    await sign_in(client, asha)
    page = await client.get(room.path(subject))
    html = await page.text()
    assert page.status == 200 and "Pay Commission &lt;live&gt;" in html and f'href="/sessions/{subject["_id"]}"' in html
    match = TOKEN_PATTERN.search(html)
    assert match is not None
    token = match.group(1)
    asked = await client.post(room.path(subject) + "/questions", data={"csrf_token": token, "body": "Arrears <b>?</b>"},
                              allow_redirects=False)
    assert asked.status == 303
    question = await room.db[QUESTIONS].find_one({})
    assert question is not None and question["anonymous"] is False
    html = await (await client.get(room.path(subject))).text()
    assert "Arrears &lt;b&gt;?&lt;/b&gt;" in html and f'/questions/{question["_id"]}/upvote' in html
    voted = await client.post(room.path(subject) + f"/questions/{question['_id']}/upvote", data={"csrf_token": token},
                              allow_redirects=False)
    assert voted.status == 303 and (await room.db[QUESTIONS].find_one({}))["votes"] == 1
    short = await client.post(room.path(subject) + "/questions", data={"csrf_token": token, "body": "?"})
    assert short.status == 422 and 'aria-invalid="true"' in await short.text()
    await client.post(room.path(subject) + "/messages", data={"csrf_token": token, "body": "Namaste"})
    await client.post(room.path(subject) + "/hand", data={"csrf_token": token, "raised": "1"})
    html = await (await client.get(room.path(subject))).text()
    assert "Namaste" in html and "Lower my hand" in html and "Raised hands" in html
    assert "Mute for 10 minutes" not in html  # hosts' forms only for hosts


async def test_hosts_see_the_hands_queue_and_clear_it(client: TestClient, room: Room, probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    ref = {"kind": KIND, "subject_id": str(subject["_id"])}
    watcher = await probes().connect(server_url(client), token=host["token"])
    assert (await watcher.call("room:enter", ref))["host"] is True
    attendee = await probes().connect(server_url(client), token=asha["token"])
    await attendee.call("room:enter", ref)
    assert (await attendee.call("room:hand", {**ref, "raised": True}))["raised"] is True
    assert [h["name"] for h in (await watcher.next("room:hands"))["hands"]] == [asha["name"]]
    await attendee.nothing("room:hands")
    view = await (await client.get(room.api(subject), headers=room.headers(asha))).json()
    assert view["hands"] is None and view["hand_raised"] is True
    await actions.run(client.app, Actor(user_id=host["_id"]), service.clear_hand, kind=KIND,
                      subject_id=subject["_id"], user_id=asha["_id"])
    assert (await watcher.next("room:hands"))["hands"] == []
    with pytest.raises(Forbidden):
        await actions.run(client.app, Actor(user_id=asha["_id"]), service.clear_hand, kind=KIND,
                          subject_id=subject["_id"], user_id=None)


async def test_votes_reach_every_client_live(client: TestClient, room: Room, probes: Probes) -> None:
    host, asha, bala = await room.person(), await room.person(), await room.person()
    subject = await room.subject([host], [asha, bala])
    ref = {"kind": KIND, "subject_id": str(subject["_id"])}
    watcher = await probes().connect(server_url(client), token=asha["token"])
    await watcher.call("room:enter", ref)
    asked = await watcher.call("room:ask", {**ref, "body": "Who signs the bid?", "anonymous": True})
    heard = (await watcher.next("room:question"))["question"]
    assert heard["author"] is None and heard["id"] == asked["question"]["id"]
    voter = await probes().connect(server_url(client), token=bala["token"])
    await voter.call("room:enter", ref)
    assert (await voter.call("room:upvote", {**ref, "target_id": heard["id"]}))["ok"] is True
    assert await watcher.next("room:votes") == {"room": f"room:{KIND}:{subject['_id']}",
                                                "votes": [{"id": heard["id"], "votes": 1}]}
    twice = await voter.call("room:upvote", {**ref, "target_id": heard["id"]})
    assert twice["ok"] is False and twice["error"]["status"] == 409


async def test_export_lists_what_a_person_said_and_erasure_removes_it(client: TestClient, room: Room,
                                                                      probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    await client.post(room.api(subject) + "/messages", json={"body": "Hello all"}, headers=room.headers(asha))
    question = await (await client.post(room.api(subject) + "/questions", json={"body": "Slides please?"},
                                        headers=room.headers(host))).json()
    await client.post(room.api(subject) + f"/questions/{question['question']['id']}/upvote",
                      headers=room.headers(asha))
    await client.put(room.api(subject) + "/hand", json={"raised": True}, headers=room.headers(asha))
    probe = await probes().connect(server_url(client), token=asha["token"])
    await probe.call("room:enter", {"kind": KIND, "subject_id": str(subject["_id"])})
    exported = (await (await client.get("/api/v1/me/data", headers=room.headers(asha))).json())["collections"]
    assert [d["body"] for d in exported[MESSAGES]["documents"]] == ["Hello all"]
    assert len(exported[VOTES]["documents"]) == 1 and len(exported[HANDS]["documents"]) == 1
    assert len(exported[ATTENDANCE]["documents"]) == 1
    await probe.close()
    erased = await client.post("/api/v1/me/erase", json={"confirm": asha["email"]}, headers=room.headers(asha))
    assert erased.status == 200, await erased.text()
    for collection in (MESSAGES, VOTES, HANDS, ATTENDANCE):
        assert await room.db[collection].count_documents({"user_id": asha["_id"]}) == 0
    assert (await room.db[QUESTIONS].find_one({}))["votes"] == 1


async def test_a_host_corrects_attendance_on_the_page(client: TestClient, room: Room, probes: Probes) -> None:
    host, asha = await room.person(), await room.person()
    subject = await room.subject([host], [asha])
    probe = await probes().connect(server_url(client), token=asha["token"])
    await probe.call("room:enter", {"kind": KIND, "subject_id": str(subject["_id"])})
    await sign_in(client, host)
    html = await (await client.get(room.path(subject))).text()
    assert asha["name"] in html and "Mark attended" in html
    match = TOKEN_PATTERN.search(html)
    assert match is not None
    form = {"csrf_token": match.group(1), "user_id": str(asha["_id"]), "attended": "1"}
    missing = await client.post(room.path(subject) + "/attendance", data={**form, "reason": ""})
    assert missing.status == 422 and not await audit.entries(room.db, target_type="user", target_id=asha["_id"])
    done = await client.post(room.path(subject) + "/attendance", data={**form, "reason": "Was on the phone bridge"},
                             allow_redirects=False)
    assert done.status == 303
    html = await (await client.get(room.path(subject))).text()
    assert "corrected by a host" in html and "Mark not attended" in html
    assert (await audit.entries(room.db, target_type="user", target_id=asha["_id"]))[0]["reason"] == \
        "Was on the phone bridge"


async def test_concurrent_upvotes_each_report_the_count_they_made(client: TestClient, room: Room) -> None:
    host = await room.person()
    voters = [await room.person() for _ in range(6)]
    subject = await room.subject([host], voters)
    asked = await (await client.post(room.api(subject) + "/questions", json={"body": "Is e-reverse auction allowed?"},
                                     headers=room.headers(host))).json()
    url = room.api(subject) + f"/questions/{asked['question']['id']}/upvote"

    async def vote(person: dict[str, object]) -> int:
        response = await client.post(url, headers=room.headers(person))  # type: ignore[arg-type]
        return int((await response.json())["question"]["votes"])

    counts = await asyncio.gather(*(vote(person) for person in voters))
    assert sorted(counts) == [1, 2, 3, 4, 5, 6]
    assert (await room.db[QUESTIONS].find_one({}))["votes"] == 6


async def test_a_room_whose_kind_has_no_polls_shows_none_and_offers_none(client: TestClient, room: Room) -> None:
    host = await room.person()
    subject = await room.subject([host], [])
    assert (await client.get(room.api(subject) + "/polls", headers=room.headers(host))).status == 404
    made = await client.post(room.api(subject) + "/polls", json={"question": "Tea or coffee?", "options": ["Tea", "Coffee"]},
                             headers=room.headers(host))
    assert made.status == 404
    await sign_in(client, host)
    html = await (await client.get(room.path(subject))).text()
    assert 'id="polls"' not in html and "Start a poll" not in html
