"""The notifier: expands notification intents into per-person notifications, after the commit.

Built like the search indexer. Each round claims a due intent with a lease
(``find_one_and_update`` moving ``next_attempt_at`` past now), so several processes share the
work and an intent whose process was killed is taken over once its lease has run out, and with it
up to ``GROUP - 1`` more due intents of the same kind about the same subject (each with its own
lease): when a busy thread's replies queue up, each follower is told of several in one fold. For
the claimed intents it queries each one's recipient set and takes the people in batches of
``BATCH``: it drops each intent's actor and everyone who can no longer see the subject (the
subject type's registered filter, the policy) or has turned the kind off (each read once per
batch), and folds the occurrences meant for each remaining person (the latest setting the text)
into their open notification of that kind and subject, all in one ``bulk_write`` in one
transaction. The fold records the intents' ids in the notification and adds only occurrences
whose intent it does not carry yet, so replaying intents after a crash adds nothing twice (a
batch is written whole or not at all). Then it pushes the batch's badges and notifications,
rendered in each person's stored language, and, after the last batch, deletes the intents. A
round that fails retries its intents with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from community.accounts import people as accounts_people
from community.notifications import queries
from community.notifications.intents import INTENTS, SUBJECTS, expand
from community.notifications.kinds import DEFAULT_DELIVERY, KINDS, Delivery
from community.notifications.render import actor_names, in_language, text_of
from community.storage.api import Database

log = logging.getLogger("community.notifications")

LEASE = timedelta(seconds=120)
POLL_SECONDS = 0.5
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
BATCH = 250
"""Recipients expanded together: one read each of visibility, preferences, languages and unread
counts, one ``bulk_write`` of folds in one transaction, one round of badge pushes."""
GROUP = 64
"""At most this many intents about one subject are delivered together."""
INTENT_MEMORY = 3 * GROUP
"""How many intent ids a notification remembers: enough to make every replay a no-op, with
three whole groups folded in after the one replayed."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


