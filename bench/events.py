"""Benchmark: a live room (``community.rooms``): a chat message reaching every attendee, and
question upvotes at a sustained rate with every attendee hearing each new count.

    .venv/bin/python bench/events.py                                   # the issue's four figures
    .venv/bin/python bench/events.py --sizes 1000 --modes single --rounds 10 --vote-seconds 5

Servers, stores and clients are those of ``bench/realtime.py`` (the real app in its own
process, raw Engine.IO/Socket.IO WebSocket clients spread over worker processes), with a room
subject kind "bench" registered in the server process only: everyone signed in may enter, the
room is open, the first seeded person hosts. Every client enters through the real
``room:enter`` handler (subject resolver, policy, presence, attendance). The listening sockets
all sign in as one person (seeding thousands of accounts would measure the seeding), so
presence counts one attendee and attendance writes one span; delivery is per socket and is
what is measured.

Chat: ``--rounds`` times a different seeded speaker posts a message through the rooms API
(``POST /api/v1/rooms/bench/<id>/messages``: validation, policy, rate limit, transaction,
then the ``room:message`` emit); the message carries the wall-clock time it was sent, each
client records when it arrived. The next round starts once every client has the message.

Upvotes: ``--vote-rate`` upvotes a second for ``--vote-seconds`` seconds, each by its own
seeded person through ``POST .../questions/<id>/upvote``, spread over five questions. Each
answer gives the question's new count; pushes are folded (``community.rooms.live``: at most one
``room:votes`` a tenth of a second, with every changed question's latest count), so a client
learns a count when the push carrying it or a higher one arrives, and that is when it is
counted as heard. Each client keeps the questions in order of their counts; the bench checks
that every client learned every count and ends with the server's counts.

Printed with the load average beside every figure (the machine is shared), and the CPU the
server and the client processes spent per chat message (and the server per upvote): the clients share the machine's cores
with the server, so their part bounds what the wall-clock figures can show.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realtime as rt  # noqa: E402 - bench/realtime.py, beside this file
from rawsocket import client_processes, entered  # noqa: E402 - bench/rawsocket.py, beside this file
import websockets  # noqa: E402

KIND = "bench"
QUESTIONS = 5
CONNECT_CONCURRENCY = 100


# --- the server process --------------------------------------------------------------------


def serve() -> None:
    """The real application, with the bench's room subject registered (in this process only)."""
    import logging
    from datetime import UTC, datetime, timedelta

    from aiohttp import web
    from bson import ObjectId

    from community.app import create_app
    from community.config import load_settings
    from community.rooms import subjects
    from community.rooms.subjects import RoomAccess
    from community.runtime import new_event_loop, tune_for_serving

    host_id = ObjectId(os.environ["BENCH_HOST_ID"])
    opened = datetime.now(UTC)

    async def resolve(db: Any, actor: Any, subject_id: ObjectId) -> RoomAccess:
        return RoomAccess(kind=KIND, subject_id=subject_id, title="Bench session", url="/", starts_at=opened,
                          ends_at=opened + timedelta(hours=1), can_enter=actor.is_authenticated,
                          is_host=actor.user_id == host_id, is_open=True, can_read_after=True)

    subjects.register(KIND, resolve)
    logging.basicConfig(level=logging.WARNING)
    settings = load_settings()
    app = create_app(settings)
    tune_for_serving(app)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None, backlog=4096,
                loop=new_event_loop())


