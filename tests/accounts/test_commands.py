from __future__ import annotations

import json
import re
import os
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from community import commands
from community.accounts import demo
from community.accounts.passwords import verify_password
from community.config import Settings
from community.karma import service as karma
from community.organisations import domains
from community.policy import Actor, Role, search_visibility
from community.storage import connect
from community.storage.indexes import ensure_indexes
from search.embedded import EmbeddedEngine
from search.engine import Sort
from tests.processes import ROOT


@pytest.fixture
def on_disk(settings: Settings, tmp_path: Path) -> Settings:
    """A store that outlives one ``open_db`` (each command opens and closes it)."""
    return replace(settings, storage_url=f"sqlite:///{tmp_path / 'store.db'}")


def answers(**given: str) -> Any:
    asked: list[str] = []

    def ask(prompt: str, secret: bool) -> str:
        asked.append(prompt)
        key = next(key for key in given if key in prompt.lower())
        return given.pop(key)

    ask.asked = asked  # type: ignore[attr-defined]
    return ask


async def test_first_run_says_how_to_become_administrator(on_disk: Settings, capsys: Any) -> None:
    await commands.announce_first_run(on_disk)
    out = capsys.readouterr().out
    assert ".venv/bin/python run.py make-admin you@example.gov.in" in out and f"{on_disk.base_url}/login" in out
    assert ".venv/bin/python run.py --demo" in out, "the banner names the README's demo command"
    ask = answers(name="Asha Verma", ministry="Ministry of Culture", designation="Director", password="a long enough secret")
    assert await commands.make_admin(on_disk, "Asha.Verma@Culture.gov.in", ask) == 0
    assert "is a platform administrator" in capsys.readouterr().out
    await commands.announce_first_run(on_disk)
    assert capsys.readouterr().out == "", "once someone exists, the first-run message stays quiet"
    async with commands.open_db(on_disk) as db:
        admin = await db.users.find_one({"email": "asha.verma@culture.gov.in"})
        assert set(admin["roles"]) == {"officer", "admin"} and admin["email_verified"]
        assert await verify_password(admin["password_hash"], "a long enough secret")
        org = await db.organisations.find_one({"_id": admin["org_id"]})
        assert org["name"] == "Ministry of Culture" and org["kind"] == "ministry" and org["short_name"] == "MC"
        actions = sorted([entry["action"] async for entry in db.audit_log.find({})])
        assert actions == ["organisation.create", "person.create", "role.grant"]
        assert await db.search_outbox.count_documents({"index": "people", "doc_id": str(admin["_id"])}) == 1, \
            "search learns of the new administrator"


async def test_make_admin_promotes_an_existing_account(on_disk: Settings, capsys: Any) -> None:
    from tests.factories import make_user

    async with commands.open_db(on_disk) as db:
        person = await make_user(db, email="officer@example.gov.in", verified=False)
    never = answers()
    assert await commands.make_admin(on_disk, "officer@example.gov.in", never) == 0
    assert never.asked == []
    async with commands.open_db(on_disk) as db:
        stored = await db.users.find_one({"_id": person["_id"]})
        assert "admin" in stored["roles"] and stored["email_verified"]


async def test_make_admin_refuses_a_bad_address_and_asks_again_for_bad_details(on_disk: Settings, capsys: Any) -> None:
    assert await commands.make_admin(on_disk, "not an address", answers()) == 2
    assert "e-mail address" in capsys.readouterr().out
    ask = answers(name="<b>Bad</b>", ministry="Ministry of Mines", designation="Director", password="short")
    ask_more = answers(name="Good Name", password="now long enough")

    def both(prompt: str, secret: bool) -> str:
        return ask(prompt, secret) if len(ask.asked) < 4 else ask_more(prompt, secret)

    assert await commands.make_admin(on_disk, "mines@example.gov.in", both) == 0
    out = capsys.readouterr().out
    assert "name:" in out and "password:" in out