class Notifier:
    def __init__(self, db: Database, emitter: Any, clock: Callable[[], datetime], *, poll: float = POLL_SECONDS,
                 lease: timedelta = LEASE) -> None:
        self.db = db
        self.lease = lease
        self.emitter = emitter
        self.clock = clock
        self.poll = poll
        self._wake = asyncio.Event()
        self._turn = asyncio.Lock()

    def wake(self) -> None:
        """Start the next round now rather than at the next poll (called after a commit)."""
        self._wake.set()

    async def claim(self) -> dict[str, Any] | None:
        now = self.clock()
        return await self.db[INTENTS].find_one_and_update(
            {"next_attempt_at": {"$lte": now}},
            {"$set": {"next_attempt_at": now + self.lease, "claimed_at": now}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_at", ASCENDING), ("_id", ASCENDING)], return_document=ReturnDocument.AFTER)

    async def claim_alike(self, intent: dict[str, Any]) -> list[dict[str, Any]]:
        """Up to ``GROUP - 1`` more due intents of the same kind about the same subject, each
        claimed with its own lease, to be folded in with ``intent``: while the notifier is behind
        (a busy thread's replies), one expansion, one visibility read and one write tell each
        person of several. An intent tried before (``attempts`` above 1) goes alone, and only
        intents never tried join a group, so one that keeps failing holds back no other."""
        if intent["attempts"] > 1:
            return []
        now = self.clock()
        due = {"kind": intent["kind"], "subject_type": intent["subject_type"], "subject_id": intent["subject_id"],
               "attempts": 0, "next_attempt_at": {"$lte": now}}
        alike = [row["_id"] async for row in self.db[INTENTS].find(due, {"_id": 1}, limit=GROUP - 1)]
        if not alike:
            return []
        claim = ObjectId()  # which of them this round took: another process may have claimed some since the read
        await self.db[INTENTS].update_many(
            {**due, "_id": {"$in": alike}},
            {"$set": {"next_attempt_at": now + self.lease, "claimed_at": now, "claim": claim}, "$inc": {"attempts": 1}})
        return await self.db[INTENTS].find({"_id": {"$in": alike}, "claim": claim}).to_list(None)

    async def run_once(self) -> int:
        """Claim and deliver one intent, with those alike; how many intents were taken (0 when
        none is due). Rounds in one process take turns, so a ``drain`` that returns has also seen
        the background task's round finish."""
        async with self._turn:
            intent = await self.claim()
            if intent is None:
                return 0
            group = [intent]
            try:
                group += await self.claim_alike(intent)
                await self.deliver(*group)
            except Exception as error:  # one bad intent must not stop the others; it is retried later
                retry = self.clock() + backoff(intent["attempts"])
                await self.db[INTENTS].update_many({"_id": {"$in": [one["_id"] for one in group]}}, {"$set": {
                    "next_attempt_at": retry, "last_error": repr(error)[:500]}})
                log.warning("notification intent failed; will retry",
                            extra={"intent": str(intent["_id"]), "kind": intent["kind"], "error": repr(error)[:200]})
            return len(group)

    async def drain(self) -> int:
        """Rounds until nothing is due; the number of intents taken."""
        taken = 0
        while taken_now := await self.run_once():
            taken += taken_now
        return taken

    async def run(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception as error:  # storage hiccup: log, wait, try again; intents stay safe
                log.warning("notifier round failed", extra={"error": repr(error)})
            try:  # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancel that meets a wake-up
                async with asyncio.timeout(self.poll):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()

    async def deliver(self, intent: dict[str, Any], *alike: dict[str, Any]) -> int:
        """Fold the intents (one kind, one subject) into each recipient's notifications; returns how
        many people were told. Each intent's recipient set is expanded on its own, less its actor,
        so each person gets the occurrences meant for them, and the latest of them sets the text."""
        group = sorted([intent, *alike], key=lambda one: one["_id"])
        ids = [one["_id"] for one in group]
        kind = KINDS.get(intent["kind"])
        if kind is None:
            log.warning("notification kind no longer registered; intent dropped", extra={"kind": intent["kind"]})
            await self.db[INTENTS].delete_many({"_id": {"$in": ids}})
            return 0
        meant: dict[ObjectId, list[dict[str, Any]]] = {}
        for one, people in zip(group, await expand(self.db, [one["to"] for one in group]), strict=True):
            for person in dict.fromkeys(people):
                if person != one.get("actor_id"):
                    meant.setdefault(person, []).append(one)
        people = list(meant)
        told = 0
        for start in range(0, len(people), BATCH):
            folded = await self._deliver_to(intent, kind.url, {person: meant[person] for person in people[start:start + BATCH]})
            told += len(folded)
            if folded and self.emitter is not None:
                await self._push(folded)
        await self.db[INTENTS].delete_many({"_id": {"$in": ids}})
        return told

    async def _deliver_to(self, intent: dict[str, Any], url: Callable[[Any], str],
                          meant: dict[ObjectId, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """One batch: who may see the subject and wants the kind (read for the whole batch), then
        every fold in one ``bulk_write`` in one transaction; returns the notifications folded into."""
        people = list(await SUBJECTS[intent["subject_type"]](self.db, intent["subject_id"], list(meant)))
        if not people:
            return []
        choices = await queries.deliveries(self.db, people, intent["kind"])
        now = self.clock()
        folds: list[queries.Fold] = []
        for person in people:
            chosen = choices.get(person, DEFAULT_DELIVERY.value)
            delivery = Delivery(chosen) if chosen in Delivery.__members__.values() else DEFAULT_DELIVERY
            if delivery is Delivery.OFF:
                continue
            occurrences = meant[person]
            latest = occurrences[-1]
            set_fields: dict[str, Any] = {"params": latest["params"], "url": url(latest["params"]),
                                          "actor_id": latest.get("actor_id"), "updated_at": now, "read": False}
            if delivery is Delivery.EMAIL_DIGEST:
                set_fields["digest_pending"] = True
            on_insert = {"user_id": person, "kind": intent["kind"], "subject_type": intent["subject_type"],
                         "subject_id": intent["subject_id"], "created_at": now}
            folds.append(queries.Fold(
                queries.open_key(person, intent["kind"], intent["subject_type"], intent["subject_id"]),
                set_fields, on_insert, tuple((one["_id"], one.get("actor_id")) for one in occurrences)))
        if not folds:
            return []
        for attempt in range(2):
            try:
                async with self.db.client.start_session() as session:
                    return await session.with_transaction(
                        lambda s: queries.fold_in_many(self.db, folds, memory=INTENT_MEMORY, session=s))
            except (BulkWriteError, DuplicateKeyError):
                # Another intent opened one of these entries between the read and the write (MongoDB,
                # several processes); the transaction wrote nothing, and the next read sees the entry.
                if attempt:
                    raise
        return []

    async def _push(self, folded: list[dict[str, Any]]) -> None:
        """Each person's badge and the notification, rendered in their language (one batch)."""
        people = [doc["user_id"] for doc in folded]
        unread = await queries.unread_counts(self.db, people)
        languages = await accounts_people.languages(self.db, people)
        names = await actor_names(self.db, folded)
        for doc in folded:
            with in_language(languages.get(doc["user_id"])):
                text = text_of(doc, names)
            await self.emitter.emit("notification", {
                "id": str(doc["_id"]), "kind": doc["kind"], "text": text, "url": doc["url"], "count": doc["count"],
                "unread": unread.get(doc["user_id"], 0)}, room=f"user:{doc['user_id']}")
