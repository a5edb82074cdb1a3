"""The network's MongoDB language: connections, follows of people, and blocks.

A connection is one document per pair of people, whatever its state, under the key
:func:`pair_key` (the two ids sorted): ``{_id, a, b, status, note, requested_at, accepted_at,
expires_at, request_id}`` where ``a`` asked ``b`` and ``status`` is ``pending`` or ``accepted``. Because the
pair has one key, two people asking each other at the same moment meet on one document and end
connected, never with two requests crossing. A follow is ``{_id: "follower|followed",
follower_id, followed_id, at}``; a block ``{_id: "blocker|blocked", blocker_id, blocked_id, at}``.
A dismissed suggestion of people you may know is ``{_id: "person|dismissed", user_id, person_id, at}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from bson import ObjectId

from community.storage.api import Database

CONNECTIONS = "connections"
FOLLOWS = "person_follows"
BLOCKS = "blocks"
DISMISSALS = "network_dismissals"

ListName = Literal["connections", "received", "sent", "followers", "following", "blocked"]
LIST_NAMES: tuple[ListName, ...] = ("connections", "received", "sent", "followers", "following", "blocked")
PAGE_SIZE = 50
"""A page of a list shows this many people, newest first."""


def pair_key(one: ObjectId, other: ObjectId) -> str:
    """The connection's key for a pair: the same whoever asks."""
    low, high = sorted((str(one), str(other)))
    return f"{low}|{high}"


def follow_key(follower: ObjectId, followed: ObjectId) -> str:
    return f"{follower}|{followed}"


def block_key(blocker: ObjectId, blocked: ObjectId) -> str:
    return f"{blocker}|{blocked}"


async def connection(db: Database, one: ObjectId, other: ObjectId, *, session: Any = None) -> dict[str, Any] | None:
    """The pair's connection or pending request, whoever asked."""
    return await db[CONNECTIONS].find_one({"_id": pair_key(one, other)}, session=session)


async def is_connected(db: Database, a: ObjectId | None, b: ObjectId | None) -> bool:
    """Whether two people have an accepted connection (one indexed look-up per direction: the
    embedded engine scans for an ``$or``)."""
    if a is None or b is None or a == b:
        return False
    for asker, other in ((a, b), (b, a)):
        if await db[CONNECTIONS].find_one({"a": asker, "status": "accepted", "b": other}, {"_id": 1}) is not None:
            return True
    return False


async def connected_among(db: Database, viewer: ObjectId | None, others: Iterable[ObjectId]) -> set[ObjectId]:
    """Which of ``others`` the viewer is connected to, in two queries whatever the list's length
    (none for the viewer alone: nobody is connected to themselves)."""
    ids = [other for other in others if other != viewer]
    if viewer is None or not ids:
        return set()
    found: set[ObjectId] = set()
    async for row in db[CONNECTIONS].find({"a": viewer, "b": {"$in": ids}, "status": "accepted"}, {"b": 1}):
        found.add(row["b"])
    async for row in db[CONNECTIONS].find({"b": viewer, "a": {"$in": ids}, "status": "accepted"}, {"a": 1}):
        found.add(row["a"])
    return found


async def recent_connections(db: Database, me: ObjectId, limit: int) -> list[ObjectId]:
    """Up to ``limit`` of the people ``me`` is connected with, the latest asked first (up to
    ``limit`` from each direction, then merged)."""
    rows = []
    for mine, other in (("a", "b"), ("b", "a")):
        rows += [(row["requested_at"], row[other]) async for row in db[CONNECTIONS].find(
            {mine: me, "status": "accepted"}, {other: 1, "requested_at": 1}, sort=[("requested_at", -1)], limit=limit)]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [person for _at, person in rows[:limit]]


async def connections_of(db: Database, people: list[ObjectId], limit: int) -> list[tuple[ObjectId, ObjectId]]:
    """Accepted connections of any of ``people``, as ``(one of them, whom they are connected
    with)``, at most ``limit`` from each direction: one index range per person and direction."""
    if not people:
        return []
    found = []
    for mine, other in (("a", "b"), ("b", "a")):
        found += [(row[mine], row[other]) async for row in db[CONNECTIONS].find(
            {mine: {"$in": people}, "status": "accepted"}, {"a": 1, "b": 1}, limit=limit)]
    return found


async def linked_among(db: Database, me: ObjectId, others: Iterable[ObjectId]) -> set[ObjectId]:
    """Those of ``others`` with whom ``me`` has a connection or a request waiting, either way:
    one point of the pair key each."""
    keys = {pair_key(me, other): other for other in others if other != me}
    if not keys:
        return set()
    return {keys[row["_id"]] async for row in db[CONNECTIONS].find({"_id": {"$in": list(keys)}}, {"_id": 1})}


async def accepted_pairs(db: Database, *, limit: int) -> list[tuple[ObjectId, ObjectId]]:
    """Up to ``limit`` connected pairs, (asker, other) (the demo's conversations)."""
    return [(row["a"], row["b"]) async for row in
            db[CONNECTIONS].find({"status": "accepted"}, {"a": 1, "b": 1}, limit=limit)]


