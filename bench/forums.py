"""Benchmark: forum thread pages (HTML and JSON) and replies posted per second, one server process.

    .venv/bin/python bench/forums.py                  # 1,000 threads, 50,000 replies, 15 s per run
    .venv/bin/python bench/forums.py --duration 30 --connections 50
    .venv/bin/python bench/forums.py --followers      # replies to a thread with 1,000 followers

A fresh embedded store (SQLite, in a temporary DATA_DIR) is filled with 200 members and the
forums demo generator (``community.forums.demo.fill_forums``): 1,000 threads sharing 50,000
replies, the first thread with exactly 100. Then ``run.py`` serves it as a separate process
(the real app, every feature and middleware on), and Debian's ``wrk`` loads it from another
process at 50 connections:

1. the first page of the 100-reply thread as HTML (``/forums/t/<id>``: 20 posts, signed out);
2. the same page as JSON (``/api/v1/forums/threads/<id>``);
3. replies posted through the API (``POST /api/v1/forums/threads/<id>/replies``, bearer token,
   unique bodies, spread over 50 threads) with the posting limits lifted through ``FORUM_*``
   variables, so the figure is the write path itself (validation, Markdown, duplicate check,
   transaction with the search outbox, live events), not the flood control.

Reported: requests per second, p50 and p99 latency, and non-2xx responses (which must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRK = "/usr/bin/wrk"
PEOPLE = 200


async def seed(data_dir: Path, threads: int, replies: int) -> dict[str, Any]:
    """Fill a fresh store; returns the big thread's id, thread ids to reply to, and a token."""
    from bson import ObjectId

    from community.accounts.sessions import issue_api_token
    from community.forums.demo import fill_forums
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    client = connect(f"sqlite:///{data_dir / 'community.db'}")
    db = client["community"]
    await ensure_indexes(db)
    orgs = [{"_id": ObjectId(), "name": f"Ministry {n}", "short_name": f"M{n}", "kind": "ministry", "level": "central",
             "state": None, "parent_id": None, "path": []} for n in range(3)]
    await db.organisations.insert_many(orgs)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    people = [{"_id": ObjectId(), "name": f"Officer {n}", "email": f"officer{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": orgs[n % 3]["_id"], "designation": "Under Secretary",
               "roles": ["officer", "moderator"] if n < 2 else ["officer"], "suspended_until": None,
               "password_hash": "!", "created_at": long_ago, "deleted": False} for n in range(PEOPLE)]
    await db.users.insert_many(people)
    started = time.perf_counter()
    filled = await fill_forums(db, random.Random(7), threads=threads, replies=replies, big_thread_replies=100)
    print(f"store filled in {time.perf_counter() - started:.1f} s: {await db.forum_threads.count_documents({})} threads, "
          f"{await db.forum_posts.count_documents({})} posts", flush=True)
    public = [row["_id"] async for row in db.forum_threads.find({"org_id": None}, {"_id": 1}, limit=50)]
    token = await issue_api_token(db, people[5]["_id"], label="bench")
    await client.close()
    return {"big": str(filled["big_thread_id"]), "targets": [str(i) for i in public], "token": token}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "FORUM_FLOOD_SECONDS": "0", "FORUM_POSTS_PER_HOUR": "100000000", "FORUM_NEW_MEMBER_DAYS": "0",
           "FORUM_NEW_MEMBER_MIN_POSTS": "0", "FORUM_DUPLICATE_WINDOW_SECONDS": "60"}
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py")], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("server exited: " + (server.stderr.read() if server.stderr else b"").decode())
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start within 60 s")


