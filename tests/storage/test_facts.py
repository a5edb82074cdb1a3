"""Storage facts: each feature declares its collections once, and the shared registries (indexes,
personal data, search documents) hold exactly what was declared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo import IndexModel

from community.forums import storage as forums_storage
from community.privacy import registry
from community.storage import facts
from community.storage.indexes import ensure_indexes
from search import documents
from tests.conftest import only_declared_collections


@pytest.fixture
def registries() -> Iterator[None]:
    """The shared registries as the session declared them, restored after the test."""
    registries_: list[dict[str, Any]] = [facts.COLLECTIONS, facts.SEARCH, facts.ERASURE_HOOKS]
    saved = [dict(registry_) for registry_ in registries_]
    yield
    for registry_, content in zip(registries_, saved):
        registry_.clear()
        registry_.update(content)


async def test_a_collection_no_feature_declared_fails_the_check(db: Any) -> None:
    await db.users.insert_one({"name": "Asha"})
    await db.scratch_notes.insert_one({"note": "kept nowhere"})
    assert await facts.undeclared(db) == {"scratch_notes"}
    with pytest.raises(AssertionError, match="scratch_notes"):
        await only_declared_collections(db)


async def test_declared_collections_pass_the_check(db: Any) -> None:
    await ensure_indexes(db)
    await db.forum_posts.insert_one({"body": "a post"})
    assert await facts.undeclared(db) == set()
    await only_declared_collections(db)


def test_each_collection_and_search_index_has_one_owner(registries: None) -> None:
    facts.declare(forums_storage.STORAGE)  # every app a process builds declares again: nothing changes
    assert facts.COLLECTIONS["forum_posts"] is next(c for c in forums_storage.STORAGE.collections if c.name == "forum_posts")
    with pytest.raises(ValueError, match="'users' is declared twice"):
        facts.declare(facts.StorageFacts(collections=(facts.Collection("users"),)))
    with pytest.raises(ValueError, match="'threads_posts' is declared twice"):
        facts.declare(facts.StorageFacts(collections=(), search=(
            facts.SearchDocuments("threads_posts", forums_storage.load_threads_posts, sources=()),)))


async def test_a_new_feature_needs_only_its_declaration(db: Any, registries: None) -> None:
    """What the vacancies feature will do: declare its collection, and its indexes are created,
    its personal data is erased and exported, and its documents reach search."""
    facts.declare(facts.StorageFacts(
        collections=(facts.Collection("vacancies", indexes=(IndexModel([("org_id", 1), ("closes_at", 1)]),),
                                      personal=(facts.Personal("posted_by", "anonymise", replacements={"posted_by": None},
                                                               purpose="Vacancies you posted."),)),),
        search=(facts.SearchDocuments("vacancies", documents.single("vacancies", documents.vacancy_document),
                                      sources=(("vacancies", {}),)),),
    ))
    await ensure_indexes(db)
    assert "org_id_1_closes_at_1" in await db.vacancies.index_information()

    poster = ObjectId()
    rules = [entry for entry in registry.entries() if entry.collection == "vacancies"]
    assert [(rule.field, rule.action, rule.purpose) for rule in rules] == [("posted_by", "anonymise", "Vacancies you posted.")]
    assert rules[0].match(poster, None) == {"posted_by": poster}

    vacancy_id = ObjectId()
    await db.vacancies.insert_one({"_id": vacancy_id, "title": "Budget analyst", "status": "open", "posted_by": poster,
                                   "created_at": datetime(2026, 5, 1, tzinfo=UTC)})
    assert await documents.source_count(db, "vacancies") == 1
    assert [doc_id async for doc_id in documents.source_ids(db, "vacancies")] == [str(vacancy_id)]
    changes = await documents.load(db, "vacancies", str(vacancy_id))
    assert [(doc["id"], doc["kind"], doc["title"], doc["hidden"]) for doc in changes.upserts] == [
        (str(vacancy_id), "vacancy", "Budget analyst", False)]
    assert await facts.undeclared(db) == set()


async def test_an_index_no_feature_declared_has_no_sources(db: Any) -> None:
    assert "events" not in facts.SEARCH
    assert await documents.source_count(db, "events") == 0
    assert [doc_id async for doc_id in documents.source_ids(db, "events")] == []
    with pytest.raises(ValueError, match="unknown search index 'events'"):
        await documents.load(db, "events", str(ObjectId()))