async def request_exists(db: Database, request_id: ObjectId) -> bool:
    """Whether the request (waiting or accepted) with this id is still stored."""
    return await db[CONNECTIONS].find_one({"request_id": request_id}, {"_id": 1}) is not None


async def is_following(db: Database, follower: ObjectId, followed: ObjectId) -> bool:
    return await db[FOLLOWS].find_one({"_id": follow_key(follower, followed)}, {"_id": 1}) is not None


async def has_blocked(db: Database, blocker: ObjectId, blocked: ObjectId) -> bool:
    return await db[BLOCKS].find_one({"_id": block_key(blocker, blocked)}, {"_id": 1}) is not None


async def blocked_between(db: Database, one: ObjectId | None, other: ObjectId | None) -> bool:
    """Whether either of the two has blocked the other."""
    if one is None or other is None or one == other:
        return False
    return await db[BLOCKS].find_one({"_id": {"$in": [block_key(one, other), block_key(other, one)]}},
                                     {"_id": 1}) is not None


async def blockers_among(db: Database, person: ObjectId, others: Sequence[ObjectId]) -> set[ObjectId]:
    """Those of ``others`` who have blocked ``person`` (or whom ``person`` has blocked)."""
    if not others:
        return set()
    found: set[ObjectId] = set()
    async for row in db[BLOCKS].find({"blocked_id": person, "blocker_id": {"$in": list(others)}}, {"blocker_id": 1}):
        found.add(row["blocker_id"])
    async for row in db[BLOCKS].find({"blocker_id": person, "blocked_id": {"$in": list(others)}}, {"blocked_id": 1}):
        found.add(row["blocked_id"])
    return found


async def followers_since(db: Database, followed: ObjectId, *, since_before: Any) -> list[ObjectId]:
    """Everyone who followed ``followed`` by ``since_before``."""
    return [row["follower_id"] async for row in
            db[FOLLOWS].find({"followed_id": followed, "at": {"$lte": since_before}}, {"follower_id": 1})]


Query = tuple[str, dict[str, Any], str, str]
"""A collection, its filter, the field naming the other person, and the sort field."""


def _list_queries(name: ListName, me: ObjectId) -> list[Query]:
    """The queries whose rows make up one list: connections are two, one per direction, because
    each is then one index range (an ``$or`` is a scan on the embedded engine)."""
    if name == "connections":
        return [(CONNECTIONS, {"a": me, "status": "accepted"}, "b", "requested_at"),
                (CONNECTIONS, {"b": me, "status": "accepted"}, "a", "requested_at")]
    if name == "received":
        return [(CONNECTIONS, {"b": me, "status": "pending"}, "a", "requested_at")]
    if name == "sent":
        return [(CONNECTIONS, {"a": me, "status": "pending"}, "b", "requested_at")]
    if name == "followers":
        return [(FOLLOWS, {"followed_id": me}, "follower_id", "at")]
    if name == "following":
        return [(FOLLOWS, {"follower_id": me}, "followed_id", "at")]
    return [(BLOCKS, {"blocker_id": me}, "blocked_id", "at")]


async def counts(db: Database, me: ObjectId) -> dict[str, int]:
    """How many people are on each of a person's lists."""
    result: dict[str, int] = {}
    for name in LIST_NAMES:
        result[name] = sum([await db[collection].count_documents(query)
                            for collection, query, _other, _sort in _list_queries(name, me)])
    return result


Position = tuple[Any, Any]
"""Where a page of a list ends: the sort field's value and the ``_id`` of its last row."""


async def listed(db: Database, me: ObjectId, name: ListName, *, before: Position | None,
                 limit: int) -> list[dict[str, Any]]:
    """Entries of one list, newest first, after ``before``: ``{person_id, at, note, _id}`` (the
    note of a request); a connection dates from its request."""
    rows = []
    for collection, query, other, sort in _list_queries(name, me):
        if before is not None:
            at, last_id = before
            query = {**query, "$or": [{sort: {"$lt": at}}, {sort: at, "_id": {"$lt": last_id}}]}
        async for row in db[collection].find(query, sort=[(sort, -1), ("_id", -1)], limit=limit):
            rows.append({"person_id": row[other], "at": row.get(sort), "note": row.get("note") or "", "_id": row["_id"]})
    rows.sort(key=lambda row: (row["at"] is not None, row["at"], str(row["_id"])), reverse=True)
    return rows[:limit]


def dismissal_key(me: ObjectId, person_id: ObjectId) -> str:
    return f"{me}|{person_id}"


async def dismissed_people(db: Database, me: ObjectId) -> set[ObjectId]:
    """Everyone ``me`` asked not to be suggested again."""
    return {row["person_id"] async for row in db[DISMISSALS].find({"user_id": me}, {"person_id": 1})}


async def dismiss(db: Database, me: ObjectId, person_id: ObjectId, now: Any, *, session: Any) -> bool:
    """Record that ``me`` dismissed the suggestion of ``person_id``; False when it was already."""
    written = await db[DISMISSALS].update_one({"_id": dismissal_key(me, person_id)}, {"$setOnInsert": {
        "user_id": me, "person_id": person_id, "at": now}}, upsert=True, session=session)
    return written.upserted_id is not None
