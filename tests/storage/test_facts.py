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
    """What a new feature does: declare its collection, and its indexes are created and its
    personal data is erased and exported."""
    facts.declare(facts.StorageFacts(
        collections=(facts.Collection("trainings", indexes=(IndexModel([("org_id", 1), ("starts_at", 1)]),),
                                      personal=(facts.Personal("posted_by", "anonymise", replacements={"posted_by": None},
                                                               purpose="Trainings you posted."),)),),
    ))
    await ensure_indexes(db)
    assert "org_id_1_starts_at_1" in await db.trainings.index_information()

    poster = ObjectId()
    rules = [entry for entry in registry.entries() if entry.collection == "trainings"]
    assert [(rule.field, rule.action, rule.purpose) for rule in rules] == [("posted_by", "anonymise", "Trainings you posted.")]
    assert rules[0].match(poster, None) == {"posted_by": poster}
    await db.trainings.insert_one({"_id": ObjectId(), "title": "Budget analysis", "posted_by": poster,
                                   "created_at": datetime(2026, 5, 1, tzinfo=UTC)})
    assert await facts.undeclared(db) == set()


async def test_an_index_a_feature_retired_is_dropped_at_start_where_a_store_still_has_it(db: Any) -> None:
    from community.notifications.queries import NOTIFICATIONS

    await db[NOTIFICATIONS].create_index([("open_key", 1), ("intents", 1)], sparse=True)
    await ensure_indexes(db)
    held = await db[NOTIFICATIONS].index_information()
    assert "open_key_1_intents_1" not in held, "a retired index is dropped"
    assert "open_key_1" in held, "the declared ones stay"
    await ensure_indexes(db)  # and a store without it starts as well
