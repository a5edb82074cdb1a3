"""Benchmark: the Network directory's first and tenth page, and people you may know, at 100,000 profiles, on the embedded store.

    .venv/bin/python bench/network.py                  # 100,000 profiles
    .venv/bin/python bench/network.py --people 20000 --runs 50

A fresh embedded store (SQLite in a temporary folder) with every declared index gets the people,
their profiles and their directory rows (``community.profiles.directory.rows_for``) in bulk,
past the search outbox. Timed, in-process, as a signed-in member of another organisation sees it
(privacy applied per field): the first page filtered by one competency and a minimum level, and
the tenth page of the same filter (the cursor walked from the first). Reported: median and 95th
percentile milliseconds, with the load average. Target: p95 under 30 ms, page 10 as fast as page 1.

People you may know (``community.network.suggestions``), on the same profiles: each person is
connected with about ``CONNECTIONS_EACH`` others (half of them colleagues, a tenth of the pairs a
request still waiting), and ``ACTIVE`` of them wrote the forums' posts (``THREADS_MADE`` threads of
``POSTS_EACH`` posts in one public category); location is shown to everyone by a third. Timed for
a different active member each run (so their connections, threads, organisation and state
are all signals). Target: p95 under 100 ms.

Direct messages (``--messages``, on by default): the real server in its own process
(``bench/realtime.py``'s, on a fresh store) with ``DM_PEOPLE`` people, paired in
``DM_PEOPLE / 2`` conversations started through the API between connected people; every person
holds a socket (raw Engine.IO 4 / Socket.IO 5, as ``realtime.py`` explains, spread over worker
processes) and has entered their conversation through the real ``messages:enter`` handler
(policy check included). Then ``--messages-sent`` times one side of a random conversation sends
a message through the API and the bench waits until the other side's socket has it
(``messages:new``); the time from just before the request to that arrival is reported as
median, p99 and worst. Target: p99 under 50 ms on one process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded import fresh_store, percentiles, timed  # noqa: E402  (bench/embedded.py, beside this file)
from rawsocket import client_processes, entered  # noqa: E402  (bench/rawsocket.py, beside this file)
from community.accounts.sessions import actor_for_user  # noqa: E402
from community.forums.queries import CATEGORIES, POSTS, THREADS  # noqa: E402
from community.network.queries import CONNECTIONS, pair_key  # noqa: E402
from community.network.suggestions import people_you_may_know  # noqa: E402
from community.policy import Actor, Role  # noqa: E402
from community.profiles.directory import DIRECTORY, Filters, rows_for, search  # noqa: E402
from community.profiles.verification import rule_from  # noqa: E402
from community.profiles.fields import LANGUAGES, STATES  # noqa: E402

CHUNK = 2000
PAGE = 20
CONNECTIONS_EACH = 8
ACTIVE = 20_000
THREADS_MADE = 20_000
POSTS_EACH = 6
DM_PEOPLE = 1000
DM_WORKERS = 2
CONNECT_CONCURRENCY = 50
STAMP = re.compile(r"bench-(\d+)-([0-9.]+)")


async def seed(db: Any, count: int, competencies: list[str], rng: random.Random) -> list[dict[str, Any]]:
    orgs = [ObjectId() for _ in range(50)]
    await db.organisations.insert_many([{"_id": org, "name": f"Ministry {n}"} for n, org in enumerate(orgs)])
    now = datetime.now(UTC)
    users: list[dict[str, Any]] = []
    for start in range(0, count, CHUNK):
        batch_users, batch_profiles, batch_rows = [], [], []
        for n in range(start, min(count, start + CHUNK)):
            user = {"_id": ObjectId(), "name": f"Member {rng.randrange(10**6):06d}", "email": f"m{n}@example.gov.in",
                    "email_verified": True, "mobile": None, "org_id": orgs[n % len(orgs)], "designation": "Under Secretary",
                    "roles": ["officer", "expert"] if n % 10 == 0 else ["officer"], "suspended_until": None,
                    "password_hash": "x", "created_at": now, "deleted": False, "language": None}
            held = rng.sample(competencies, 3)
            profile = {"_id": user["_id"], "state": rng.choice(STATES), "languages": rng.sample(LANGUAGES, 2),
                       "competencies": [{"competency_id": cid, "level": rng.randint(1, 5)} for cid in held],
                       "privacy": {"competencies": rng.choice(["everyone", "everyone", "organisation", "me"]),
                                   "location": rng.choice(["everyone", "organisation", "organisation"])}}
            batch_users.append(user)
            batch_profiles.append(profile)
            batch_rows += rows_for({**user, "name": user["name"]}, profile, {})  # type: ignore[arg-type]
        await db.users.insert_many(batch_users)
        await db.profiles.insert_many(batch_profiles)
        await db[DIRECTORY].insert_many(batch_rows)
        users += batch_users
    return users


async def seed_network(db: Any, users: list[dict[str, Any]], rng: random.Random) -> None:
    """Connections between the people (colleagues for half), and the forums' threads and posts by the active ones."""
    now = datetime.now(UTC)
    by_org: dict[ObjectId, list[ObjectId]] = {}
    for user in users:
        by_org.setdefault(user["org_id"], []).append(user["_id"])
    pairs: dict[str, dict[str, Any]] = {}
    for user in users:
        others = rng.sample(by_org[user["org_id"]], CONNECTIONS_EACH // 4) + [
            rng.choice(users)["_id"] for _ in range(CONNECTIONS_EACH // 4)]
        for other in others:
            if other != user["_id"]:
                pending = rng.random() < 0.1
                pairs[pair_key(user["_id"], other)] = {
                    "_id": pair_key(user["_id"], other), "a": user["_id"], "b": other,
                    "status": "pending" if pending else "accepted", "note": "",
                    "requested_at": datetime.fromtimestamp(now.timestamp() - rng.randrange(10**7), UTC),
                    "accepted_at": None if pending else now, "expires_at": None, "request_id": ObjectId()}
    rows = list(pairs.values())
    for start in range(0, len(rows), CHUNK * 5):
        await db[CONNECTIONS].insert_many(rows[start:start + CHUNK * 5])
    category = ObjectId()
    await db[CATEGORIES].insert_one({"_id": category, "name": "General", "slug": "general", "org_id": None,
                                     "parent_id": None, "position": 0, "moderators": []})
    active = [user["_id"] for user in users[:ACTIVE]]
    for start in range(0, THREADS_MADE, CHUNK):
        threads, posts = [], []
        for _ in range(start, min(THREADS_MADE, start + CHUNK)):
            thread_id = ObjectId()
            authors = rng.sample(active, POSTS_EACH)
            threads.append({"_id": thread_id, "category_id": category, "org_id": None, "author_id": authors[0],
                            "title": "A bench thread", "deleted": False, "hidden": False, "votes": 0,
                            "created_at": now, "last_activity_at": now})
            posts += [{"_id": ObjectId(), "thread_id": thread_id, "number": number, "author_id": author,
                       "body": "A bench post", "body_hash": "x", "deleted": False, "hidden": False,
                       "created_at": datetime.fromtimestamp(now.timestamp() - rng.randrange(10**7), UTC)}
                      for number, author in enumerate(authors, start=1)]
        await db[THREADS].insert_many(threads)
        await db[POSTS].insert_many(posts)


async def main(arguments: argparse.Namespace) -> None:
    async with fresh_store() as (settings, db):
        rule = rule_from(settings)
        competencies = [row["_id"] async for row in db.competencies.find({}, {"_id": 1}).limit(10)]
        started = time.perf_counter()
        users = await seed(db, arguments.people, competencies, random.Random(1))
        rows = await db[DIRECTORY].count_documents({})
        print(f"set-up: {arguments.people:,} profiles, {rows:,} directory rows in {time.perf_counter() - started:.1f} s")

        viewer = Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER}))
        wanted = Filters(competency=competencies[0], min_level=3)
        holders = await db[DIRECTORY].count_documents({"competency": competencies[0], "basis": "any"})
        print(f"filter: {competencies[0]} at level 3 or above ({holders:,} holders of it at any level)")

        async def first() -> None:
            cards, _next = await search(db, viewer, wanted, rule, limit=PAGE)
            assert len(cards) == PAGE

        cursor: str | None = None
        for _ in range(9):
            _cards, cursor = await search(db, viewer, wanted, rule, after=cursor, limit=PAGE)
            assert cursor is not None

        async def tenth() -> None:
            cards, _next = await search(db, viewer, wanted, rule, after=cursor, limit=PAGE)
            assert len(cards) == PAGE

        async def walk() -> None:
            after = None
            for _ in range(10):
                _cards, after = await search(db, viewer, wanted, rule, after=after, limit=PAGE)

        await first()
        print(f"page 1 ({PAGE} cards): {percentiles(await timed(arguments.runs, lambda _n: first()))}")
        print(f"page 10 ({PAGE} cards, from its cursor): {percentiles(await timed(arguments.runs, lambda _n: tenth()))}")
        print(f"pages 1-10 walked from the start: {percentiles(await timed(max(5, arguments.runs // 10), lambda _n: walk()))}")
        print(load_average())

        started = time.perf_counter()
        await seed_network(db, users, random.Random(2))
        print(f"set-up: {await db[CONNECTIONS].count_documents({}):,} connections and requests, {THREADS_MADE:,} threads, "
              f"{await db[POSTS].count_documents({}):,} posts in {time.perf_counter() - started:.1f} s")
        viewers = [actor_for_user(user) for user in users[:ACTIVE:ACTIVE // arguments.runs]]
        found = [len(await people_you_may_know(db, viewer)) for viewer in viewers[:10]]
        print(f"people you may know: {sum(found) / len(found):.1f} suggestions a person (of the first 10 timed)")

        async def suggestions(n: int) -> None:
            await people_you_may_know(db, viewers[n % len(viewers)])

        print(f"people you may know, one person: {percentiles(await timed(arguments.runs, suggestions))}")
        print(load_average())


async def seed_messages(data_dir: Path, people: int) -> list[tuple[ObjectId, str]]:
    """``people`` members in one organisation, each pair (0-1, 2-3, ...) connected, each with an
    API token, in a fresh store; returns (id, token) of each."""
    from community.accounts import sessions
    from community.app import declare_storage
    from community.config import load_settings
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    settings = load_settings({"DATA_DIR": str(data_dir)})
    declare_storage(settings)
    client = connect(settings.storage_url)
    db = client[settings.database_name]
    now = datetime.now(UTC)
    try:
        await ensure_indexes(db)
        org_id = ObjectId()
        await db.organisations.insert_one({"_id": org_id, "name": "Bench Ministry", "short_name": "BM",
                                           "kind": "ministry", "level": "central", "state": None, "parent_id": None,
                                           "path": []})
        users = [{"_id": ObjectId(), "name": f"Bench Officer {n}", "email": f"dm{n}@example.gov.in",
                  "email_verified": True, "org_id": org_id, "roles": ["officer"], "designation": "Under Secretary",
                  "suspended_until": None, "deleted": False, "created_at": now} for n in range(people)]
        await db.users.insert_many(users)
        await db[CONNECTIONS].insert_many([
            {"_id": pair_key(one["_id"], other["_id"]), "a": one["_id"], "b": other["_id"], "status": "accepted",
             "note": "", "requested_at": now, "accepted_at": now, "expires_at": None, "request_id": ObjectId()}
            for one, other in zip(users[0::2], users[1::2])])
        return [(user["_id"], await sessions.issue_api_token(db, user["_id"], label="bench")) for user in users]
    finally:
        await client.close()


def api_post(port: int, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())




async def dm_listen(ws: Any, me: str, conn: Any) -> None:
    """Tell the parent when a message someone else sent arrives: (round, seconds since its stamp)."""
    async for message in ws:
        if message == "2":
            await ws.send("3")
        elif message.startswith('42["messages:new"'):
            arrived = time.time()
            data = json.loads(message[2:])[1]["message"]
            stamp = STAMP.search(data["html"])
            if stamp and data["author_id"] != me:
                conn.send((int(stamp.group(1)), arrived - float(stamp.group(2))))


async def dm_worker_main(port: int, members: list[tuple[str, str, str]], conn: Any) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(person: str, token: str, conversation_id: str) -> Any:
        async with gate:
            return await entered(port, token, "messages:enter", {"conversation_id": conversation_id})

    sockets = await asyncio.gather(*(one(*member) for member in members))
    listeners = [asyncio.create_task(dm_listen(ws, member[0], conn)) for ws, member in zip(sockets, members)]
    conn.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def dm_worker(port: int, members: list[tuple[str, str, str]], conn: Any) -> None:
    asyncio.run(dm_worker_main(port, members, conn))


def measure_messages(people: int, sent: int) -> None:
    from realtime import percentile, start_server

    with tempfile.TemporaryDirectory(prefix="bench-network-dm-") as folder:
        data_dir = Path(folder)
        members = asyncio.run(seed_messages(data_dir, people))
        process, port = start_server(data_dir, None)
        try:
            started = time.perf_counter()
            conversations = []
            for (one, one_token), (other, other_token) in zip(members[0::2], members[1::2]):
                page = api_post(port, "/messages/conversations", one_token, {"to": [str(other)], "body": "Hello"})
                conversations.append((page["conversation"]["id"], (str(one), one_token), (str(other), other_token)))
            print(f"set-up: {people:,} people, {len(conversations):,} conversations started through the API in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            sockets = [(person, token, conversation_id) for conversation_id, *pair in conversations
                       for person, token in pair]
            pipes, workers, took = client_processes(
                dm_worker, [(port, sockets[index::DM_WORKERS]) for index in range(DM_WORKERS)], 300)
            print(f"{len(sockets):,} sockets connected and in their conversations in {took:.1f} s", flush=True)
            time.sleep(1)
            rng = random.Random(3)
            latencies = []
            for round_number in range(sent):
                conversation_id, *pair = rng.choice(conversations)
                (_sender, token), _other = rng.sample(pair, 2)
                api_post(port, f"/messages/conversations/{conversation_id}/messages", token,
                         {"body": f"bench-{round_number}-{time.time()!r}"})
                deadline = time.monotonic() + 30
                while True:
                    ready = multiprocessing.connection.wait(pipes, timeout=max(0.0, deadline - time.monotonic()))
                    if not ready:
                        raise SystemExit(f"message {round_number} was not delivered within 30 s")
                    heard, latency = next(pipe for pipe in pipes if pipe is ready[0]).recv()
                    if heard == round_number:
                        latencies.append(latency)
                        break
                time.sleep(0.02)
            for pipe in pipes:
                pipe.send("stop")
            for worker in workers:
                worker.join(30)
            print(f"direct message, send to delivery on the recipient's socket ({len(sockets):,} sockets in "
                  f"{len(conversations):,} conversations, one process): median "
                  f"{statistics.median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
                  f"worst {max(latencies) * 1000:.1f} ms ({len(latencies)} messages)", flush=True)
            print(load_average(), flush=True)
        finally:
            process.terminate()
            process.wait(30)


def load_average() -> str:
    return "load average (1, 5, 15 min): " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-profiles", action="store_true", help="skip the directory and people you may know")
    parser.add_argument("--no-messages", action="store_true", help="skip the direct messages")
    parser.add_argument("--messages-people", type=int, default=DM_PEOPLE)
    parser.add_argument("--messages-sent", type=int, default=300)
    arguments = parser.parse_args()
    if not arguments.no_profiles:
        asyncio.run(main(arguments))
    if not arguments.no_messages:
        measure_messages(arguments.messages_people, arguments.messages_sent)