def _millis(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, connections: int, duration: int, script: Path | None = None) -> dict[str, float]:
    command = [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _millis(re.search(r"\s50%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _millis(re.search(r"\s99%\s+(\S+)", output).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    result["non_2xx"] = float(bad.group(1)) if bad else 0.0
    result["socket_errors"] = errors.group(1) if errors else "none"  # type: ignore[assignment]
    return result


REPLY_SCRIPT = """
local targets = {%(targets)s}
local counter = 0
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):sub(8), 16) %% 100000)
end
function request()
  counter = counter + 1
  local target = targets[math.random(#targets)]
  local body = '{"body": "Bench reply ' .. counter .. '-' .. math.random(1, 1000000000) .. ': we extended the bid period by a week and two more bidders came in."}'
  return wrk.format("POST", "/api/v1/forums/threads/" .. target .. "/replies",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}, body)
end
"""


FOLLOWERS = 1000
FOLLOWED_REPLIES = 20


async def seed_followed_thread(data_dir: Path) -> dict[str, Any]:
    """A thread followed by 1,000 members (``--followers``); returns its id and a replier's token."""
    from bson import ObjectId

    from community.accounts.sessions import issue_api_token
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    client = connect(f"sqlite:///{data_dir / 'community.db'}")
    db = client["community"]
    await ensure_indexes(db)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    people = [{"_id": ObjectId(), "name": f"Officer {n}", "email": f"officer{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": None, "roles": ["officer"], "suspended_until": None, "password_hash": "!",
               "created_at": long_ago, "deleted": False} for n in range(FOLLOWERS + 1)]
    await db.users.insert_many(people)
    category, thread = ObjectId(), ObjectId()
    await db.forum_categories.insert_one({"_id": category, "slug": "bench", "name": "Bench", "description": "",
                                          "parent_id": None, "path": [], "org_id": None, "moderator_ids": [],
                                          "competency_tags": [], "position": 0, "thread_count": 1, "post_count": 1,
                                          "last_activity_at": long_ago, "created_at": long_ago})
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
            while await notifications.count_documents({"kind": "reply", "count": n + 1}) < FOLLOWERS:
                await asyncio.sleep(0.005)
            deliveries.append(time.perf_counter() - answered)
    await client.close()
    latencies.sort()
    deliveries.sort()
    print(f"reply to a thread with {FOLLOWERS} followers ({FOLLOWED_REPLIES} replies): "
          f"p50 {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms; "
          f"all {FOLLOWERS} notifications stored within p50 {deliveries[len(deliveries) // 2]:.2f} s, "
          f"max {deliveries[-1]:.2f} s; load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)", flush=True)


def report(name: str, result: dict[str, Any]) -> None:
    print(f"{name:<44} {result['rps']:>9.0f} req/s   p50 {result['p50']:>7.2f} ms   p99 {result['p99']:>7.2f} ms   "
          f"non-2xx {int(result['non_2xx'])}   socket errors: {result['socket_errors']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")
    parser.add_argument("--followers", action="store_true",
                        help="only the case of replies to a thread with 1,000 followers (no wrk needed)")
    args = parser.parse_args()
    if args.followers:
        followers_main(args.keep)
        return
    if not Path(WRK).exists():
        raise SystemExit("bench/forums.py needs Debian's wrk: sudo apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="forums-bench-"))
    server = None
    try:
        seeded = asyncio.run(seed(data_dir, args.threads, args.replies))
        port = free_port()
        server = start_server(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        html_url = f"{base}/forums/t/{seeded['big']}"
        json_url = f"{base}/api/v1/forums/threads/{seeded['big']}"
        with urllib.request.urlopen(html_url) as response:
            page = response.read().decode()
        posts = page.count('<article class="post')
        print(f"thread page: {posts} posts on the first page, {len(page)} bytes of HTML", flush=True)
        if posts < 20:
            raise SystemExit("the benchmark page must show at least 20 posts")
        for url in (html_url, json_url):
            wrk(url, connections=args.connections, duration=3)
        print(f"wrk -t2 -c{args.connections} -d{args.duration}s, one server process (run.py), embedded store")
        report("thread page, HTML (20 posts)", wrk(html_url, connections=args.connections, duration=args.duration))
        report("thread page, JSON (20 posts)", wrk(json_url, connections=args.connections, duration=args.duration))
        script = data_dir / "reply.lua"
        script.write_text(REPLY_SCRIPT % {"targets": ", ".join(f'"{t}"' for t in seeded["targets"]),
                                          "token": seeded["token"]})
        report("replies posted (POST, API)", wrk(base, connections=args.connections, duration=args.duration,
                                                 script=script))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


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
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
