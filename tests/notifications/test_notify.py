"""Notifications from intents: folded per person, pushed live, preferences honoured, delivered once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions, keys
from community.accounts.sessions import actor_for_user
from community.notifications import notifier as notifier_module
from community.notifications.intents import INTENTS, RECIPIENT_SETS, Recipients, person
from community.notifications.notifier import LEASE, Notifier
from community.notifications.queries import NOTIFICATIONS, open_key, page, save_preferences
from community.notifications.read import mark_all_read, mark_read
from community.policy import Actor
from tests.factories import bare_app, bearer_token, make_user
from tests.notifications.conftest import NOTE, tell
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def test_notifications_about_the_same_subject_collapse_into_one_with_a_count(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    thread, other_thread = ObjectId(), ObjectId()
    for n in range(3):
        await tell(client.app, asha, f"New reply number {n} in “Pay rules”", subject=thread, by=ravi["_id"])
    await tell(client.app, asha, "Elsewhere", subject=other_thread, by=ravi["_id"])
    rows = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}, sort=[("count", -1)]).to_list(None)
    assert [(row["kind"], row["subject_id"], row["count"]) for row in rows] == [(NOTE, thread, 3), (NOTE, other_thread, 1)]
    assert rows[0]["params"]["text"] == "New reply number 2 in “Pay rules”", "the entry shows the latest occurrence"
    assert "text" not in rows[0], "words are rendered when shown, never stored"
    assert all(row["read"] is False for row in rows)


async def test_once_read_the_next_notification_starts_a_new_entry(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    thread = ObjectId()
    await tell(client.app, asha, "First", subject=thread, by=ravi["_id"])
    first = await db[NOTIFICATIONS].find_one({"user_id": asha["_id"]})
    assert await actions.run(client.app, actor_for_user(asha), mark_read, first["_id"]) == (True, 0)
    await tell(client.app, asha, "Second", subject=thread, by=ravi["_id"])
    rows = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}, sort=[("created_at", 1)]).to_list(None)
    assert [(row["read"], row["count"]) for row in rows] == [(True, 1), (False, 1)]


async def test_nobody_is_notified_of_their_own_action(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    await tell(client.app, asha, "My own doing", by=asha["_id"])
    assert await db[NOTIFICATIONS].count_documents({}) == 0
    assert await db[INTENTS].count_documents({}) == 0, "the intent is done with all the same"


async def test_a_kind_turned_off_is_not_recorded_and_email_digest_is_marked_for_the_digest(
        client: TestClient, db: Any) -> None:
    asha, ravi, meena = await make_user(db), await make_user(db), await make_user(db)
    headers = {"Authorization": f"Bearer {await bearer_token(db, asha)}"}
    response = await client.put("/api/v1/notifications/preferences", json={NOTE: "off"}, headers=headers)
    assert response.status == 200 and (await response.json())[NOTE] == "off"
    response = await client.put("/api/v1/notifications/preferences", json={NOTE: "email_digest"},
                                headers={"Authorization": f"Bearer {await bearer_token(db, ravi)}"})
    assert response.status == 200
    for user in (asha, ravi, meena):
        await tell(client.app, user, "A note")
    rows = await db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row.get("digest_pending", False)) for row in rows) == sorted(
        [(ravi["_id"], True), (meena["_id"], False)])


async def test_a_notification_is_pushed_live_with_the_unread_total(client: TestClient, db: Any, probes: Probes) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    asha_socket = await probes().connect(server_url(client), token=await bearer_token(db, asha))
    ravi_socket = await probes().connect(server_url(client), token=await bearer_token(db, ravi))
    thread = ObjectId()
    await tell(client.app, asha, "First reply", subject=thread, by=ravi["_id"], url=f"/forums/t/{thread}")
    first = await asha_socket.next("notification")
    assert first["kind"] == NOTE and first["count"] == 1 and first["unread"] == 1 and first["text"] == "First reply"
    assert first["url"] == f"/forums/t/{thread}"
    await tell(client.app, asha, "Second reply", subject=thread, by=ravi["_id"])
    second = await asha_socket.next("notification")
    assert second["id"] == first["id"] and second["count"] == 2 and second["unread"] == 1
    await tell(client.app, asha, "Elsewhere", by=ravi["_id"])
    assert (await asha_socket.next("notification"))["unread"] == 2
    await tell(client.app, ravi, "For Ravi at last", by=asha["_id"])
    assert (await ravi_socket.next("notification"))["text"] == "For Ravi at last", "Ravi heard only his own"

    await actions.run(client.app, actor_for_user(asha), mark_all_read)
    assert await asha_socket.next("notifications:unread") == {"unread": 0}


@pytest.mark.parametrize(("kind", "to", "subject", "params"), [
    ("no_such_kind", person(ObjectId()), (NOTE, 1), {}),
    (NOTE, Recipients("nobody.knows", {}), (NOTE, 1), {}),
    (NOTE, person(ObjectId()), ("no_such_subject", 1), {}),
    (NOTE, person(ObjectId()), (NOTE, 1), ["not", "a", "document"]),
])
async def test_a_mistake_in_a_notify_call_is_refused_and_the_whole_action_rolls_back(
        bare_db: Any, captured_effects: actions.Effects, kind: str, to: Any, subject: Any, params: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        async with actions.begin(bare_app(bare_db), Actor(user_id=ObjectId())) as tx:
            await tx.db.marker.insert_one({"written": True}, session=await tx.start())
            await tx.notify(kind, to=to, subject=subject, params=params)
    assert await bare_db[INTENTS].count_documents({}) == 0
    assert await bare_db.marker.count_documents({}) == 0
    assert captured_effects.empty


async def _one_intent(db: Any, people: list[dict[str, Any]], text: str) -> None:
    async with actions.begin(bare_app(db), Actor(user_id=ObjectId())) as tx:
        for user in people:
            await tx.notify(NOTE, to=person(user["_id"]), subject=(NOTE, "subject"), params={"text": text, "url": "/"})


async def test_an_intent_delivered_again_after_a_crash_adds_nothing_twice(bare_db: Any) -> None:
    asha = await make_user(bare_db)
    await _one_intent(bare_db, [asha], "Once only")
    intent = await bare_db[INTENTS].find_one({})
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    assert await notifier.deliver(intent) == 1
    assert await notifier.deliver(intent) == 0, "replaying the same intent (a crash before it was deleted) is a no-op"
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert [(row["user_id"], row["count"]) for row in rows] == [(asha["_id"], 1)]


async def test_a_lease_held_by_a_killed_process_is_taken_over_once_it_expires(bare_db: Any) -> None:
    asha = await make_user(bare_db)
    await _one_intent(bare_db, [asha], "Taken over")
    now = [bare_app(bare_db)[keys.CLOCK]()]
    killed = Notifier(bare_db, None, lambda: now[0])
    assert await killed.claim() is not None, "the first process claims it, then dies without delivering"
    survivor = Notifier(bare_db, None, lambda: now[0])
    assert await survivor.drain() == 0, "while the lease holds, nobody else takes the intent"
    now[0] += LEASE + timedelta(seconds=1)
    assert await survivor.drain() == 1
    assert await bare_db[NOTIFICATIONS].count_documents({"user_id": asha["_id"]}) == 1
    assert await bare_db[INTENTS].count_documents({}) == 0


async def test_erasing_the_actor_keeps_others_notifications_without_naming_them(client: TestClient, db: Any) -> None:
    """Words are rendered when shown, so erasure removes only the reference to the person."""
    from community.privacy.erase import erase_person

    asha, ravi = await make_user(db), await make_user(db)
    admin = await make_user(db, roles=("admin",))
    await tell(client.app, asha, "Ravi did something", by=ravi["_id"])
    await erase_person(db, ravi["_id"], actor=actor_for_user(admin))
    [kept] = await db[NOTIFICATIONS].find({"user_id": asha["_id"]}).to_list(None)
    assert kept["actor_id"] is None and kept["params"]["text"] == "Ravi did something"


MANY = "test.everyone_named"


@pytest.fixture
def everyone_named() -> Any:
    """A recipient set of this test's own: every user whose name starts with ``prefix``."""
    async def query(db: Any, *, prefix: str) -> list[ObjectId]:
        return [row["_id"] async for row in db.users.find({"name": {"$regex": f"^{prefix}"}}, sort=[("_id", 1)])]
    RECIPIENT_SETS[MANY] = query
    yield MANY
    del RECIPIENT_SETS[MANY]


