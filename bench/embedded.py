"""What the in-process benches (``profiles.py``, ``connections.py``, ``network.py``) share: a
fresh embedded store with the competency dictionary, and timing a step over several runs."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from community.app import declare_storage  # noqa: E402
from community.competencies.seed import seed_dictionary  # noqa: E402
from community.config import Settings, load_settings  # noqa: E402
from community.storage import connect  # noqa: E402
from community.storage.indexes import ensure_indexes  # noqa: E402


@asynccontextmanager
async def fresh_store() -> AsyncIterator[tuple[Settings, Any]]:
    """Settings for a temporary data folder and its indexed store, the dictionary seeded;
    closed and removed on leaving."""
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings({"DATA_DIR": folder, "LOG_LEVEL": "WARNING"}),
                           storage_url=f"sqlite:///{Path(folder) / 'bench.db'}")
        declare_storage(settings)
        client = connect(settings.storage_url)
        try:
            db = client["bench"]
            await ensure_indexes(db)
            await seed_dictionary(db)
            yield settings, db
        finally:
            await client.close()


async def timed(runs: int, work: Callable[[int], Awaitable[Any]]) -> list[float]:
    """Seconds each of ``runs`` calls of ``work(n)`` took, one after another."""
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        await work(n)
        samples.append(time.perf_counter() - started)
    return samples


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms ({len(ordered)} runs)"
