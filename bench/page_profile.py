"""What the signed-in thread page costs: server CPU per page, then a cProfile of the loop.

    .venv/bin/python bench/page_profile.py                  # 200 threads, 5,000 replies, 4 s runs
    .venv/bin/python bench/page_profile.py --seconds 10 --connections 50

The store is seeded as ``bench/forums.py`` seeds it; the real app is served in this process and
Debian's ``wrk`` asks for the first page of the 100-reply thread with a member's session cookie
(no page cache). It prints the pages per second and the process CPU per page (all threads) of
two unprofiled runs, then the top functions of a profiled run, cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import forums as bench  # noqa: E402  (bench/forums.py: the seed and wrk)


async def serve_and_measure(data_dir: Path, seeded: dict[str, Any], seconds: int, connections: int) -> None:
    from aiohttp import web

    from community.app import create_app
    from community.config import load_settings

    os.environ.update({**bench.SERVER_ENV, "DATA_DIR": str(data_dir)})
    app = create_app(load_settings())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = bench.free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/forums/t/{seeded['big']}"
    headers = {"Cookie": f"session={seeded['session']}"}
    try:
        await asyncio.to_thread(bench.wrk, url, connections=connections, duration=2, headers=headers)
        for _ in range(2):
            started = time.process_time()
            result = await asyncio.to_thread(bench.wrk, url, connections=connections, duration=seconds,
                                             headers=headers)
            cpu = time.process_time() - started
            print(f"{result['requests']:.0f} pages in {seconds} s at {connections} connections: {result['rps']:.0f}/s, "
                  f"p50 {result['p50']:.0f} ms, {cpu * 1000 / result['requests']:.2f} ms CPU per page, "
                  f"non-2xx {result['non_2xx']:.0f}, load {os.getloadavg()[0]:.1f}", flush=True)
        profiler = cProfile.Profile()
        profiler.enable()
        await asyncio.to_thread(bench.wrk, url, connections=connections, duration=seconds, headers=headers)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--replies", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="page-profile-"))
    try:
        seeded = asyncio.run(bench.seed(data_dir, args.threads, args.replies))
        asyncio.run(serve_and_measure(data_dir, seeded, args.seconds, args.connections))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