async def test_demo_fills_organisations_and_people_in_many_scripts_once(on_disk: Settings) -> None:
    async with commands.open_db(on_disk) as db:
        await demo.fill_demo(db, on_disk, random.Random(7), 300)
        orgs = await db.organisations.find({}).to_list(None)
        assert {org["level"] for org in orgs} == {"central", "state"}
        assert {org["kind"] for org in orgs} == {"ministry", "department", "office"}
        by_id = {org["_id"]: org for org in orgs}
        for org in orgs:
            if org["parent_id"]:
                parent = by_id[org["parent_id"]]
                assert org["path"] == [*parent["path"], parent["_id"]] and org["state"] == parent["state"]
        people = await db.users.find({}).to_list(None)
        assert len(people) >= 300
        roles = [set(person["roles"]) for person in people]
        assert sum("expert" in r for r in roles) >= 15 and sum("admin" in r for r in roles) == 1
        assert sum("mdo_admin" in r for r in roles) >= 10 and sum("moderator" in r for r in roles) == 2
        assert len({person["email"] for person in people}) == len(people)
        assert len({person["name"] for person in people}) == len(people), "no two demo people share a name"
        names = " ".join(person["name"] for person in people)
        for sample in ("\u0900", "\u0b80", "\u0980", "\u0d00", "\u0600"):  # Devanagari, Tamil, Bengali, Malayalam, Arabic
            assert any(ord(sample) <= ord(char) < ord(sample) + 128 for char in names), sample
        admin = await db.users.find_one({"email": demo.DEMO_ADMIN_EMAIL})
        assert await verify_password(admin["password_hash"], demo.DEMO_PASSWORD)
        members = [person for person in people if person["email"] != demo.DEMO_ADMIN_EMAIL]
        assert all([await domains.owner_of_address(db, person["email"]) == person["org_id"] for person in members]), \
            "each demo organisation claims its demo members' domain, so their memberships hold by the same rule"
        await demo.fill_demo(db, on_disk, random.Random(7), 300)
        assert await db.users.count_documents({}) == len(people) and await db.organisations.count_documents({}) == len(orgs)


async def test_demo_community_is_searchable_and_has_earned_karma(settings: Settings) -> None:
    client = connect("sqlite:///:memory:")
    db = client[settings.database_name]
    await ensure_indexes(db)
    engine = EmbeddedEngine(None)
    await engine.ensure_indexes()
    member = search_visibility(Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER})))
    try:
        await commands.fill_demo(db, engine, settings, people=30)
        thread = await db.forum_threads.find_one({"org_id": None}, sort=[("_id", 1)])
        found = await engine.search("threads_posts", thread["title"], member, per_page=100)
        assert str(thread["_id"]) in [hit.id for hit in found.hits]
        leader = (await engine.search("people", "", member, sort=Sort("karma", "desc"), per_page=1)).hits[0]
        earned = await karma.total(db, ObjectId(leader.document["person_id"]))
        assert earned > 0 and leader.document["karma"] == earned
        entries, threads = await db.karma_ledger.count_documents({}), await db.forum_threads.count_documents({})
        votes = await db.forum_votes.count_documents({})
        assert entries >= votes > 0, "every seeded upvote earned its author Karma Points"

        await commands.fill_demo(db, engine, settings, people=30)
        assert await db.karma_ledger.count_documents({}) == entries
        assert await db.forum_threads.count_documents({}) == threads
        again = await engine.search("threads_posts", thread["title"], member, per_page=100)
        assert again.total == found.total
    finally:
        await engine.close()
        await client.close()


@pytest.mark.slow
def test_run_py_demo_prints_how_to_sign_in_and_logs_no_password(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "run.py", "demo", "--people", "40"], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"the platform administrator:  {demo.DEMO_ADMIN_EMAIL}" in done.stdout and repr(demo.DEMO_PASSWORD) in done.stdout
    for kind in ("an officer", "an expert", "a department administrator", "a moderator"):
        assert re.search(rf"^  {kind} \(.+\):  \S+@\S+demo\.karmayogi\.example$", done.stdout, re.M), (kind, done.stdout)
    assert demo.DEMO_PASSWORD not in done.stderr, "the log carries the demo password"
    logged = [json.loads(line)["message"] for line in done.stderr.splitlines() if line.startswith("{")]
    assert "demo data indexed for search" in logged
