"""Results, totals and facet counts hold only what the viewer may see (on every engine)."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from community.forums.storage import post_document, thread_document
from community.policy import ANONYMOUS, Actor, Role, search_visibility
from community.profiles.storage import person_documents
from search.definitions import ALL
from search.engine import SearchEngine
from search.filters import both, where

ORG_A, ORG_B = ObjectId(), ObjectId()
A_MEMBER = Actor(user_id=ObjectId(), org_id=ORG_A, roles=frozenset({Role.OFFICER}))
B_MEMBER = Actor(user_id=ObjectId(), org_id=ORG_B, roles=frozenset({Role.OFFICER}))
NO_ORG = Actor(user_id=ObjectId(), roles=frozenset({Role.OFFICER}))
ADMIN = Actor(user_id=ObjectId(), org_id=ORG_B, roles=frozenset({Role.ADMIN}))
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def a_thread(title: str, org_id: ObjectId | None, **extra: object) -> dict[str, object]:
    return {"_id": ObjectId(), "title": title, "org_id": org_id, "category_id": ObjectId(), "author_id": ObjectId(),
            "competency_tags": ["budgeting"], "created_at": NOW, "votes": 0, "hidden": False, "deleted": False, **extra}


async def visible(engine: SearchEngine, actor: Actor, query: str, index: str = "threads_posts",
                  **filters: str) -> tuple[set[str], int, dict[str, dict[str, int]]]:
    result = await engine.search(index, query, both(search_visibility(actor), where(**filters) if filters else None),
                                 facets=["kind", "org_id"])
    return {hit.id for hit in result.hits}, result.total, result.facets


async def test_organisation_private_spaces(engine: SearchEngine) -> None:
    public, private = a_thread("Budget open forum", None), a_thread("Budget internal forum", ORG_A)
    await engine.upsert("threads_posts", [thread_document(t, {"body": "discussion"}, None) for t in (public, private)])
    everyone = {str(public["_id"])}
    both_threads = {str(public["_id"]), str(private["_id"])}
    for actor in (ANONYMOUS, B_MEMBER, NO_ORG):
        ids, total, facets = await visible(engine, actor, "budget")
        assert (ids, total) == (everyone, 1), actor
        assert facets["kind"] == {"thread": 1} and str(ORG_A) not in facets["org_id"]
    for actor in (A_MEMBER, ADMIN):
        ids, total, facets = await visible(engine, actor, "budget")
        assert (ids, total) == (both_threads, 2)
        assert facets["org_id"] == {str(ORG_A): 1}
    ids, total, _ = await visible(engine, B_MEMBER, "budget", org_id=str(ORG_A))
    assert (ids, total) == (set(), 0), "filtering by the organisation does not open its spaces"


async def test_hidden_and_deleted_content_is_never_found(engine: SearchEngine) -> None:
    thread = a_thread("Budget questions", None)
    hidden_thread = a_thread("Budget flamewar", None, hidden=True)
    shown = {"_id": ObjectId(), "number": 2, "body": "budget answer", "created_at": NOW, "votes": 0}
    hidden = {**shown, "_id": ObjectId(), "body": "budget spam", "hidden": True}
    deleted = {**shown, "_id": ObjectId(), "body": "budget removed", "deleted": True}
    in_hidden_thread = {**shown, "_id": ObjectId(), "body": "budget reply"}
    await engine.upsert("threads_posts", [
        thread_document(thread, None, None), thread_document(hidden_thread, None, None),
        *(post_document(p, thread, None) for p in (shown, hidden, deleted)),
        post_document(in_hidden_thread, hidden_thread, None)])
    for actor in (ANONYMOUS, A_MEMBER, ADMIN):
        ids, total, facets = await visible(engine, actor, "budget")
        assert ids == {str(thread["_id"]), str(shown["_id"])} and total == 2
        assert facets["kind"] == {"post": 1, "thread": 1}


def a_person(**privacy: str) -> tuple[dict[str, object], dict[str, object]]:
    user = {"_id": ObjectId(), "name": "Meera Iyer", "designation": "Deputy Secretary", "org_id": ORG_A,
            "email_verified": True, "created_at": NOW}
    profile = {"_id": user["_id"], "bio": "Works on groundwater recharge", "expertise": ["procurement"],
               "state": "Kerala", "district": "Ernakulam", "competencies": [{"competency_id": "budgeting", "level": 3}],
               "privacy": privacy}
    return user, profile


async def test_private_profile_fields_are_not_searchable(engine: SearchEngine) -> None:
    user, profile = a_person(bio="organisation", expertise="everyone", designation="me", location="connections",
                             competencies="organisation")
    await engine.upsert("people", person_documents(user, profile, 0))
    person = str(user["_id"])

    async def people(actor: Actor, query: str) -> tuple[set[str], int]:
        result = await engine.search("people", query, search_visibility(actor), facets=["competencies"])
        return {hit.document["person_id"] for hit in result.hits}, result.total

    assert await people(B_MEMBER, "procurement") == ({person}, 1)
    assert await people(A_MEMBER, "procurement") == ({person}, 1), "colleagues find one copy, not two"
    assert await people(B_MEMBER, "groundwater") == (set(), 0), "bio is for the organisation only"
    assert await people(A_MEMBER, "groundwater") == ({person}, 1)
    assert await people(ADMIN, "groundwater") == (set(), 0), "administrators get no exception"
    for actor in (A_MEMBER, B_MEMBER):
        assert await people(actor, "deputy") == (set(), 0), "designation is private to the owner"
        assert await people(actor, "ernakulam") == (set(), 0), "connections-only fields are never indexed"
    assert await people(ANONYMOUS, "meera") == (set(), 0), "visitors do not search people"
    outsider_view = await engine.search("people", "meera", search_visibility(B_MEMBER), facets=["competencies", "org_id"])
    assert [h.document.get("bio") for h in outsider_view.hits] == [None]
    assert outsider_view.facets["competencies"] == {}, "facets do not count a field the viewer may not see"
    colleague_view = await engine.search(ALL, "meera", search_visibility(A_MEMBER), facets=["competencies"])
    assert colleague_view.facets["competencies"] == {"budgeting": 1}


async def test_hidden_organisation_cannot_be_found_through_the_filter(engine: SearchEngine) -> None:
    user, profile = a_person(organisation="me")
    await engine.upsert("people", person_documents(user, profile, 0))
    found = await engine.search("people", "", both(search_visibility(B_MEMBER), where(org_id=str(ORG_A))))
    assert found.total == 0
    assert (await engine.search("people", "meera", search_visibility(B_MEMBER))).total == 1
