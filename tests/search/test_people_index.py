"""The people index follows storage: verification makes a member findable, Karma orders them."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.accounts import otp
from community.accounts.schemas import VerifyIn
from community.accounts.verify import verify_email
from community.karma import service as karma
from community.policy import Actor, Role, search_visibility
from search.embedded import EmbeddedEngine
from search.engine import Sort
from search.indexer import Indexer
from search.outbox import OUTBOX
from search.reindex import reindex
from tests.factories import bare_app, make_user

SECRET = "a test secret that is at least thirty-two characters"
MEMBER = search_visibility(Actor(user_id=ObjectId(), org_id=ObjectId(), roles=frozenset({Role.OFFICER})))


async def people_named(embedded_engine: EmbeddedEngine, name: str) -> list[str]:
    return [hit.document["name"] for hit in (await embedded_engine.search("people", name, MEMBER)).hits]


async def by_karma(embedded_engine: EmbeddedEngine) -> list[tuple[str, int]]:
    result = await embedded_engine.search("people", "", MEMBER, sort=Sort("karma", "desc"))
    return [(hit.document["name"], hit.document["karma"]) for hit in result.hits]


async def test_a_member_becomes_findable_once_their_address_is_verified(bare_db: Any, embedded_engine: EmbeddedEngine) -> None:
    person = await make_user(bare_db, name="Shalini Kapoor", verified=False)
    await reindex(bare_db, embedded_engine)
    assert await people_named(embedded_engine, "Shalini") == [], "an unverified account is never indexed"

    code = await otp.issue(bare_db, SECRET, person["_id"], otp.VERIFY)
    await verify_email(bare_app(bare_db), SECRET, VerifyIn(email=person["email"], code=code))
    entries = await bare_db[OUTBOX].find({}).to_list(None)
    assert [(entry["index"], entry["doc_id"]) for entry in entries] == [("people", str(person["_id"]))]
    await Indexer(bare_db, embedded_engine).drain()
    assert await people_named(embedded_engine, "Shalini") == ["Shalini Kapoor"]


async def test_people_are_ordered_by_the_karma_their_ledger_holds(bare_db: Any, embedded_engine: EmbeddedEngine) -> None:
    asha, ravi = await make_user(bare_db, name="Asha Menon"), await make_user(bare_db, name="Ravi Kumar")
    answer, question = ObjectId(), ObjectId()
    await karma.award(bare_db, user_id=ravi["_id"], points=15, reason="forum_accepted_answer", object_type="forum_post",
                      object_id=answer)
    await karma.award(bare_db, user_id=asha["_id"], points=2, reason="forum_upvote_received", object_type="forum_vote",
                      object_id=f"{question}|{ravi['_id']}")
    indexer = Indexer(bare_db, embedded_engine)
    await indexer.drain()
    assert await by_karma(embedded_engine) == [("Ravi Kumar", 15), ("Asha Menon", 2)]

    assert await karma.reverse(bare_db, user_id=ravi["_id"], reason="forum_accepted_answer", object_type="forum_post",
                               object_id=answer)
    await indexer.drain()
    assert await by_karma(embedded_engine) == [("Asha Menon", 2), ("Ravi Kumar", 0)]


async def test_the_about_is_indexed_as_the_words_a_reader_sees(bare_db: Any, embedded_engine: EmbeddedEngine) -> None:
    person = await make_user(bare_db, name="Meera Pillai")
    await bare_db.profiles.insert_one({"_id": person["_id"], "privacy": {},
                                       "bio": "Runs **GeM** audits; notes at [the portal](https://gem.gov.in/notes)"})
    await reindex(bare_db, embedded_engine)
    hit = (await embedded_engine.search("people", "audits", MEMBER)).hits[0]
    assert hit.document["bio"] == "Runs GeM audits; notes at the portal"
    assert hit.highlights["bio"] == "Runs GeM <mark>audits</mark>; notes at the portal"
    assert (await embedded_engine.search("people", "https", MEMBER)).hits == [], "a link's address is not its words"
