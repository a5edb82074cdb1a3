"""Benchmark: forum pages and every write path, on one server process, with CPU per request.

    .venv/bin/python bench/forums.py                          # every case, 10 s each, then 120 s sustained
    .venv/bin/python bench/forums.py --duration 5 --sustained 30 --slice 10
    .venv/bin/python bench/forums.py --only replies-1,replies-50 --sustained 0
    .venv/bin/python bench/forums.py --followers              # replies to a thread with 1,000 followers
    .venv/bin/python bench/forums.py --poll-votes             # votes on one poll, results pushed to watchers
    .venv/bin/python bench/forums.py --poll-votes --pin       # the same, the server on a core of its own
    .venv/bin/python bench/forums.py --poll-votes --poll-rate 200 --poll-seconds 5 --poll-watchers 100

A fresh embedded store (SQLite, in a temporary DATA_DIR) is filled with 200 members and the
forums demo generator (``community.forums.demo.fill_forums``): 1,000 threads sharing 50,000
replies, the first thread with exactly 100. Members 5-54 get API tokens (the "50 members"),
members 100-149 are experts, and members 5-54 declare a competency they can be endorsed for.
Then ``run.py`` serves it as a separate process (the real app, every feature and middleware
on, the search indexer in the same process) with the posting limits lifted through
``FORUM_*`` variables, so a write's figure is the write path itself, not the flood control.
Debian's ``wrk`` (``apt-get install wrk``) loads it from another process. The cases:

- ``html``: the first page of the 100-reply thread as HTML, signed out (30-second page cache);
- ``json``: the same page as JSON (``/api/v1/forums/threads/<id>``);
- ``html-signed-in``: the same page signed in (a session cookie: no page cache);
- ``replies-1``: replies through the API one at a time (1 connection, one member, 50 threads);
- ``replies-50``: replies at ``--connections`` connections, 50 members over 50 threads (every
  member in every thread, shuffled, so threads gather followers as a real forum's do);
- ``threads``: threads started through the API, 50 members over the public categories;
- ``votes``: upvotes (``PUT .../vote``) by 50 members on others' posts;
- ``accepts``: accepted answers changed by the askers of 50 question threads;
- ``profiles``: profile saves (``PUT /api/v1/profiles/me``) by 50 members;
- ``endorsements``: 50 experts endorsing the 50 members' declared competency;
- ``--poll-votes`` (alone): votes on one poll in a thread through ``PUT /api/v1/polls/<id>/vote``,
  sent open-loop at ``--poll-rate`` a second for ``--poll-seconds``, each by a different member
  (so every vote adds a voter), while ``--poll-watchers`` sockets sit in the thread's room. A vote
  counts as seen by a watcher at the first ``poll:results`` push that counts at least every vote
  answered by the time its own answer came (an upper bound on vote-to-update). Reported: votes a
  second answered, vote latency, p50/p99 vote-to-update over every (vote, watcher) pair, and the
  pushes each watcher heard (folded per poll into one per 50 ms window, not one per vote),
  the server's CPU per vote (its pushes included) and the cores the bench's own clients used.
  The watchers are raw sockets (bench/rawsocket.py) in two processes of their own, and the
  clients' garbage collector is kept out of the measured window: in one process with the
  voters, reading 500 sockets' pushes and collecting the seeding's objects, the bench's own
  pauses doubled the p99 it reported. ``--pin`` runs the server on the first core and the
  bench's clients on the others, as if they were other machines: on a 2-core machine the clients
  (about 0.6 of a core) otherwise take turns on the server's core and its loop falls behind;
- then a sustained run (``--sustained`` seconds, 0 for none) of 50-member replies, reported
  in slices of ``--slice`` seconds so a falling rate shows.

Before each write case the outboxes (``--outboxes``: the search outbox and the notification
intents by default, and any other collection named there that exists in the store) are waited
for until empty, so each case starts from a caught-up server; after it they are waited for
again, and the CPU the server process spent from the start of the case until they were empty
is divided by the requests: the cost of a write including its indexing and its notifications.

Each line reports requests per second, p50 and p99 latency, non-2xx responses (which must be
0), for replies and threads the writes stored (counted in the store: a request wrk gave up on
after its 5 s timeout is still done by the server), the server's CPU milliseconds per request
(per write stored, where counted) in the window (``cpu``) and including the
catch-up (``cpu+idx``), the notifications written per request, the 1-minute load average
before the run, and the WAL file's size before and after. On a shared machine the rates are noisy; the CPU per request much less so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRK = "/usr/bin/wrk"
PEOPLE = 200
MEMBERS = range(5, 55)
EXPERTS = range(100, 150)
COMPETENCY = "bench-competency"
READ_CASES = ("html", "json", "html-signed-in")
CASES = (*READ_CASES, "replies-1", "replies-50", "threads", "votes", "accepts", "profiles", "endorsements")
TICKS = os.sysconf("SC_CLK_TCK")
NOTIFICATIONS = "notifications"
"""Counted per write: a reply notifies its thread's followers (every earlier replier follows)."""
POSTS = "forum_posts"
STORED = {"replies-1": POSTS, "replies-50": POSTS, "threads": "forum_threads"}
"""The collection that grows by one document per write of a case, counted in the store."""


