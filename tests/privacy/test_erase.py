"""Erasure: afterwards no collection holds anything personal about the person.

The check does not trust the declarations: it scans every collection in the database for the
person's strings and for references to their id, so a feature whose ``storage.py`` forgot a
personal-data rule makes this test fail. Where the id may stay comes from those declarations
(``registry.entries()``).
"""

from __future__ import annotations

from typing import Any


from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.karma.leaderboard import Period, leaderboard
from community.policy import Actor, Role, search_visibility
from community.privacy import registry
from community.search_pages.routes import INDEXER
from search.engine import SearchEngine
from tests.conftest import csrf_token
from tests.factories import sent_to_sign_in, sign_in
from tests.privacy.people import STRINGS, rich_member
from tests.profiles.helpers import call

ACCOUNT_AND_LEDGER = {("users", "_id"), ("karma_ledger", "key")}
"""The anonymised account itself (so posts can say "a deleted member") and the Karma ledger's
award key, which embeds the id in text; the ledger is append-only and shows a deleted member."""


def kept_references() -> set[tuple[str, str]]:
    """Where the declarations say the person's id stays after erasure: rules that keep the documents
    without replacing the id field. Anything else holding the id is a leak."""
    kept = {(entry.collection, entry.field) for entry in registry.entries()
            if entry.action == "keep" or (entry.action == "anonymise" and entry.field not in entry.replacements)}
    return kept | ACCOUNT_AND_LEDGER


def walk(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, path)
    else:
        yield path, value


async def leftovers(db: Any, person_id: ObjectId) -> list[str]:
    found = []
    kept = kept_references()
    needles = [text.casefold() for text in STRINGS.values()]
    for name in await db.list_collection_names():
        async for document in db[name].find({}):
            for path, value in walk(document):
                if isinstance(value, str) and any(needle in value.casefold() for needle in needles):
                    found.append(f"{name}.{path} = {value!r}")
                if value == person_id and (name, path) not in kept:
                    found.append(f"{name}.{path} refers to the person")
                if isinstance(value, str) and str(person_id) in value and (name, path) not in kept:
                    found.append(f"{name}.{path} holds the id as text")
    return found


def colleague_of(org_id: ObjectId) -> Actor:
    return Actor(user_id=ObjectId(), org_id=org_id, roles=frozenset({Role.OFFICER, Role.ADMIN}))


async def found_in_search(embedded_engine: SearchEngine, org_id: ObjectId) -> list[dict[str, Any]]:
    """What a colleague finds by the person's strings: their profile, and the threads and posts
    whose documents carry their name."""
    hits = []
    for index in ("people", "threads_posts"):
        for words in ("Kavitha", "Ramaswamy", "zero-based budgeting", "Kancheepuram"):
            result = await embedded_engine.search(index, words, search_visibility(colleague_of(org_id)), per_page=50)
            hits += [hit.document for hit in result.hits]
    return hits


