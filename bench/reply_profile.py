"""Where one reply's time goes: every storage call it makes, and a cProfile of replies in a row.

    .venv/bin/python bench/reply_profile.py                 # 1,000 threads, 50,000 replies, 10 s profiled
    .venv/bin/python bench/reply_profile.py --threads 200 --replies 5000 --seconds 5
    .venv/bin/python bench/reply_profile.py --case profiles   # profile saves in the cProfile half

The store is seeded as ``bench/forums.py`` seeds it; the real app (``create_app``, every
feature, the search indexer) is served in this process, and Debian's ``wrk`` posts replies
from another process through the API, one at a time, as one member over 50 threads.

1. **Storage calls of one request of each write** (``bench/forums.py``'s write cases: a reply,
   a thread, a vote, an accepted answer, a profile save, an endorsement), in order, after a
   warm-up: for each, the collection, what
   it did (a read or a write, and whether it ran inline on the loop, on the writer thread or on
   a reader thread), the plan (the index used or ``COLLSCAN``) and the index keys and
   documents it examined. The request's and the indexer's calls are told apart by their task.
   Any ``COLLSCAN`` is listed again at the end: a query that scans is a bug of the engine or
   of the indexes.
2. **cProfile** of the event loop's thread over ``--seconds`` of replies (or of another write
   case, ``--case``): the time inside each step of the reply's write path (cumulative, so a
   step includes what it calls; for replies only), and the top functions by their own time.
   Work on the storage threads is not in it (cProfile sees one thread); the storage calls above
   show what is sent there.
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
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import forums as bench  # noqa: E402  (bench/forums.py: the seed and the request lists)

STEPS = [
    ("request: session and bearer token middleware", "community/accounts/sessions.py", "session_middleware"),
    ("reply handler (all of it)", "community/forums/api_views.py", "post_reply"),
    ("thread and category access check", "community/forums/access.py", "access_thread"),
    ("validation (pydantic)", "community/validation.py", "validate"),
    ("Markdown and sanitising", "community/forums/markdown.py", "render"),
    ("duplicate and rate checks", "community/forums/abuse.py", "check_post"),
    ("the transaction (all its statements)", "community/storage/__init__.py", "in_transaction"),
    ("  search outbox entry", "search/outbox.py", "record"),
    ("  unread position", "community/forums/unread.py", "mark_read"),
    ("  follow the thread", "community/forums/follow.py", "follow_quietly"),
    ("socket events", "community/forums/writes.py", "send"),
    ("mentions", "community/forums/mentions.py", "notify_mentions"),
    ("notifications to followers (issue 13)", "community/forums/follow.py", "notify_reply"),
    ("response: the post as JSON", "community/forums/serialize.py", "post_json"),
    ("search indexer round (after the reply)", "search/indexer.py", "run_once"),
]


class Recorder:
    """Wraps the engine's read and write entry points to list the storage calls."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.on = False
        self.quiet = ""
        """The task whose calls are not listed (this script's own, waiting for the indexer)."""

    def install(self) -> None:
        from community.storage import runtime as embedded
        from community.storage import tables as store

        recorder = self
        original_fetch, original_insert = store.Context.fetch, store.Context.insert
        original_read, original_write = embedded.Engine.read, embedded.Engine.write
        original_read_job, original_on_writer = embedded.Engine._read_job, embedded.Engine._on_writer
        trips = [0]

        def read_job(engine: Any, fn: Callable[..., Any]) -> Any:
            trips[0] += 1
            return original_read_job(engine, fn)

        async def on_writer(engine: Any, *args: Any, **kwargs: Any) -> Any:
            trips[0] += 1
            return await original_on_writer(engine, *args, **kwargs)

        def where(engine: Any, bounded: bool, session: Any, writing: bool) -> str:
            if session is not None and session.in_transaction:
                return "txn inline" if bounded and not engine._writer_busy else "txn writer thread"
            if writing:
                return "inline" if bounded and engine.inline_writes and not engine._lock.locked() else "writer thread"
            return "inline" if bounded else "reader thread"

        def task_name() -> str:
            task = asyncio.current_task()
            return task.get_name() if task else "?"

        async def read(engine: Any, fn: Callable[..., Any], session: Any = None, *, bounded: bool = False,
                       budget: int = 0) -> Any:
            """A read tried inline (``budget``) that gave up there is listed where it ran in the end."""
            if not recorder.on or task_name() == recorder.quiet:
                return await original_read(engine, fn, session, bounded=bounded, budget=budget)
            call = {"kind": "read", "where": where(engine, bounded or bool(budget), session, False),
                    "task": task_name(), "ops": []}
            recorder.calls.append(call)
            before = trips[0]
            result = await original_read(engine, fn, session, bounded=bounded, budget=budget)
            if trips[0] != before and "thread" not in call["where"]:
                call["where"] = "txn writer thread" if call["where"].startswith("txn") else "reader thread"
            return result

        async def write(engine: Any, fn: Callable[..., Any], session: Any = None, *, bounded: bool = False) -> Any:
            if recorder.on:
                recorder.calls.append({"kind": "write", "where": where(engine, bounded, session, True),
                                       "task": task_name(), "ops": []})
            return await original_write(engine, fn, session, bounded=bounded)

        def fetch(ctx: Any, info: Any, scan: Any, *args: Any, **kwargs: Any) -> Any:
            """One batch of a query (a whole query, unless a cursor reads it in batches)."""
            filter_, sort = scan.filter_, scan.sort
            kept, ctx.stats = ctx.stats, store.Stats()
            try:
                rows = original_fetch(ctx, info, scan, *args, **kwargs)
                stats = ctx.stats
            finally:
                ctx.stats = kept
            if recorder.on and recorder.calls:
                plan = stats.index if stats.stage == "IXSCAN" else stats.stage
                name = info.name if info else "(no such collection)"
                recorder.calls[-1]["ops"].append(
                    f"{name} find {_shape(filter_)} sort={sort or '-'}: {plan}, keys {stats.keys_examined}, "
                    f"docs {stats.docs_examined}, returned {len(rows)}"
                    + ("  <-- SCAN" if stats.stage == "COLLSCAN" else ""))
            return rows

        def insert(ctx: Any, info: Any, doc: Any) -> Any:
            if recorder.on and recorder.calls:
                recorder.calls[-1]["ops"].append(f"{info.name} insert ({len(info.indexes)} index tables)")
            return original_insert(ctx, info, doc)

        store.Context.fetch, store.Context.insert = fetch, insert  # type: ignore[method-assign]
        embedded.Engine.read, embedded.Engine.write = read, write  # type: ignore[method-assign]
        embedded.Engine._read_job, embedded.Engine._on_writer = read_job, on_writer  # type: ignore[method-assign]


