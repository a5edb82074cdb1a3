"""Benchmark: load shedding, at four times the concurrency the thread page sustains.

    .venv/bin/python bench/overload.py                      # ramp 2 s a step, then 10 s at 4x
    .venv/bin/python bench/overload.py --step 3 --duration 20
    OVERLOAD_MAX_IN_FLIGHT=16 OVERLOAD_MAX_LAG_MS=100 .venv/bin/python bench/overload.py

A fresh embedded store is filled as ``bench/forums.py`` fills it (smaller: 200 threads, 5,000
replies, the first thread with 100) and ``run.py`` serves it as a separate process with the
``OVERLOAD_*`` settings of this environment. An aiohttp client in this process asks for the
100-reply thread's HTML page signed in (a session cookie, so no page cache: every request
renders), from N connections each sending its next request when the last is answered.

1. The ramp: 1, 2, 4, ... connections for ``--step`` seconds each; the sustainable concurrency
   is the largest whose accepted answers keep their p99 under 250 ms with nothing refused.
2. The overload: four times that for ``--duration`` seconds.

Each line prints the connections, accepted answers a second, the p99 of accepted (200) and of
refused (503) answers, how many of each, time-outs (no answer within 5 s) and other failures,
and the 1-minute load average before the step. On a shared machine read it with the load.

Measured here (two shared cores, load 1.3, defaults ``OVERLOAD_MAX_IN_FLIGHT=8``): the page
sustains 8 connections at about 220 a second (p99 54 ms); at 32, 136 accepted a second with p99
137 ms, 870 refused a second with p99 49 ms, no time-outs. Without a useful limit (64) at 64
connections nothing was refused and the accepted p99 was 464 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forums import free_port, seed, start_server  # noqa: E402  (bench/forums.py, beside this file)

TIMEOUT_SECONDS = 5.0
TARGET_P99_MS = 250.0


def p99(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def drive(url: str, cookies: dict[str, str], connections: int, seconds: float) -> dict[str, object]:
    accepted: list[float] = []
    refused: list[float] = []
    timeouts = 0
    failures = 0
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookies=cookies) as session:

        async def worker() -> None:
            nonlocal timeouts, failures
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        elapsed = (time.perf_counter() - started) * 1000
                        if response.status == 200:
                            accepted.append(elapsed)
                        elif response.status == 503 and "Retry-After" in response.headers:
                            refused.append(elapsed)
                        else:
                            failures += 1
                except TimeoutError:
                    timeouts += 1
                except aiohttp.ClientError:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    return {"connections": connections, "rps": len(accepted) / seconds, "accepted": len(accepted),
            "refused": len(refused), "p99_accepted": p99(accepted), "p99_refused": p99(refused),
            "timeouts": timeouts, "failures": failures}


def line(label: str, result: dict[str, object], load: float) -> str:
    return (f"{label:<9} c={result['connections']:<4} {result['rps']:7.1f} ok/s  "
            f"p99 accepted {result['p99_accepted']:7.1f} ms ({result['accepted']})  "
            f"p99 refused {result['p99_refused']:6.1f} ms ({result['refused']})  "
            f"timeouts {result['timeouts']}  failures {result['failures']}  load {load:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=float, default=2, help="seconds per ramp step")
    parser.add_argument("--duration", type=float, default=10, help="seconds at four times the sustainable concurrency")
    parser.add_argument("--max-connections", type=int, default=64, help="where the ramp stops")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-overload-"))
    server = None
    try:
        seeded = await seed(data_dir, threads=200, replies=5000)
        port = free_port()
        server = start_server(data_dir, port)
        url = f"http://127.0.0.1:{port}/forums/t/{seeded['big']}"
        cookies = {"session": seeded["session"]}
        print(f"OVERLOAD_MAX_IN_FLIGHT={os.environ.get('OVERLOAD_MAX_IN_FLIGHT', 'default')} "
              f"OVERLOAD_MAX_LAG_MS={os.environ.get('OVERLOAD_MAX_LAG_MS', 'default')}", flush=True)
        await drive(url, cookies, 2, 1)  # warm the templates and the store's caches
        sustainable = 1
        connections = 1
        while connections <= args.max_connections:
            load = os.getloadavg()[0]
            result = await drive(url, cookies, connections, args.step)
            print(line("ramp", result, load), flush=True)
            if result["refused"] or result["timeouts"] or result["p99_accepted"] > TARGET_P99_MS:
                break
            sustainable = connections
            connections *= 2
        load = os.getloadavg()[0]
        print(line("overload", await drive(url, cookies, 4 * sustainable, args.duration), load), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
