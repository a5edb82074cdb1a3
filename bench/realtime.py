"""Benchmark: one broadcast to N sockets in one room; how long until the last one has it.

    .venv/bin/python bench/realtime.py                      # N = 100, 1000 and 5000; one process, then Redis
    .venv/bin/python bench/realtime.py --sizes 100 1000 --rounds 20 --modes single

Each server is a separate ``run.py``-equivalent process (the real app from ``create_app``, plus
one bench-only route that emits through ``app[keys.EMITTER]``), on its own temporary store
seeded with one member, one open event and an API token. Clients are raw WebSocket
connections speaking Engine.IO 4 / Socket.IO 5 (python-socketio's AsyncClient costs far more
per socket than the server does, so it would measure itself), spread over worker processes.
Every client authenticates with the token and joins the event room through the real ``join``
handler (policy check included). Then, ``--rounds`` times, the bench stamps the wall clock,
asks a server to broadcast, and every client records when the message arrived; the next round
starts only when every client has the previous one, so rounds never queue behind each other.

"single": one server process, no Redis. "redis": two server processes sharing a redis-server
started here on a free port; half the clients on each, broadcasts asked of the first, so every
message crosses Redis (python-socketio's Redis manager publishes even to its own process).

Reported per N: the servers' resident memory once every socket is joined and what each held
socket added to it (RSS before the clients connected subtracted, divided by N; Linux ``/proc``),
p50 and p99 over all deliveries, the time until the last client had it (median
and worst round), messages delivered per second (N / time to the last client, median round),
and the CPU time the server processes (and redis-server) spent per broadcast, which unlike the
wall-clock figures does not depend on what else the machine is doing.
Clients offer per-message deflate as browsers do (the server declines it: community.realtime.frames); ``--no-deflate`` leaves the offer out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rawsocket import client_processes, entered  # noqa: E402 - bench/rawsocket.py, beside this file (the script's folder)

REDIS_SERVER = "/usr/bin/redis-server"
CONNECT_CONCURRENCY = 100


# --- the server process --------------------------------------------------------------------


def serve() -> None:
    """Run the real application with one extra bench-only route, on the settings in the environment."""
    import logging

    from aiohttp import web

    from community import keys
    from community.app import create_app
    from community.config import load_settings
    from community.runtime import new_event_loop, tune_for_serving

    logging.basicConfig(level=logging.WARNING)
    settings = load_settings()
    app = create_app(settings)

    async def broadcast(request: web.Request) -> web.Response:
        query = request.query
        await request.app[keys.EMITTER].emit("bench", {"round": int(query["round"]), "t0": float(query["t0"])},
                                             room=query["room"])
        return web.Response(text="sent")

    app.router.add_get("/bench/broadcast", broadcast)
    tune_for_serving(app)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None, backlog=4096,
                loop=new_event_loop())


async def seed(data_dir: Path) -> tuple[str, str]:
    """One member, one open event and a token, in a fresh store; returns (token, room)."""
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
        org_id, user_id, event_id = ObjectId(), ObjectId(), ObjectId()
        await db.organisations.insert_one({"_id": org_id, "name": "Bench Ministry", "short_name": "BM",
                                           "kind": "ministry", "level": "central", "state": None, "parent_id": None,
                                           "path": []})
        await db.users.insert_one({"_id": user_id, "name": "Bench Officer", "email": "bench@example.gov.in",
                                   "email_verified": True, "org_id": org_id, "roles": ["officer"],
                                   "suspended_until": None, "deleted": False, "created_at": datetime.now(UTC)})
        await db.events.insert_one({"_id": event_id, "org_id": None, "title": "Bench event"})
        token = await sessions.issue_api_token(db, user_id, label="bench")
    finally:
        await client.close()
    return token, f"event:{event_id}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, redis_url: str | None, *, script: str = __file__,
                 extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """``script serve`` on a free port (this bench's server, or another bench's, with ``extra_env``)."""
    port = free_port()
    # Load shedding would refuse the bench's broadcast request while thousands of sockets join
    # (the loop lags then): this measures delivery, bench/overload.py measures shedding.
    env = {"OVERLOAD_MAX_LAG_MS": "60000", "OVERLOAD_MAX_IN_FLIGHT": "100000", **os.environ, "DATA_DIR": str(data_dir),
           "PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING", **(extra_env or {})}
    env.pop("REDIS_URL", None)
    env.pop("MONGODB_URI", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    process = subprocess.Popen([sys.executable, script, "serve"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the bench server exited during start-up") from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the bench server did not start in 60 s")


# --- the clients ----------------------------------------------------------------------------




class Tally:
    """Arrivals in one worker; tells the parent when all of its sockets have a round's message."""

    def __init__(self, sockets: int, conn: Any) -> None:
        self.sockets = sockets
        self.conn = conn
        self.arrivals: list[tuple[int, float]] = []
        self.per_round: dict[int, int] = {}

    def add(self, round_number: int, latency: float) -> None:
        self.arrivals.append((round_number, latency))
        self.per_round[round_number] = self.per_round.get(round_number, 0) + 1
        if self.per_round[round_number] == self.sockets:
            self.conn.send(("done", round_number))


async def listen(ws: Any, rounds: int, tally: Tally) -> None:
    heard = 0
    async for message in ws:
        if message == "2":
            await ws.send("3")
        elif message.startswith('42["bench"'):
            now = time.time()
            data = json.loads(message[2:])[1]
            tally.add(data["round"], now - data["t0"])
            heard += 1
            if heard == rounds:
                return