async def seed(data_dir: Path, people: int) -> tuple[str, list[str], str]:
    """The host (also every listening socket's person) and ``people`` more, each with a token."""
    from datetime import UTC, datetime

    from bson import ObjectId

    from community.accounts import sessions
    from community.app import declare_storage
    from community.config import load_settings
    from community.storage import connect
    from community.storage.indexes import ensure_indexes

    settings = load_settings({"DATA_DIR": str(data_dir)})
    declare_storage(settings)
    client = connect(settings.storage_url)
    db = client[settings.database_name]
    try:
        await ensure_indexes(db)
        org_id = ObjectId()
        await db.organisations.insert_one({"_id": org_id, "name": "Bench Ministry", "short_name": "BM",
                                           "kind": "ministry", "level": "central", "state": None, "parent_id": None,
                                           "path": []})
        ids = [ObjectId() for _ in range(people + 1)]
        await db.users.insert_many([{"_id": user_id, "name": f"Bench Officer {n}", "email": f"bench{n}@example.gov.in",
                                     "email_verified": True, "org_id": org_id, "roles": ["officer"],
                                     "suspended_until": None, "deleted": False, "created_at": datetime.now(UTC)}
                                    for n, user_id in enumerate(ids)])
        tokens = [await sessions.issue_api_token(db, user_id, label="bench") for user_id in ids]
    finally:
        await client.close()
    return tokens[0], tokens[1:], str(ids[0])


# --- the clients ----------------------------------------------------------------------------




class Tally:
    def __init__(self, sockets: int, conn: Any) -> None:
        self.sockets = sockets
        self.conn = conn
        self.chat: list[tuple[int, float]] = []
        self.per_round: dict[int, int] = {}
        self.votes: list[tuple[str, int, float]] = []

    def heard_chat(self, round_number: int, latency: float) -> None:
        self.chat.append((round_number, latency))
        self.per_round[round_number] = self.per_round.get(round_number, 0) + 1
        if self.per_round[round_number] == self.sockets:
            self.conn.send(("done", round_number))


async def listen(ws: Any, rounds: int, votes: int, tally: Tally) -> dict[str, int]:
    """Chat rounds, then vote counts: this client's own order of the questions follows every count."""
    counts: dict[str, int] = {}
    with contextlib.suppress(websockets.ConnectionClosed):
        await _listen(ws, rounds, votes, tally, counts)
    return counts


async def _listen(ws: Any, rounds: int, votes: int, tally: Tally, counts: dict[str, int]) -> None:
    chats = heard_votes = 0
    async for message in ws:
        if message == "2":
            await ws.send("3")
        elif message.startswith('42["room:message"'):
            now = time.time()
            round_number, t0 = json.loads(message[2:])[1]["message"]["body"].split()
            tally.heard_chat(int(round_number), now - float(t0))
            chats += 1
        elif message.startswith('42["room:votes"'):
            now = time.time()
            for change in json.loads(message[2:])[1]["votes"]:
                for count in range(counts.get(change["id"], 0) + 1, change["votes"] + 1):
                    tally.votes.append((change["id"], count, now))  # each count this push made known
                    heard_votes += 1
                counts[change["id"]] = max(counts.get(change["id"], 0), change["votes"])
            sorted(counts, key=lambda key: -counts[key])  # what the page's script does on each push
        if chats >= rounds and heard_votes >= votes:
            return


async def worker_main(port: int, count: int, token: str, subject_id: str, rounds: int, votes: int, conn: Any) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    tally = Tally(count, conn)
    listeners: list[asyncio.Task[dict[str, int]]] = []

    async def one() -> Any:
        async with gate:
            ws = await entered(port, token, "room:enter", {"kind": KIND, "subject_id": subject_id}, open_timeout=120)
        listeners.append(asyncio.create_task(listen(ws, rounds, votes, tally)))
        return ws

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    conn.send("ready")
    loop = asyncio.get_running_loop()
    final = await loop.run_in_executor(None, conn.recv)  # the server's final counts, after the votes
    await asyncio.wait(listeners, timeout=30)
    orders_ok = sum(1 for task in listeners if task.done() and not task.exception() and task.result() == final)
    conn.send((tally.chat, tally.votes, orders_ok))
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def worker(*args: Any) -> None:
    asyncio.run(worker_main(*args))


# --- the load -------------------------------------------------------------------------------


async def post(session: Any, url: str, token: str, body: Any = None) -> dict[str, Any]:
    async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as response:
        data = await response.json()
        if response.status >= 300:
            raise SystemExit(f"{url}: {response.status} {data}")
        return data


