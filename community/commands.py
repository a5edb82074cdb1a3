"""Maintenance commands behind ``run.py``; each opens storage, does its work, and closes it."""

from __future__ import annotations

import getpass
import importlib
import logging
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from community.app import declare_storage
from community.config import Settings
from community.storage import connect
from community.storage.api import Database
from community.storage.indexes import ensure_indexes
from search import open_engine
from search.engine import SearchEngine
from search.reindex import reindex as rebuild_indexes

log = logging.getLogger("community")

DEMO_STEPS: list[str] = [
    "community.accounts.demo",  # first: organisations and people, which every later step uses
    "community.profiles.demo",  # after the accounts step: gives the demo people competency profiles
    "community.network.demo",  # after the accounts step: connections, waiting requests and follows
    "community.messages.demo",  # after the network step: conversations between connections, message requests
    "community.mentoring.demo",  # after the profiles and messages steps: offers and mentorships in every state
    "community.forums.demo",  # after the accounts step: categories and threads by the demo people
    "community.polls.demo",  # after the forums step: a thread with polls, and votes
    "community.vacancies.demo",  # after the accounts and profiles steps: vacancies with applications in every stage
    "community.events.demo",  # after the accounts step: past and upcoming events with answers and reminders
    "community.foryou.demo",  # after the profiles step: a target position for everyone whose profile names none
]
"""Modules with ``async def fill_demo(db, settings, rng, people)``, run in order by ``demo``."""


@asynccontextmanager
async def open_db(settings: Settings) -> AsyncIterator[Any]:
    """The deployment's database, with every index the features declare."""
    declare_storage(settings)
    client = connect(settings.storage_url)
    try:
        db = client[settings.database_name]
        await ensure_indexes(db)
        yield db
    finally:
        await client.close()


async def demo(settings: Settings, *, people: int) -> None:
    """``run.py demo``: fill the store with a demo community that search can find."""
    from community.accounts.demo import sample_accounts

    engine = await open_engine(settings.meilisearch_url, settings.meilisearch_key, settings.data_dir)
    try:
        async with open_db(settings) as db:
            await fill_demo(db, engine, settings, people=people)
            samples = await sample_accounts(db)
    finally:
        await engine.close()
    print(demo_sign_in_message(settings, samples), flush=True)


def demo_sign_in_message(settings: Settings, samples: list[tuple[str, str, str]]) -> str:
    """Printed, not logged: the log never carries a password, and a newcomer needs this one."""
    from community.accounts.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD

    lines = [f"Demo community ready. Sign in at {settings.base_url}/login with the password {DEMO_PASSWORD!r} as",
             f"  the platform administrator:  {DEMO_ADMIN_EMAIL}"]
    lines += [f"  {kind} ({organisation}):  {email}" for kind, email, organisation in samples]
    lines.append("  or any other demo member.")
    return "\n".join(lines)


async def fill_demo(db: Database, engine: SearchEngine, settings: Settings, *, people: int) -> None:
    """Run every demo step, then rebuild the search indexes: the steps write in bulk, past the
    search outbox, so only a reindex makes their threads and people findable. Running it again
    adds no data (each step checks for its own) and rebuilds the same indexes."""
    rng = random.Random(2020_09_02)
    for module in DEMO_STEPS:
        await importlib.import_module(module).fill_demo(db, settings, rng, people)
        log.info("demo data filled", extra={"step": module})
    log.info("demo data indexed for search", extra={"documents": await rebuild_indexes(db, engine)})


async def reindex(settings: Settings) -> None:
    from search.reindex import run

    written = await run(settings)
    log.info("search reindexed", extra={"documents": written})


# --- accounts (issue 3) ---


def _ask(prompt: str, secret: bool) -> str:
    if not sys.stdin.isatty():
        raise SystemExit("make-admin: no such account yet, and no terminal to ask for its details; register it first")
    return getpass.getpass(prompt) if secret else input(prompt)


async def make_admin(settings: Settings, email: str, ask: Any = None) -> int:
    """``run.py make-admin EMAIL``: promote (or create, asking for the details) an administrator."""
    from community.accounts.bootstrap import make_admin as promote
    from community.errors import Invalid

    async with open_db(settings) as db:
        try:
            user = await promote(db, email, ask or _ask)
        except Invalid as error:
            print(f"make-admin: {next(iter(error.errors.values()))}")
            return 2
    print(f"{user['name']} <{user['email']}> is a platform administrator. Sign in at {settings.base_url}/login")
    return 0


async def announce_first_run(settings: Settings) -> None:
    """On an empty store, print how to become the first administrator."""
    from community.accounts.bootstrap import first_run_message, needs_first_admin

    async with open_db(settings) as db:
        if await needs_first_admin(db):
            print(first_run_message(settings), flush=True)