class FailingEmitter:
    """Pushes succeed until ``fail_after`` of them have been sent, then one fails (the process dies mid fan-out)."""

    def __init__(self, fail_after: int) -> None:
        self.sent: list[str] = []
        self.fail_after = fail_after

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        if len(self.sent) == self.fail_after:
            self.fail_after = -1
            raise ConnectionError("the process died while pushing")
        self.sent.append(room)


async def _many(db: Any, n: int, prefix: str) -> list[dict[str, Any]]:
    return [await make_user(db, name=f"{prefix} {i}") for i in range(n)]


async def test_an_intent_is_stored_in_batches_and_a_replay_after_a_crash_mid_fan_out_tells_each_person_once(
        bare_db: Any, everyone_named: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifier_module, "BATCH", 3)
    people = await _many(bare_db, 8, "Batched")
    async with actions.begin(bare_app(bare_db), Actor(user_id=ObjectId())) as tx:
        await tx.notify(NOTE, to=Recipients(everyone_named, {"prefix": "Batched"}), subject=(NOTE, "s"),
                        params={"text": "Bids", "url": "/"})
    now = [bare_app(bare_db)[keys.CLOCK]()]
    emitter = FailingEmitter(fail_after=4)
    notifier = Notifier(bare_db, emitter, lambda: now[0])
    assert await notifier.drain() == 1
    stored = await bare_db[NOTIFICATIONS].count_documents({})
    assert stored == 6, "the first two batches were stored whole before the push failed; the third not yet"
    now[0] += timedelta(minutes=10)
    assert await notifier.drain() == 1
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row["count"]) for row in rows) == sorted((p["_id"], 1) for p in people)
    assert await bare_db[INTENTS].count_documents({}) == 0
    assert emitter.sent[4:] == [f"user:{p['_id']}" for p in people[6:]], "the replay pushes what it stored: the third batch"


