"""The background loops (search indexer, notifier) stop when cancelled, even when the cancel
arrives in the same moment as a wake-up: on Python 3.11, ``asyncio.wait_for`` returned the
wake-up and dropped the cancel, so the app's clean-up waited for the loop for ever."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from community.notifications.notifier import Notifier
from search.indexer import Indexer


async def _cancel_at_a_wake_up(wake: Any, run: Any) -> None:
    task = asyncio.create_task(run())
    for _ in range(50):  # let the first rounds find nothing and settle into waiting
        await asyncio.sleep(0.01)
    wake()
    await asyncio.sleep(0)  # the wake-up lands: the wait inside the loop is now done
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(asyncio.shield(task), 2)
    assert task.cancelled()


async def test_the_notifier_stops_when_cancelled_at_a_wake_up(bare_db: Any) -> None:
    notifier = Notifier(bare_db, None, lambda: datetime.now(UTC), poll=30)
    await _cancel_at_a_wake_up(notifier.wake, notifier.run)


async def test_the_indexer_stops_when_cancelled_at_a_wake_up(bare_db: Any, embedded_engine: Any) -> None:
    indexer = Indexer(bare_db, embedded_engine, poll=30)
    await _cancel_at_a_wake_up(indexer.notify, indexer.run)
