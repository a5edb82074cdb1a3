"""Maintenance commands behind ``run.py``; each opens storage, does its work, and closes it."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from community.config import Settings
from community.storage import connect
from community.storage.indexes import ensure_indexes

log = logging.getLogger("community")

DEMO_STEPS: list[str] = [
    "community.profiles.demo",  # after the accounts step: gives the demo people competency profiles
    "community.forums.demo",  # after the accounts step: categories and threads by the demo people
]
"""Modules with ``async def fill_demo(db, settings, rng, people)``, run in order by ``demo``."""


@asynccontextmanager
async def open_db(settings: Settings) -> AsyncIterator[Any]:
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        await ensure_indexes(db)
        yield db
    finally:
        await client.close()


async def demo(settings: Settings, *, people: int) -> None:
    import random

    rng = random.Random(2020_09_02)
    async with open_db(settings) as db:
        for module in DEMO_STEPS:
            await importlib.import_module(module).fill_demo(db, settings, rng, people)
            log.info("demo data filled", extra={"step": module})


async def reindex(settings: Settings) -> None:
    raise SystemExit("search is not configured in this build")


async def make_admin(settings: Settings, email: str) -> int:
    raise SystemExit("accounts are not available in this build")


async def announce_first_run(settings: Settings) -> None:
    return None