async def seed(data_dir: Path, threads: int, replies: int) -> dict[str, Any]:
    """Fill a fresh store; returns what the cases need: ids, tokens, and request lists."""
    from bson import ObjectId

    from community.accounts.sessions import issue_api_token, start_session
    from community.forums.demo import fill_forums
    from community.app import declare_storage
    from community.config import load_settings
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    declare_storage(load_settings({"DATA_DIR": str(data_dir)}))
    client = connect(f"sqlite:///{data_dir / 'community.db'}")
    db = client["community"]
    await ensure_indexes(db)
    orgs = [{"_id": ObjectId(), "name": f"Ministry {n}", "short_name": f"M{n}", "kind": "ministry", "level": "central",
             "state": None, "parent_id": None, "path": []} for n in range(3)]
    await db.organisations.insert_many(orgs)
    long_ago = datetime.now(UTC) - timedelta(days=400)

    def roles(n: int) -> list[str]:
        return ["officer", "moderator"] if n < 2 else ["officer", "expert"] if n in EXPERTS else ["officer"]

    people = [{"_id": ObjectId(), "name": f"Officer {n}", "email": f"officer{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": orgs[n % 3]["_id"], "designation": "Under Secretary",
               "roles": roles(n), "suspended_until": None,
               "password_hash": "!", "created_at": long_ago, "deleted": False} for n in range(PEOPLE)]
    await db.users.insert_many(people)
    # The members declare the competency at level 2; the experts hold it at level 5, so the
    # endorsement rule lets them endorse it (nobody endorses above their own level).
    await db.profiles.insert_many([{"_id": people[n]["_id"], "competencies": [{"competency_id": COMPETENCY, "level": 2}]}
                                   for n in MEMBERS]
                                  + [{"_id": people[n]["_id"], "competencies": [{"competency_id": COMPETENCY, "level": 5}]}
                                     for n in EXPERTS])
    started = time.perf_counter()
    filled = await fill_forums(db, random.Random(7), threads=threads, replies=replies, big_thread_replies=100)
    print(f"store filled in {time.perf_counter() - started:.1f} s: {await db.forum_threads.count_documents({})} threads, "
          f"{await db.forum_posts.count_documents({})} posts", flush=True)
    tokens = {people[n]["_id"]: await issue_api_token(db, people[n]["_id"], label="bench") for n in MEMBERS}
    experts = [await issue_api_token(db, people[n]["_id"], label="bench") for n in EXPERTS]
    members = list(tokens)
    public = [row async for row in db.forum_threads.find({"org_id": None}, {"_id": 1, "author_id": 1, "kind": 1,
                                                                             "last_number": 1})]
    categories = [row["slug"] async for row in db.forum_categories.find({"org_id": None}, {"slug": 1})]
    targets = [str(row["_id"]) for row in public[:50]]
    posts = [row async for row in db.forum_posts.find({"org_id": None, "number": {"$gt": 1}},
                                                       {"_id": 1, "author_id": 1}, limit=5000)]
    votes = [(tokens[member], str(post["_id"])) for post, member in zip(posts, members * 100)
             if post["author_id"] != member][:2000]
    asked = [row for row in public if row["kind"] == "question" and row["author_id"] in tokens and row["last_number"] >= 4]
    session = await start_session(db, people[5]["_id"], now=datetime.now(UTC), user_agent="bench")
    await client.close()
    return {
        "big": str(filled["big_thread_id"]), "targets": targets, "token": tokens[members[0]],
        "tokens": [tokens[m] for m in members], "experts": experts, "categories": categories, "votes": votes,
        "asked": [(tokens[row["author_id"]], str(row["_id"]), min(row["last_number"], 12)) for row in asked[:50]],
        "members": [str(m) for m in members], "session": session,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a server from :func:`start_server`: SIGTERM, then SIGKILL if it has not left in 15 s."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


SERVER_ENV = {"LOG_LEVEL": "WARNING", "FORUM_FLOOD_SECONDS": "0", "FORUM_POSTS_PER_HOUR": "100000000",
              "FORUM_NEW_MEMBER_DAYS": "0", "FORUM_NEW_MEMBER_MIN_POSTS": "0",
              "FORUM_DUPLICATE_WINDOW_SECONDS": "60", "OVERLOAD_MAX_IN_FLIGHT": "100000",
              "OVERLOAD_MAX_LAG_MS": "60000"}
"""The server's settings in every bench of the write paths: the forum's limits on one person's
posting lifted, and no load shedding (a bench measures how late the answers come, and a refusal
in a few microseconds would count as a fast answer; ``bench/overload.py`` measures shedding)."""


def start_server(data_dir: Path, port: int, cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
    """``run.py`` on DATA_DIR, with the bench's settings; on ``cpus`` only when given (every
    thread the server starts inherits them)."""
    env = {**os.environ, **SERVER_ENV, "DATA_DIR": str(data_dir), "PORT": str(port), "HOST": "127.0.0.1"}
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py")], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("server exited: " + (server.stderr.read() if server.stderr else b"").decode()) from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start within 60 s")


def cpu_seconds(pid: int) -> float:
    """User and system CPU of the process, all its threads (the SQLite and indexer threads too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Store:
    """Read-only looks at the server's SQLite file: WAL size and outbox backlogs."""

    def __init__(self, data_dir: Path, outboxes: list[str]) -> None:
        self.path = data_dir / "community.db"
        self.outboxes = outboxes

    def wal_mb(self) -> float:
        wal = Path(f"{self.path}-wal")
        return wal.stat().st_size / 2**20 if wal.exists() else 0.0

    def count(self, *names: str) -> int:
        """Documents in these collections (those that do not exist count 0)."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            total = 0
            for name in names:
                row = conn.execute("SELECT id FROM _collections WHERE db = 'community' AND name = ?", (name,)).fetchone()
                if row is not None:
                    total += conn.execute(f"SELECT count(*) FROM c{row[0]}").fetchone()[0]
            return total
        finally:
            conn.close()

    def pending(self) -> int:
        return self.count(*self.outboxes)

    def caught_up(self, timeout: float = 900) -> float:
        """Seconds until every outbox is empty."""
        started = time.monotonic()
        while self.pending():
            if time.monotonic() - started > timeout:
                raise SystemExit(f"the outboxes did not empty within {timeout:.0f} s")
            time.sleep(0.25)
        return time.monotonic() - started


def _millis(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, connections: int, duration: int, script: Path | None = None,
        headers: dict[str, str] | None = None, threads: int = 2) -> dict[str, Any]:
    command = [WRK, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _millis(re.search(r"\s50%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _millis(re.search(r"\s99%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    result["non_2xx"] = float(bad.group(1)) if bad else 0.0
    result["socket_errors"] = errors.group(1) if errors else "none"
    return result


SCRIPT = """
local items = {%(items)s}
local counter = 0
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):sub(8), 16) %% 100000)
end
function request()
  counter = counter + 1
  local item = items[(counter %% #items) + 1]
  local unique = counter .. '-' .. math.random(1, 1000000000)
  local body = nil
  if item[4] ~= "" then body = string.gsub(item[4], "{unique}", unique) end
  return wrk.format(item[1], item[2],
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. item[3]}, body)
end
"""
"""Each request takes the next item (method, path, token, body with ``{unique}`` for a unique text),
so consecutive requests come from different members."""


def lua(items: list[tuple[str, str, str, str]]) -> str:
    def quote(text: str) -> str:
        return "[==[" + text + "]==]"
    return SCRIPT % {"items": ", ".join("{" + ", ".join(quote(part) for part in item) + "}" for item in items)}


REPLY = json.dumps({"body": "Bench reply {unique}: we extended the bid period by a week and two more bidders came in."})


def write_cases(seeded: dict[str, Any]) -> dict[str, list[tuple[str, str, str, str]]]:
    api = "/api/v1"
    tokens, targets = seeded["tokens"], seeded["targets"]
    return {
        "replies-1": [("POST", f"{api}/forums/threads/{t}/replies", seeded["token"], REPLY) for t in targets],
        "replies-50": [("POST", f"{api}/forums/threads/{t}/replies", token, REPLY)
                       for token, t in _mixed(tokens, targets)],
        "threads": [("POST", f"{api}/forums/categories/{slug}/threads", token, json.dumps(
            {"title": "Bench thread {unique} on procurement",
             "body": "How do other ministries handle the bid period? Asked by the bench, {unique}."}))
                    for token, slug in zip(tokens, seeded["categories"] * 50)],
        "votes": [("PUT", f"{api}/forums/posts/{post}/vote", token, "") for token, post in seeded["votes"]],
        "accepts": [("PUT", f"{api}/forums/threads/{thread}/accepted", token, json.dumps({"number": number}))
                    for token, thread, last in seeded["asked"] for number in range(2, last)],
        "profiles": [("PUT", f"{api}/profiles/me", token, json.dumps(
            {"name": f"Officer {n}", "designation": "Deputy Secretary", "bio": "Saved by the bench, {unique}."}))
                     for n, token in zip(MEMBERS, tokens)],
        "endorsements": [("POST", f"{api}/profiles/{member}/endorsements", expert, json.dumps(
            {"competency_id": COMPETENCY, "level": level}))
                         for expert, member in zip(seeded["experts"], seeded["members"]) for level in (2, 3, 4)],
    }


def _mixed(tokens: list[str], targets: list[str]) -> list[tuple[str, str]]:
    """Every member with every thread, shuffled: as in a real forum, each member replies in many
    threads, so a thread gathers followers (each replier follows it) and notifications."""
    pairs = [(token, target) for token in tokens for target in targets]
    random.Random(11).shuffle(pairs)
    return pairs


def report(name: str, result: dict[str, Any], *, load: float, cpu: float, cpu_total: float | None,
           wal: tuple[float, float], catch_up: float | None = None, notified: int | None = None,
           stored: int | None = None) -> None:
    """Per-request figures are per write stored when that is known (``stored``): past wrk's
    timeout a request is not counted by wrk, but the server still does it."""
    requests = max(1.0, float(result["requests"] if stored is None else stored))
    kept = f"  stored {stored}" if stored is not None else ""
    total = f"  cpu+idx {cpu_total * 1000 / requests:6.1f} ms" if cpu_total is not None else ""
    caught = f"  caught up in {catch_up:5.1f} s" if catch_up is not None else ""
    told = f"  notifications/req {notified / requests:5.1f}" if notified is not None else ""
    print(f"{name:<30} {result['rps']:>8.0f} req/s  p50 {result['p50']:>7.2f} ms  p99 {result['p99']:>8.2f} ms  "
          f"non-2xx {int(result['non_2xx'])}{kept}  cpu {cpu * 1000 / requests:6.1f} ms{total}{caught}{told}  "
          f"load {load:4.2f}  WAL {wal[0]:6.1f} -> {wal[1]:6.1f} MB  socket errors: {result['socket_errors']}",
          flush=True)


def measure(name: str, run: Callable[[], dict[str, Any]], *, pid: int, store: Store, write: bool) -> None:
    if write:
        store.caught_up()
    load = os.getloadavg()[0]
    collection = STORED.get(name)
    wal_before, cpu_before, notes = store.wal_mb(), cpu_seconds(pid), store.count(NOTIFICATIONS)
    kept = store.count(collection) if collection else 0
    result = run()
    cpu = cpu_seconds(pid) - cpu_before
    catch_up = store.caught_up() if write else None
    cpu_total = cpu_seconds(pid) - cpu_before if write else None
    report(name, result, load=load, cpu=cpu, cpu_total=cpu_total, wal=(wal_before, store.wal_mb()), catch_up=catch_up,
           notified=store.count(NOTIFICATIONS) - notes if write else None,
           stored=store.count(collection) - kept if collection else None)


def sustained(base: str, script: Path, *, seconds: int, slice_seconds: int, connections: int, pid: int,
              store: Store) -> None:
    store.caught_up()
    print(f"sustained: 50-member replies at {connections} connections for {seconds} s, in {slice_seconds} s slices")
    started, cpu_before, wal_before = time.monotonic(), cpu_seconds(pid), store.wal_mb()
    posts_before = store.count(POSTS)
    elapsed = 0
    while elapsed < seconds:
        length = min(slice_seconds, seconds - elapsed)
        load, cpu_slice = os.getloadavg()[0], cpu_seconds(pid)
        wal_slice, notes, posts = store.wal_mb(), store.count(NOTIFICATIONS), store.count(POSTS)
        result = wrk(base, connections=connections, duration=length, script=script)
        elapsed += length
        stored = store.count(POSTS) - posts
        report(f"  slice to {elapsed:>4} s", result, load=load, cpu=cpu_seconds(pid) - cpu_slice, cpu_total=None,
               wal=(wal_slice, store.wal_mb()), notified=store.count(NOTIFICATIONS) - notes, stored=stored)
    replies = store.count(POSTS) - posts_before
    backlog = store.pending()
    writing = time.monotonic() - started
    catch_up = store.caught_up()
    total = time.monotonic() - started
    cpu = cpu_seconds(pid) - cpu_before
    print(f"  {replies} replies stored in {writing:.0f} s ({replies / writing:.0f}/s); outbox backlog {backlog} at the end, "
          f"empty {catch_up:.1f} s later: {replies / total:.0f} replies/s including indexing, "
          f"{cpu * 1000 / max(1.0, replies):.1f} ms CPU per reply; WAL {wal_before:.1f} -> {store.wal_mb():.1f} MB; "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
FOLLOWERS = 1000
FOLLOWED_REPLIES = 20


async def seed_members_and_category(data_dir: Path, members: int, *,
                                    threads: int) -> tuple[Any, Any, list[dict[str, Any]], Any]:
    """A fresh store with ``members`` officers and one public category counting ``threads``
    threads (of one post each): the client, the database, the people and the category's id."""
    from bson import ObjectId

    from community.app import declare_storage
    from community.config import load_settings
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    declare_storage(load_settings({"DATA_DIR": str(data_dir)}))
    client = connect(f"sqlite:///{data_dir / 'community.db'}")
    db = client["community"]
    await ensure_indexes(db)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    people = [{"_id": ObjectId(), "name": f"Officer {n}", "email": f"officer{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": None, "roles": ["officer"], "suspended_until": None, "password_hash": "!",
               "created_at": long_ago, "deleted": False} for n in range(members)]
    await db.users.insert_many(people)
    category = ObjectId()
    await db.forum_categories.insert_one({"_id": category, "slug": "bench", "name": "Bench", "description": "",
                                          "parent_id": None, "path": [], "org_id": None, "moderator_ids": [],
                                          "competency_tags": [], "position": 0, "thread_count": threads,
                                          "post_count": threads, "last_activity_at": long_ago, "created_at": long_ago})
    return client, db, people, category


async def seed_followed_thread(data_dir: Path) -> dict[str, Any]:
    """A thread followed by 1,000 members (``--followers``); returns its id and a replier's token."""
    from bson import ObjectId

    from community.accounts.sessions import issue_api_token

    client, db, people, category = await seed_members_and_category(data_dir, FOLLOWERS + 1, threads=1)
    long_ago = people[0]["created_at"]
    thread = ObjectId()
    await db.forum_threads.insert_one({
        "_id": thread, "category_id": category, "org_id": None, "author_id": people[0]["_id"], "title": "Followed",
        "kind": "discussion", "tags": [], "competency_tags": [], "first_post_id": ObjectId(), "created_at": long_ago,
        "last_activity_at": long_ago, "last_poster_id": people[0]["_id"], "last_number": 1, "reply_count": 0,
        "votes": 0, "accepted_post_id": None, "pinned": False, "locked": False, "hidden": False, "deleted": False,
        "version": 0})
    await db.forum_follows.insert_many([{"_id": f"{p['_id']}|thread|{thread}", "user_id": p["_id"],
                                         "target_type": "thread", "target_id": thread, "at": long_ago}
                                        for p in people[1:]])
    token = await issue_api_token(db, people[0]["_id"], label="bench")
    await client.close()
    return {"thread": str(thread), "token": token}


async def followed_replies(data_dir: Path, base: str, seeded: dict[str, Any]) -> None:
    """Replies, one at a time, to the thread with 1,000 followers: each reply's latency, and the
    time from its answer until all 1,000 of its notifications are stored (read from the store)."""
    import aiohttp

    from community.storage import connect

    client = connect(f"sqlite:///{data_dir / 'community.db'}")
    notifications = client["community"]["notifications"]
    latencies, deliveries = [], []
    async with aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {seeded['token']}"}) as http:
        for n in range(FOLLOWED_REPLIES):
            started = time.perf_counter()
            async with http.post(f"/api/v1/forums/threads/{seeded['thread']}/replies",
                                 json={"body": f"Followed reply {n}: the bid period was extended."}) as response:
                assert response.status == 201, await response.text()
            answered = time.perf_counter()
            latencies.append((answered - started) * 1000)
            while await notifications.count_documents({"kind": "reply", "count": n + 1}) < FOLLOWERS:  # noqa: ASYNC110 (another process's writes: nothing here to wait on)
                await asyncio.sleep(0.005)
            deliveries.append(time.perf_counter() - answered)
    await client.close()
    latencies.sort()
    deliveries.sort()
    print(f"reply to a thread with {FOLLOWERS} followers ({FOLLOWED_REPLIES} replies): "
          f"p50 {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms; "
          f"all {FOLLOWERS} notifications stored within p50 {deliveries[len(deliveries) // 2]:.2f} s, "
          f"max {deliveries[-1]:.2f} s; load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)", flush=True)


async def seed_poll_voters(data_dir: Path, voters: int) -> dict[str, Any]:
    """``voters`` + 1 members with API tokens and one public category (``--poll-votes``)."""
    from community.accounts.sessions import issue_api_token

    client, db, people, _category = await seed_members_and_category(data_dir, voters + 1, threads=0)
    tokens = [await issue_api_token(db, person["_id"], label="bench") for person in people]
    await client.close()
    return {"author": tokens[0], "voters": tokens[1:]}


VOTERS_FIELD = re.compile(r'"voters":\s*(\d+)')
WATCHER_PROCESSES = 2
"""Processes the watching sockets are spread over: one Python client reading 500 sockets' pushes
and parsing each would be a bottleneck of the bench itself, not of the server."""


async def _watchers_main(port: int, count: int, token: str, room: str, conn: Any) -> None:
    """``count`` raw sockets in ``room`` (bench/rawsocket.py's clients), each noting when every
    ``poll:results`` push arrived and how many voters it counted; sent to the parent once it
    says stop. ``time.perf_counter`` is the system's monotonic clock, shared by the processes."""
    import gc

    import websockets

    from rawsocket import entered

    gate = asyncio.Semaphore(50)

    async def one() -> Any:
        async with gate:
            return await entered(port, token, "join", {"room": room}, deflate=False)

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    heard: list[list[tuple[float, int]]] = [[] for _ in sockets]

    async def listen(ws: Any, arrivals: list[tuple[float, int]]) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in ws:
                if message == "2":
                    await ws.send("3")
                elif message.startswith('42["poll:results"'):
                    found = VOTERS_FIELD.search(message)
                    arrivals.append((time.perf_counter(), int(found.group(1)) if found else 0))

    listeners = [asyncio.create_task(listen(ws, arrivals)) for ws, arrivals in zip(sockets, heard, strict=True)]
    gc.collect()
    gc.freeze()
    gc.disable()  # the bench's own pauses would count as the server's latency
    conn.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    await asyncio.gather(*listeners, return_exceptions=True)
    conn.send(heard)


def _watchers(*args: Any) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    asyncio.run(_watchers_main(*args))


async def _votes(port: int, seeded: dict[str, Any], room: str, poll_id: str, rate: int,
                 seconds: int) -> tuple[list[tuple[float, float, int]], int, float]:
    """``rate * seconds`` votes, open loop, each by the next voter: (sent, answered, answers by
    then) for each answered vote, the refused count and the seconds the votes took."""
    import gc

    import aiohttp

    total = rate * seconds
    votes: list[tuple[float, float, int]] = []
    failures = 0
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", connector=aiohttp.TCPConnector(limit=200)) as http:
        async def one(n: int) -> None:
            nonlocal failures
            sent = time.perf_counter()
            async with http.put(f"/api/v1/polls/{poll_id}/vote", json={"choices": [n % 3]},
                                headers={"Authorization": f"Bearer {seeded['voters'][n]}"}) as response:
                await response.read()
                ok = response.status == 200
            done = time.perf_counter()
            if not ok:
                failures += 1
                return
            votes.append((sent, done, len(votes) + 1))

        gc.collect()
        gc.freeze()  # the seeding's objects: a full collection of them would pause the client for tens of ms
        started = time.perf_counter()
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - started
        gc.unfreeze()
    return votes, failures, took


async def _poll_subject(port: int, seeded: dict[str, Any]) -> tuple[str, str]:
    import aiohttp

    author = {"Authorization": f"Bearer {seeded['author']}"}
    body = "Which day suits the review?\n\n[poll name=day]\n- Monday\n- Wednesday\n- Friday\n[/poll]\n"
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        async with http.post("/api/v1/forums/categories/bench/threads", headers=author,
                             json={"title": "Poll bench", "kind": "discussion", "body": body}) as made:
            assert made.status == 201, await made.text()
            page = await made.json()
        async with http.get("/api/v1/polls", params={"subject_type": "forum_post",
                                                     "subject_id": page["posts"][0]["id"]}) as found:
            return f"thread:{page['thread']['id']}", (await found.json())["items"][0]["id"]


def poll_votes(port: int, pid: int, seeded: dict[str, Any], *, rate: int, seconds: int, watchers: int,
               pinned: str) -> None:
    import bisect

    from rawsocket import client_processes

    room, poll_id = asyncio.run(_poll_subject(port, seeded))
    shares = [watchers // WATCHER_PROCESSES + (1 if n < watchers % WATCHER_PROCESSES else 0)
              for n in range(WATCHER_PROCESSES)]
    pipes, processes, _connected = client_processes(_watchers, [(port, count, seeded["author"], room)
                                                                for count in shares if count], 300)
    time.sleep(1)
    load = os.getloadavg()[0]
    cpu_before = cpu_seconds(pid)
    clients_before = [cpu_seconds(process.pid) for process in processes] + [time.process_time()]
    votes, failures, took = asyncio.run(_votes(port, seeded, room, poll_id, rate, seconds))
    cpu = (cpu_seconds(pid) - cpu_before) * 1000 / max(len(votes), 1)
    clients = [cpu_seconds(process.pid) for process in processes] + [time.process_time()]
    clients_cpu = sum(after - before for before, after in zip(clients_before, clients, strict=True)) / took
    time.sleep(1)
    heard: list[list[tuple[float, int]]] = []
    for pipe in pipes:
        pipe.send("stop")
    for pipe in pipes:
        heard += pipe.recv()
    for process in processes:
        process.join(30)
    latencies = sorted((done - sent) * 1000 for sent, done, _ in votes)
    updates: list[float] = []
    for arrivals in heard:
        times = [at for at, _voters in arrivals]
        counts = [voters for _at, voters in arrivals]
        for sent, done, needed in votes:
            index = next((i for i in range(bisect.bisect_left(times, done), len(arrivals)) if counts[i] >= needed), None)
            if index is not None:
                updates.append((times[index] - sent) * 1000)
    updates.sort()
    unseen = len(votes) * watchers - len(updates)
    pushes = sum(len(h) for h in heard) / max(watchers, 1)
    print(f"poll votes: {len(votes)} votes in {took:.1f} s = {len(votes) / took:.0f}/s "
          f"(asked {rate}/s), {failures} refused; vote p50 {percentile(latencies, 0.5):.1f} ms, "
          f"p99 {percentile(latencies, 0.99):.1f} ms; vote-to-update over {watchers} watching sockets "
          f"p50 {percentile(updates, 0.5):.1f} ms, p99 {percentile(updates, 0.99):.1f} ms ({unseen} never seen); "
          f"{pushes:.0f} pushes per watcher ({pushes / took:.1f}/s); server cpu {cpu:.1f} ms per vote; "
          f"the bench's clients {clients_cpu:.2f} cores{pinned}; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else float("nan")


def poll_votes_main(rate: int, seconds: int, watchers: int, keep: bool, pin: bool) -> None:
    cores = sorted(os.sched_getaffinity(0))
    if pin and len(cores) < 2:
        raise SystemExit("--pin needs two cores or more")
    data_dir = Path(tempfile.mkdtemp(prefix="forums-poll-bench-"))
    server = None
    try:
        seeded = asyncio.run(seed_poll_voters(data_dir, rate * seconds))
        port = free_port()
        server = start_server(data_dir, port, {cores[0]} if pin else None)
        if pin:
            os.sched_setaffinity(0, set(cores[1:]))  # this process and the watchers it starts
        pinned = f" (server on core {cores[0]}, clients on {', '.join(map(str, cores[1:]))})" if pin else ""
        poll_votes(port, server.pid, seeded, rate=rate, seconds=seconds, watchers=watchers, pinned=pinned)
    finally:
        if server is not None:
            stop_server(server)
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--sustained", type=int, default=120, help="seconds of the sustained reply run (0: none)")
    parser.add_argument("--slice", type=int, default=15, help="seconds per reported slice of the sustained run")
    parser.add_argument("--only", default=",".join(CASES), help=f"comma-separated cases out of {', '.join(CASES)}")
    parser.add_argument("--outboxes", default="search_outbox,notification_intents",
                        help="comma-separated collections a write is not finished until empty (those absent are skipped)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")
    parser.add_argument("--followers", action="store_true",
                        help="only the case of replies to a thread with 1,000 followers (no wrk needed)")
    parser.add_argument("--poll-votes", action="store_true",
                        help="only the case of votes on one poll with results pushed live (no wrk needed)")
    parser.add_argument("--poll-rate", type=int, default=500, help="votes a second asked for (--poll-votes)")
    parser.add_argument("--poll-seconds", type=int, default=10, help="seconds of voting (--poll-votes)")
    parser.add_argument("--poll-watchers", type=int, default=500, help="sockets watching the thread (--poll-votes)")
    parser.add_argument("--pin", action="store_true",
                        help="the server on the first core, the bench's clients on the others (--poll-votes)")
    args = parser.parse_args()
    wanted = [case for case in args.only.split(",") if case]
    unknown = set(wanted) - set(CASES)
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
    if args.followers:
        followers_main(args.keep)
        return
    if args.poll_votes:
        poll_votes_main(args.poll_rate, args.poll_seconds, args.poll_watchers, args.keep, args.pin)
        return
    if not Path(WRK).exists():
        raise SystemExit("bench/forums.py needs Debian's wrk: sudo apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="forums-bench-"))
    server = None
    try:
        seeded = asyncio.run(seed(data_dir, args.threads, args.replies))
        port = free_port()
        server = start_server(data_dir, port)
        store = Store(data_dir, [name for name in args.outboxes.split(",") if name])
        base = f"http://127.0.0.1:{port}"
        html_url = f"{base}/forums/t/{seeded['big']}"
        json_url = f"{base}/api/v1/forums/threads/{seeded['big']}"
        signed_in = {"Cookie": f"session={seeded['session']}"}
        with urllib.request.urlopen(html_url) as response:
            page = response.read().decode()
        posts = page.count('<article class="post')
        print(f"thread page: {posts} posts on the first page, {len(page)} bytes of HTML", flush=True)
        if posts < 20:
            raise SystemExit("the benchmark page must show at least 20 posts")
        for url in (html_url, json_url):
            wrk(url, connections=args.connections, duration=3)
        print(f"wrk -c{args.connections} -d{args.duration}s (replies-1: -c1), one server process (run.py), "
              f"embedded store; cpu = server CPU per request, cpu+idx = until the outboxes {args.outboxes} are empty")
        pid = server.pid
        reads = {"html": (html_url, None), "json": (json_url, None), "html-signed-in": (html_url, signed_in)}
        scripts = {}
        for case, items in write_cases(seeded).items():
            scripts[case] = data_dir / f"{case}.lua"
            scripts[case].write_text(lua(items))
        for case in wanted:
            if case in reads:
                url, headers = reads[case]
                measure(case, lambda url=url, headers=headers: wrk(url, connections=args.connections,
                                                                   duration=args.duration, headers=headers),
                        pid=pid, store=store, write=False)
            else:
                connections = 1 if case == "replies-1" else args.connections
                measure(case, lambda case=case, connections=connections: wrk(
                    base, connections=connections, duration=args.duration, script=scripts[case]),
                        pid=pid, store=store, write=True)
        if args.sustained:
            sustained(base, scripts["replies-50"], seconds=args.sustained, slice_seconds=args.slice,
                      connections=args.connections, pid=pid, store=store)
        print(f"server resident memory: {_rss_mib(pid):.0f} MiB")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
def followers_main(keep: bool) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="forums-followers-bench-"))
    server = None
    try:
        seeded = asyncio.run(seed_followed_thread(data_dir))
        port = free_port()
        server = start_server(data_dir, port)
        asyncio.run(followed_replies(data_dir, f"http://127.0.0.1:{port}", seeded))
    finally:
        if server is not None:
            stop_server(server)
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
