"""How a serving process runs: the event loop and the garbage collector, tuned for a server.

``run.py`` serves with these, and so do the benchmarks, so their figures are the server's.

- **uvloop**, where it is installed (Linux and macOS; it is a dependency there), runs the loop's
  scheduling and socket writes in C. A broadcast to a room is one task and one frame write per
  member, so this is most of the CPU time a large room costs (``bench/realtime.py``: about a
  fifth less per broadcast on 1,000 sockets). Elsewhere asyncio's own loop is used.
- **Garbage collection**: a broadcast to 1,000 sockets allocates tens of thousands of short-lived
  objects (tasks, futures, frames). With CPython's default thresholds that sets off collections of
  the older generations, which walk every object the process holds and stall every socket for
  tens of milliseconds, the tail of the broadcast latency. A larger young generation lets those
  objects die before a collection sees them, and ``gc.freeze()`` after start-up takes what the
  process keeps for its whole life (modules, templates, the dictionary) out of every later
  collection. Cyclic garbage is still collected, only less often.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util

from aiohttp import web

GC_THRESHOLDS = (10_000, 50, 100)
"""A young generation of 10,000 allocations (CPython's default: 700), so a broadcast's objects
mostly die young, and the older generations collected five and ten times less often than by
default (10 and 10). A much larger young generation (50,000) made each young collection a pause
of its own: ``bench/forums.py``'s p99 rose past 100 ms."""


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when the package is installed, otherwise asyncio's."""
    if importlib.util.find_spec("uvloop") is None:
        return asyncio.new_event_loop()
    import uvloop

    return uvloop.new_event_loop()


def tune_for_serving(app: web.Application) -> None:
    """Set the collector's thresholds now, and freeze what start-up built once it has run.

    Only for a process that serves ``app`` until it exits: tests build many apps in one process,
    and frozen objects are never collected."""
    gc.set_threshold(*GC_THRESHOLDS)

    async def freeze(_: web.Application) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)