def _shape(filter_: Any) -> str:
    """A filter with its values elided: the shape the planner sees."""
    if not isinstance(filter_, dict):
        return "{}"

    def value(v: Any) -> str:
        if isinstance(v, dict) and v and next(iter(v)).startswith("$"):
            return "{" + ", ".join(f"{k}: ." for k in v) + "}"
        return "."

    return "{" + ", ".join(f"{k}: {value(v)}" for k, v in filter_.items()) + "}"


def send(method: str, url: str, token: str, body: str) -> int:
    request = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return response.status


async def serve_and_measure(data_dir: Path, seeded: dict[str, Any], seconds: int, case: str) -> None:
    from aiohttp import web

    from community import keys
    from community.app import create_app
    from community.config import load_settings

    os.environ.update({**bench.SERVER_ENV, "DATA_DIR": str(data_dir)})
    recorder = Recorder()
    recorder.install()
    app = create_app(load_settings())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = bench.free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    warm_up, script = data_dir / "replies-1.lua", data_dir / f"{case}.lua"
    warm_up.write_text(bench.lua(bench.write_cases(seeded)["replies-1"]))
    script.write_text(bench.lua(bench.write_cases(seeded)[case]))
    try:
        await asyncio.to_thread(bench.wrk, base, connections=1, duration=3, script=warm_up)
        await _drained(app[keys.DB])
        recorder.quiet = asyncio.current_task().get_name()  # type: ignore[union-attr]
        for traced, items in bench.write_cases(seeded).items():
            if traced == "replies-50":
                continue
            method, path, token, body = items[len(items) // 2]
            recorder.calls, recorder.on = [], True
            status = await asyncio.to_thread(send, method, base + path, token,
                                             body.replace("{unique}", f"traced-{time.time()}"))
            await _drained(app[keys.DB])
            recorder.on = False
            _print_calls(f"{traced} ({method} {path.split('/')[3]}/..., {status})", recorder.calls)

        profiler = cProfile.Profile()
        started_cpu = time.process_time()
        profiler.enable()
        result = await asyncio.to_thread(bench.wrk, base, connections=1, duration=seconds, script=script)
        await _drained(app[keys.DB])
        profiler.disable()
        cpu = time.process_time() - started_cpu
        requests = result["requests"]
        print(f"\ncProfile: {requests:.0f} requests of {case} one at a time in {seconds} s ({result['rps']:.0f}/s "
              f"under the profiler, p50 {result['p50']:.1f} ms), {cpu * 1000 / requests:.1f} ms process CPU per "
              f"request including indexing (all threads; the profiler's own overhead included)")
        _print_profile(profiler, requests, steps=case.startswith("replies"))
    finally:
        await runner.cleanup()


async def _drained(db: Any) -> None:
    while await db["search_outbox"].count_documents({}):
        await asyncio.sleep(0.1)


def _print_calls(case: str, calls: list[dict[str, Any]]) -> None:
    print(f"\n{case}: {len(calls)} storage calls, the request's and then the indexer's")
    scans = []
    for number, call in enumerate(calls, 1):
        print(f"{number:>3}. {call['kind']:<5} {call['where']:<18} [{call['task']}]")
        for op in call["ops"]:
            print(f"       {op}")
            if "<-- SCAN" in op:
                scans.append(op)
    print("queries that scanned a whole collection: " + ("none" if not scans else ""))
    for op in scans:
        print(f"  {op}")


def _print_profile(profiler: cProfile.Profile, requests: float, *, steps: bool) -> None:
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    # The count of Python calls does not drift with the machine as CPU time does.
    print(f"Python calls on the loop: {stats.total_calls / requests:,.0f} per request")  # type: ignore[attr-defined]
    if steps:
        print(f"{'step':<44} {'ms per reply (cumulative)':>26}")
        for label, path, name in STEPS:
            total = sum(entry[3] for (file, _, function), entry in table.items()
                        if file.endswith(path) and function == name)
            print(f"{label:<44} {total * 1000 / requests:>26.2f}")
    print("\ntop functions by cumulative time, the project's own (ms per request):")
    own = [item for item in table.items() if "/community/" in item[0][0] or "/search/" in item[0][0]]
    _print_ranked(sorted(own, key=lambda item: item[1][3], reverse=True)[:30], 3, requests)
    print("\ntop functions by own time (ms per request):")
    _print_ranked(sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:25], 2, requests)


def _print_ranked(ranked: list[tuple[tuple[str, int, str], Any]], column: int, requests: float) -> None:
    """Each function's time per request from its pstats entry's ``column`` (2 own, 3 cumulative)."""
    for (file, line, function), entry in ranked:
        short = "/".join(Path(file).parts[-2:]) if file != "~" else "builtin"
        print(f"  {entry[column] * 1000 / requests:7.3f}  {entry[1]:>8} calls  {function} ({short}:{line})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--case", default="replies-1", choices=[case for case in bench.CASES if case not in bench.READ_CASES],
                        help="the write case the cProfile half profiles")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="reply-profile-"))
    try:
        seeded = asyncio.run(bench.seed(data_dir, args.threads, args.replies))
        asyncio.run(serve_and_measure(data_dir, seeded, args.seconds, args.case))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