async def test_a_batch_whose_write_fails_stores_nothing_of_it_and_is_retried(
        bare_db: Any, everyone_named: str) -> None:
    people = await _many(bare_db, 3, "Whole")
    subject = "whole-batch"
    broken = open_key(people[1]["_id"], NOTE, NOTE, subject)
    await bare_db[NOTIFICATIONS].insert_one({"open_key": broken, "user_id": people[1]["_id"], "count": "not a number"})
    async with actions.begin(bare_app(bare_db), Actor(user_id=ObjectId())) as tx:
        await tx.notify(NOTE, to=Recipients(everyone_named, {"prefix": "Whole"}), subject=(NOTE, subject),
                        params={"text": "Bids", "url": "/"})
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    assert await notifier.drain() == 1
    assert await bare_db[NOTIFICATIONS].count_documents({"open_key": {"$ne": broken}}) == 0, \
        "one fold failed, so none of its batch's folds were kept"
    intent = await bare_db[INTENTS].find_one({})
    assert intent is not None and "count" in intent["last_error"], "the intent waits to be retried, with the error"


async def test_a_second_intent_folds_into_each_persons_open_entry_keeping_their_own_delivery(
        bare_db: Any, everyone_named: str) -> None:
    people = await _many(bare_db, 4, "Folded")
    digest, off = people[0], people[1]
    now = bare_app(bare_db)[keys.CLOCK]()
    await save_preferences(bare_db, digest["_id"], {NOTE: "email_digest"}, now)
    await save_preferences(bare_db, off["_id"], {NOTE: "off"}, now)
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    for text in ("First", "Second"):
        async with actions.begin(bare_app(bare_db), Actor(user_id=ObjectId())) as tx:
            await tx.notify(NOTE, to=Recipients(everyone_named, {"prefix": "Folded"}), subject=(NOTE, "same"),
                            params={"text": text, "url": "/"})
        assert await notifier.drain() == 1
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row["count"], row["params"]["text"], row.get("digest_pending", False))
                  for row in rows) == sorted(
        [(digest["_id"], 2, "Second", True)] + [(p["_id"], 2, "Second", False) for p in people[2:]])


async def _intents_by(db: Any, actors: list[ObjectId], prefix: str, subject: str) -> None:
    """One intent per actor, each in its own action, about one subject, to everyone named ``prefix``."""
    for n, actor_id in enumerate(actors):
        async with actions.begin(bare_app(db), Actor(user_id=actor_id)) as tx:
            await tx.notify(NOTE, to=Recipients(MANY, {"prefix": prefix}), subject=(NOTE, subject),
                            params={"text": f"Occurrence {n}", "url": "/"})


