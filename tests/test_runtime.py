"""The serving process's event loop and garbage-collector settings (``community.runtime``)."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from community.runtime import GC_THRESHOLDS, new_event_loop, tune_for_serving


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """These tests change process-wide state; put it back for the rest of the run."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_serving_loop_is_uvloop_where_it_is_installed() -> None:
    import uvloop

    loop = new_event_loop()
    try:
        assert isinstance(loop, uvloop.Loop)
        assert loop.run_until_complete(asyncio.sleep(0, result="ran")) == "ran"
    finally:
        loop.close()


async def test_start_up_freezes_what_it_built_and_raises_the_thresholds(collector_restored: None) -> None:
    app = web.Application()
    tune_for_serving(app)
    assert gc.get_threshold() == GC_THRESHOLDS
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    server = TestServer(app)
    await server.start_server()
    try:
        assert gc.get_freeze_count() > 0, "start-up did not move its objects out of later collections"
    finally:
        await server.close()


async def test_a_served_page_is_freed_without_the_cycle_collector(client: Any) -> None:
    """A request left in a reference cycle waits for a collection, and frees its whole object
    graph there: at 500 requests a second those collections stalled the loop for up to 20 ms."""
    for _ in range(2):  # the first requests build caches that live on
        for path in ("/", "/forums", "/api/v1/forums/categories"):
            assert (await client.get(path)).status == 200
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in ("/", "/forums", "/api/v1/forums/categories"):
            assert (await client.get(path)).status == 200
        gc.collect()
        cyclic = [obj for obj in gc.garbage if isinstance(obj, web.BaseRequest)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cyclic == []