async def chat_round(base: str, token: str, round_number: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        await post(session, base + "/messages", token, {"body": f"{round_number} {time.time()!r}"})


async def ask_questions(base: str, tokens: list[str]) -> list[str]:
    """One question from each of ``tokens`` (a person may ask five a minute)."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        return [(await post(session, base + "/questions", token, {"body": f"Bench question {n}"}))["question"]["id"]
                for n, token in enumerate(tokens)]


async def vote_load(base: str, tokens: list[str], questions: list[str], rate: int) -> tuple[dict[tuple[str, int], float],
                                                                                          float]:
    """Each token upvotes one question, started at ``rate`` a second; when each count was sent."""
    import aiohttp

    sent: dict[tuple[str, int], float] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        async def one(index: int, token: str) -> None:
            question = questions[index % len(questions)]
            started = time.time()
            answer = await post(session, f"{base}/questions/{question}/upvote", token)
            sent[(question, answer["question"]["votes"])] = started

        begun = time.monotonic()
        tasks = []
        for index, token in enumerate(tokens):
            await asyncio.sleep(max(0.0, begun + index / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(index, token)))
        await asyncio.gather(*tasks)
        took = time.monotonic() - begun
    return sent, len(tokens) / took


def measure(ports: list[int], tokens: tuple[str, list[str]], subject_id: str, n: int, rounds: int, vote_rate: int,
            vote_seconds: float, pids: list[int]) -> dict[str, Any]:
    import urllib.request

    host_token, people = tokens
    votes = int(vote_rate * vote_seconds)
    speakers, askers = people[:rounds], people[rounds:rounds + QUESTIONS]
    voters = people[rounds + QUESTIONS:rounds + QUESTIONS + votes]
    base = f"http://127.0.0.1:{ports[0]}/api/v1/rooms/{KIND}/{subject_id}"
    questions = asyncio.run(ask_questions(base, askers))
    workers = max(1, min(4, n // 1000))
    pipes, processes, connect_seconds = client_processes(worker, [
        (ports[index % len(ports)], n // workers + (1 if index < n % workers else 0), host_token, subject_id, rounds,
         votes) for index in range(workers)], 600)
    time.sleep(1.5)
    client_pids = [process.pid for process in processes]
    cpu_before, clients_before = rt.cpu_seconds(pids), rt.cpu_seconds(client_pids)
    load_chat = os.getloadavg()[0]
    for round_number in range(rounds):
        asyncio.run(chat_round(base, speakers[round_number], round_number))
        for pipe in pipes:
            if not pipe.poll(60):
                raise SystemExit(f"chat round {round_number} did not reach every client within 60 s")
            assert pipe.recv() == ("done", round_number)
        time.sleep(0.2)
    chat_cpu = (rt.cpu_seconds(pids) - cpu_before) / rounds
    clients_cpu = (rt.cpu_seconds(client_pids) - clients_before) / rounds
    cpu_before = rt.cpu_seconds(pids)
    sent, achieved = asyncio.run(vote_load(base, voters, questions, vote_rate)) if votes else ({}, 0.0)
    vote_cpu = (rt.cpu_seconds(pids) - cpu_before) / max(1, votes)
    load_votes = os.getloadavg()[0]
    request = urllib.request.Request(base, headers={"Authorization": f"Bearer {host_token}"})
    final = {q["id"]: q["votes"] for q in json.loads(urllib.request.urlopen(request, timeout=30).read())["questions"]
             if q["votes"]}
    for pipe in pipes:
        pipe.send(final)
    chat: list[tuple[int, float]] = []
    heard: list[tuple[str, int, float]] = []
    orders_ok = 0
    for pipe in pipes:
        got_chat, got_votes, got_orders = pipe.recv()
        chat += got_chat
        heard += got_votes
        orders_ok += got_orders
    for process in processes:
        process.join(30)
    vote_latency = [at - sent[(question, count)] for question, count, at in heard if (question, count) in sent]
    chat_latency = [latency for _round, latency in chat]
    return {
        "n": n, "connect_s": connect_seconds, "rounds": rounds, "chat_lost": rounds * n - len(chat),
        "chat_p50": 1000 * rt.percentile(chat_latency, 0.5), "chat_p99": 1000 * rt.percentile(chat_latency, 0.99),
        "chat_cpu_ms": 1000 * chat_cpu, "clients_cpu_ms": 1000 * clients_cpu, "load_chat": load_chat,
        "votes": votes, "vote_rate": achieved, "vote_lost": votes * n - len(heard),
        "vote_p50": 1000 * rt.percentile(vote_latency, 0.5) if vote_latency else 0.0,
        "vote_p99": 1000 * rt.percentile(vote_latency, 0.99) if vote_latency else 0.0,
        "orders_ok": orders_ok, "vote_cpu_ms": 1000 * vote_cpu, "load_votes": load_votes,
    }


def run_mode(mode: str, sizes: list[int], rounds: int, vote_rate: int, vote_seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-events-") as folder:
        base = Path(folder)
        redis = rt.start_redis(base) if mode == "redis" else None
        servers = []
        try:
            per_size = rounds + QUESTIONS + int(vote_rate * vote_seconds)
            people = per_size * len(sizes)
            host_token, tokens, host_id = asyncio.run(seed(base / "a", people))
            servers.append(rt.start_server(base / "a", redis[1] if redis else None, script=__file__,
                                           extra_env={"BENCH_HOST_ID": host_id}))
            if redis:
                asyncio.run(rt.seed_copy(base / "a", base / "b"))
                servers.append(rt.start_server(base / "b", redis[1], script=__file__, extra_env={"BENCH_HOST_ID": host_id}))
            ports = [port for _process, port in servers]
            pids = [process.pid for process, _port in servers] + ([redis[0].pid] if redis else [])
            for index, n in enumerate(sizes):
                subject_id = str(__import__("bson").ObjectId())
                mine = tokens[index * per_size:(index + 1) * per_size]
                row = measure(ports, (host_token, mine), subject_id, n, rounds, vote_rate, vote_seconds, pids)
                print(format_row(mode, row), flush=True)
        finally:
            for process, _port in servers:
                process.terminate()
                process.wait(30)
            if redis:
                redis[0].terminate()
                redis[0].wait(10)


def format_row(mode: str, row: dict[str, Any]) -> str:
    return (f"{mode:>6}  N={row['n']:>5}  chat: {row['rounds']} messages, lost {row['chat_lost']}, "
            f"p50 {row['chat_p50']:6.1f} ms, p99 {row['chat_p99']:6.1f} ms, server CPU {row['chat_cpu_ms']:.1f} ms "
            f"a message, the clients' {row['clients_cpu_ms']:.1f} ms (load {row['load_chat']:.1f})\n"
            f"        N={row['n']:>5}  upvotes: {row['votes']} at {row['vote_rate']:.0f}/s achieved, lost "
            f"{row['vote_lost']} of {row['votes'] * row['n']} deliveries, p50 {row['vote_p50']:6.1f} ms, "
            f"p99 {row['vote_p99']:6.1f} ms from the vote's request, server CPU {row['vote_cpu_ms']:.1f} ms a vote "
            f"(its pushes included); {row['orders_ok']}/{row['n']} clients end "
            f"with the server's counts (load {row['load_votes']:.1f}; connect+enter {row['connect_s']:.1f} s)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", help="attendees (default: 1000 and 5000 single, 2000 redis)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--vote-rate", type=int, default=200)
    parser.add_argument("--vote-seconds", type=float, default=10)
    parser.add_argument("--modes", nargs="+", choices=["single", "redis"], default=["single", "redis"])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before "
          f"the run; {args.rounds} chat messages and {args.vote_rate}/s upvotes for {args.vote_seconds:.0f} s per size",
          flush=True)
    for mode in args.modes:
        sizes = args.sizes or ([1000, 5000] if mode == "single" else [2000])
        run_mode(mode, sizes, args.rounds, args.vote_rate, args.vote_seconds)


if __name__ == "__main__":
    main()