async def test_after_erasure_nothing_personal_is_left_anywhere(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    person_id = scene.person["_id"]
    # The app's own indexer and engine: a second indexer on the outbox would race it for the entries.
    indexer, embedded_engine = client.app[INDEXER], client.app[keys.SEARCH]
    await indexer.drain()
    before = {doc["kind"] for doc in await found_in_search(embedded_engine, scene.person["org_id"])}
    assert before == {"person", "thread", "post"}, "search must find the person and what they wrote before erasure"
    assert await leftovers(db, person_id), "the scan must see the person before erasure"

    status, problem = await call(client, "POST", "/api/v1/me/erase", scene.token, json={"confirm": "wrong@example.gov.in"})
    assert status == 422 and problem["errors"][0]["field"] == "confirm"
    status, answer = await call(client, "POST", "/api/v1/me/erase", scene.token, json={"confirm": STRINGS["email"].upper()})
    assert status == 200 and answer["erased"] is True

    await indexer.drain()
    assert await found_in_search(embedded_engine, scene.person["org_id"]) == []
    kept = await embedded_engine.search("threads_posts", "whole grant", search_visibility(colleague_of(scene.person["org_id"])))
    assert [(hit.document["kind"], hit.document.get("author_name")) for hit in kept.hits] == [("thread", None)], \
        "the person's thread stays searchable, from a deleted member"
    assert await leftovers(db, person_id) == []
    account = await db.users.find_one({"_id": person_id})
    assert account["deleted"] is True and account["name"] is None and account["email"].endswith("@erased.invalid")
    assert await db.sessions.count_documents({"user_id": person_id}) == 0
    assert await db.api_tokens.count_documents({"user_id": person_id}) == 0
    assert (await call(client, "GET", "/api/v1/profiles/me", scene.token))[0] == 401
    assert (await call(client, "GET", f"/api/v1/profiles/{person_id}", scene.admin_token))[0] == 404
    board = await leaderboard(db, period=Period.ALL)
    assert [(row["user_id"], row["name"]) for row in board] == [(person_id, None)]
    erasure = await db.audit_log.find_one({"action": "privacy.erase"})
    assert erasure["target_id"] == person_id

    thread = await db.forum_threads.find_one({"author_id": person_id})
    status, shown = await call(client, "GET", f"/api/v1/forums/threads/{thread['_id']}", scene.admin_token)
    assert status == 200 and thread["title"] in str(shown), "the person's posts stay"
    page = await client.get(f"/forums/t/{thread['_id']}", headers={"Authorization": f"Bearer {scene.admin_token}"})
    html = await page.text()
    assert page.status == 200 and "Deleted member" in html and STRINGS["name"] not in html


async def test_what_stays_for_others(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    await call(client, "POST", "/api/v1/me/erase", scene.token, json={"confirm": STRINGS["email"]})
    verification = await db.verifications.find_one({"reference": "iGOT: Budgeting"})
    assert verification is None
    status, colleague = await call(client, "GET", f"/api/v1/profiles/{scene.other['_id']}", scene.admin_token)
    assert status == 200 and all(row["verified_level"] is None for row in colleague["competencies"])
    status, expert = await call(client, "GET", f"/api/v1/profiles/{scene.expert['_id']}", scene.admin_token)
    assert status == 200 and expert["name"] == "Endorsing Expert"


async def test_an_administrator_who_recorded_results_is_erased_but_the_results_stay(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    status, _ = await call(client, "POST", "/api/v1/me/erase", scene.admin_token, json={"confirm": scene.admin["email"]})
    assert status == 200
    verification = await db.verifications.find_one({"user_id": scene.person["_id"]})
    assert verification["level"] == 4 and verification["recorded_by"] is None


async def test_erasure_through_the_page_signs_the_person_out(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    await sign_in(client, scene.person)
    response = await client.post("/privacy/erase", data={"csrf_token": await csrf_token(client, "/privacy"),
                                                         "confirm": STRINGS["email"]})
    assert response.status == 200 and "erased" in await response.text()
    assert await sent_to_sign_in(client, "/privacy")
    await client.app[INDEXER].drain()
    assert await leftovers(db, scene.person["_id"]) == []


async def test_erasing_twice_or_someone_else_is_refused(client: TestClient, db: Any) -> None:
    scene = await rich_member(client, db)
    status, _ = await call(client, "POST", "/api/v1/me/erase", scene.admin_token, json={"confirm": STRINGS["email"]})
    assert status == 422
    assert (await db.users.find_one({"_id": scene.person["_id"]}))["deleted"] is False


async def test_a_failure_during_erasure_changes_nothing(client: TestClient, db: Any, monkeypatch: Any) -> None:
    """Erasure is one transaction: a step failing at the very end leaves every collection as it was."""
    scene = await rich_member(client, db)

    async def failing(db: Any, user_id: ObjectId, session: Any) -> None:
        raise RuntimeError("the search outbox is unavailable")

    await client.app[INDEXER].drain()  # the outbox also writes the directory: let it settle before comparing
    before = {name: await db[name].find({}).sort("_id", 1).to_list(None) for name in await db.list_collection_names()}
    monkeypatch.setitem(registry.ERASURE_HOOKS, "zz-failing", failing)
    status, _ = await call(client, "POST", "/api/v1/me/erase", scene.token, json={"confirm": STRINGS["email"]})
    assert status == 500
    after = {name: await db[name].find({}).sort("_id", 1).to_list(None) for name in await db.list_collection_names()}
    assert after == before