async def client_worker_main(ports: list[int], count: int, token: str, room: str, rounds: int, deflate: bool,
                             conn: Any) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    tally = Tally(count, conn)
    listeners: list[asyncio.Task[None]] = []

    async def one(index: int) -> Any:
        async with gate:
            ws = await entered(ports[index % len(ports)], token, "join", {"room": room}, deflate=deflate)
        listeners.append(asyncio.create_task(listen(ws, rounds, tally)))  # answers pings from now on
        return ws

    sockets = await asyncio.gather(*(one(i) for i in range(count)))
    conn.send("ready")
    await asyncio.wait(listeners, timeout=60 + rounds * 30)
    conn.send(tally.arrivals)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def client_worker(*args: Any) -> None:
    asyncio.run(client_worker_main(*args))


# --- one measurement ------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def resident_kib(pids: list[int]) -> int:
    """The processes' resident memory (VmRSS), in KiB."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return total


def measure(ports: list[int], trigger_port: int, token: str, room: str, n: int, rounds: int, workers: int,
            deflate: bool, server_pids: list[int]) -> dict[str, float]:
    import urllib.request

    servers_only = server_pids[:len(ports)]
    rss_before = resident_kib(servers_only)
    pipes, processes, connect_seconds = client_processes(client_worker, [
        (ports, n // workers + (1 if index < n % workers else 0), token, room, rounds, deflate)
        for index in range(workers)], 300)
    time.sleep(1.5)  # let the presence announcements of the joins pass
    rss_after = resident_kib(servers_only)
    cpu_before = cpu_seconds(server_pids)
    for round_number in range(rounds):
        url = f"http://127.0.0.1:{trigger_port}/bench/broadcast?room={room}&round={round_number}&t0={time.time()!r}"
        urllib.request.urlopen(url, timeout=30).read()
        for pipe in pipes:  # the next broadcast starts once every client has this one
            if not pipe.poll(60):
                raise SystemExit(f"round {round_number} did not reach every client within 60 s")
            assert pipe.recv() == ("done", round_number)
        time.sleep(0.2)
    server_cpu = cpu_seconds(server_pids) - cpu_before
    arrivals: list[tuple[int, float]] = []
    for pipe in pipes:
        arrivals.extend(pipe.recv())
    for process in processes:
        process.join(30)
    per_round: dict[int, list[float]] = {}
    for round_number, latency in arrivals:
        per_round.setdefault(round_number, []).append(latency)
    complete = [values for values in per_round.values() if len(values) == n]
    lasts = [max(values) for values in complete]
    everything = [latency for values in complete for latency in values]
    return {
        "n": n, "rounds": len(complete), "lost": rounds * n - len(arrivals), "connect_s": connect_seconds,
        "p50_ms": 1000 * percentile(everything, 0.50), "p99_ms": 1000 * percentile(everything, 0.99),
        "last_median_ms": 1000 * statistics.median(lasts), "last_worst_ms": 1000 * max(lasts),
        "msgs_per_s": n / statistics.median(lasts),
        "server_cpu_ms": 1000 * server_cpu / rounds,
        "rss_mib": rss_after / 1024, "kib_per_socket": (rss_after - rss_before) / n,
        "load": os.getloadavg()[0],
    }


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    if not shutil.which(REDIS_SERVER):
        raise SystemExit("install Debian's redis-server for the Redis figures (or pass --modes single)")
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def run_mode(mode: str, sizes: list[int], rounds: int, deflate: bool) -> list[dict[str, float]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-realtime-") as folder:
        base = Path(folder)
        redis = start_redis(base) if mode == "redis" else None
        servers = []
        try:
            token, room = asyncio.run(seed(base / "a"))
            servers.append(start_server(base / "a", redis[1] if redis else None))
            if redis:
                asyncio.run(seed_copy(base / "a", base / "b"))
                servers.append(start_server(base / "b", redis[1]))
            ports = [port for _process, port in servers]
            for n in sizes:
                workers = max(1, min(4, n // 1000))
                pids = [process.pid for process, _port in servers] + ([redis[0].pid] if redis else [])
                result = measure(ports, ports[0], token, room, n, rounds, workers, deflate, pids)
                results.append({"mode": mode, **result})
                print(format_row(results[-1]), flush=True)
        finally:
            for process, _port in servers:
                process.terminate()
                process.wait(30)
            if redis:
                redis[0].terminate()
                redis[0].wait(10)
    return results


async def seed_copy(source: Path, target: Path) -> None:
    """The second process gets its own store with the same member, event and token (a file copy)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(source):
        if name.startswith("community.db") or name == "secret_key":
            shutil.copy2(source / name, target / name)


def format_row(row: dict[str, Any]) -> str:
    return (f"{row['mode']:>6}  N={row['n']:>5}  rounds={row['rounds']:>2}  lost={row['lost']}  "
            f"p50={row['p50_ms']:7.1f} ms  p99={row['p99_ms']:7.1f} ms  "
            f"last(median)={row['last_median_ms']:7.1f} ms  last(worst)={row['last_worst_ms']:7.1f} ms  "
            f"{row['msgs_per_s']:9.0f} msg/s  server CPU {row['server_cpu_ms']:6.1f} ms/broadcast "
            f"(connect+join {row['connect_s']:.1f} s)  server RSS {row['rss_mib']:.0f} MiB, "
            f"{row['kib_per_socket']:.1f} KiB a socket  load {row['load']:.1f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--modes", nargs="+", choices=["single", "redis"], default=["single", "redis"])
    parser.add_argument("--no-deflate", action="store_true", help="clients do not offer permessage-deflate")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          f"before the run; {args.rounds} broadcasts per size; deflate {'off' if args.no_deflate else 'offered'}",
          flush=True)
    for mode in args.modes:
        run_mode(mode, args.sizes, args.rounds, not args.no_deflate)


if __name__ == "__main__":
    main()
