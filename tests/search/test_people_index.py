"""The people index follows storage: verification makes a member findable, Karma orders them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from community.accounts import otp
from community.accounts.schemas import VerifyIn
from community.accounts.verify import verify_email
from community.karma import service as karma
from community.policy import Actor, Role, search_visibility
from community.storage import connect
from community.storage.indexes import ensure_indexes
from search.embedded import EmbeddedEngine
from search.engine import Sort
from search.indexer import Indexer
from search.outbox import OUTBOX
from search.reindex import reindex
from tests.factories import make_user

SECRET = "a test secret that is at least thirty-two characters"
MEMBER = search_visibility(Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER})))


@pytest.fixture
async def db() -> AsyncIterator[Any]:
    client = connect("sqlite:///:memory:")
    created = client["community"]
    await ensure_indexes(created)
    yield created
    await client.close()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[EmbeddedEngine]:
    created = EmbeddedEngine(tmp_path / "search")
    await created.ensure_indexes()
    yield created
    await created.close()


async def people_named(engine: EmbeddedEngine, name: str) -> list[str]:
    return [hit.document["name"] for hit in (await engine.search("people", name, MEMBER)).hits]


async def by_karma(engine: EmbeddedEngine) -> list[tuple[str, int]]:
    result = await engine.search("people", "", MEMBER, sort=Sort("karma", "desc"))
    return [(hit.document["name"], hit.document["karma"]) for hit in result.hits]


async def test_a_member_becomes_findable_once_their_address_is_verified(db: Any, engine: EmbeddedEngine) -> None:
    person = await make_user(db, name="Shalini Kapoor", verified=False)
    await reindex(db, engine)
    assert await people_named(engine, "Shalini") == [], "an unverified account is never indexed"

    code = await otp.issue(db, SECRET, person["_id"], otp.VERIFY)
    await verify_email(db, SECRET, VerifyIn(email=person["email"], code=code))
    entries = await db[OUTBOX].find({}).to_list(None)
    assert [(entry["index"], entry["doc_id"]) for entry in entries] == [("people", str(person["_id"]))]
    await Indexer(db, engine).drain()
    assert await people_named(engine, "Shalini") == ["Shalini Kapoor"]


async def test_people_are_ordered_by_the_karma_their_ledger_holds(db: Any, engine: EmbeddedEngine) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db, name="Ravi Kumar")
    answer, question = ObjectId(), ObjectId()
    await karma.award(db, user_id=ravi["_id"], points=15, reason="forum_accepted_answer", object_type="forum_post",
                      object_id=answer)
    await karma.award(db, user_id=asha["_id"], points=2, reason="forum_upvote_received", object_type="forum_vote",
                      object_id=f"{question}|{ravi['_id']}")
    indexer = Indexer(db, engine)
    await indexer.drain()
    assert await by_karma(engine) == [("Ravi Kumar", 15), ("Asha Menon", 2)]

    assert await karma.reverse(db, user_id=ravi["_id"], reason="forum_accepted_answer", object_type="forum_post",
                               object_id=answer)
    await indexer.drain()
    assert await by_karma(engine) == [("Asha Menon", 2), ("Ravi Kumar", 0)]