async def test_intents_queued_about_one_subject_are_told_together_each_person_less_their_own(
        bare_db: Any, everyone_named: str) -> None:
    people = await _many(bare_db, 3, "Grouped")
    outsider = ObjectId()
    await _intents_by(bare_db, [outsider, people[0]["_id"], outsider, people[1]["_id"]], "Grouped", "busy")
    await _intents_by(bare_db, [outsider], "Grouped", "elsewhere")
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    assert await notifier.run_once() == 4, "one round takes the four intents about the busy subject"
    rows = {row["user_id"]: row for row in await bare_db[NOTIFICATIONS].find({"subject_id": "busy"}).to_list(None)}
    assert {person_id: (row["count"], row["params"]["text"]) for person_id, row in rows.items()} == {
        people[0]["_id"]: (3, "Occurrence 3"), people[1]["_id"]: (3, "Occurrence 2"),
        people[2]["_id"]: (4, "Occurrence 3")}, "each is told of the others' occurrences, the latest of them shown"
    assert rows[people[2]["_id"]]["actors"] == [outsider, people[0]["_id"], outsider, people[1]["_id"]]
    assert await bare_db[INTENTS].count_documents({}) == 1, "the other subject's intent waits for its own round"
    assert await notifier.run_once() == 1 and await notifier.run_once() == 0


async def test_a_busy_subjects_backlog_is_told_in_one_round_and_replaying_it_adds_nothing(
        bare_db: Any, everyone_named: str) -> None:
    """A thread replied to 50 times while the notifier was behind: one expansion, one visibility
    read and one write per person tell of all 50 (the work of a round is per person, so the
    larger the group the less each reply costs); the memory of intents covers the whole group."""
    people = await _many(bare_db, 3, "Busy")
    await _intents_by(bare_db, [ObjectId() for _ in range(50)], "Busy", "thread")
    backlog = await bare_db[INTENTS].find({}).to_list(None)
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    assert await notifier.run_once() == 50
    assert await notifier.deliver(*backlog) == 0, "every one of the 50 is remembered: a replay tells nobody again"
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row["count"]) for row in rows) == sorted((p["_id"], 50) for p in people)
    shown = await page(bare_db, people[0]["_id"], unread_only=False, before=None, limit=20)
    assert shown and "intents" not in shown[0], "a list of notifications does not carry the 50 intent ids"


async def test_a_group_replayed_after_a_crash_adds_only_the_occurrences_not_yet_folded_in(
        bare_db: Any, everyone_named: str) -> None:
    people = await _many(bare_db, 2, "Replayed")
    await _intents_by(bare_db, [ObjectId(), ObjectId()], "Replayed", "crash")
    first_two = await bare_db[INTENTS].find({}).to_list(None)
    notifier = Notifier(bare_db, None, bare_app(bare_db)[keys.CLOCK])
    assert await notifier.deliver(*first_two) == 2
    await bare_db[INTENTS].insert_many(first_two)  # the process died before it deleted them
    await _intents_by(bare_db, [ObjectId()], "Replayed", "crash")
    assert await notifier.drain() == 3, "the replay claims the two again, with the third"
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row["count"]) for row in rows) == sorted((p["_id"], 3) for p in people)


async def test_an_intent_that_failed_before_is_retried_alone_and_holds_back_no_other(
        bare_db: Any, everyone_named: str) -> None:
    people = await _many(bare_db, 2, "Alone")
    await _intents_by(bare_db, [ObjectId()], "Alone", "retry")
    now = [bare_app(bare_db)[keys.CLOCK]()]
    notifier = Notifier(bare_db, None, lambda: now[0])
    tried = await notifier.claim()
    assert tried is not None, "tried once by a process that died"
    await _intents_by(bare_db, [ObjectId(), ObjectId()], "Alone", "retry")
    await bare_db[INTENTS].update_many({"_id": {"$ne": tried["_id"]}},
                                       {"$set": {"next_attempt_at": tried["next_attempt_at"] + timedelta(seconds=1)}})
    now[0] += LEASE + timedelta(seconds=2)
    assert await notifier.run_once() == 1, "the intent tried before is due first, and goes alone"
    assert await notifier.run_once() == 2, "the two never tried go together"
    rows = await bare_db[NOTIFICATIONS].find({}).to_list(None)
    assert sorted((row["user_id"], row["count"]) for row in rows) == sorted((p["_id"], 3) for p in people)
