from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community.karma import service
from community.karma.leaderboard import Period, leaderboard, period_start
from community.storage import connect
from community.storage.indexes import ensure_indexes


@pytest.fixture
async def store() -> Any:
    client = connect("sqlite:///:memory:")
    db = client["karma_test"]
    await ensure_indexes(db)
    yield db
    await client.close()


async def person(db: Any, name: str, org: ObjectId | None = None) -> ObjectId:
    user = {"name": name, "email": f"{ObjectId()}@example.gov.in", "org_id": org or ObjectId()}
    return (await db.users.insert_one(user)).inserted_id


async def test_award_is_idempotent_per_reason_and_object(store: Any) -> None:
    asha = await person(store, "Asha")
    post = ObjectId()
    assert await service.award(store, user_id=asha, points=10, reason="accepted_answer", object_type="post", object_id=post)
    assert not await service.award(store, user_id=asha, points=10, reason="accepted_answer", object_type="post", object_id=post)
    assert await service.award(store, user_id=asha, points=2, reason="upvote", object_type="post", object_id=post)
    assert await service.total(store, asha) == 12


async def test_reversal_compensates_without_rewriting_history(store: Any) -> None:
    asha = await person(store, "Asha")
    post = ObjectId()
    await service.award(store, user_id=asha, points=10, reason="accepted_answer", object_type="post", object_id=post)
    assert await service.reverse(store, user_id=asha, reason="accepted_answer", object_type="post", object_id=post)
    assert not await service.reverse(store, user_id=asha, reason="accepted_answer", object_type="post", object_id=post)
    assert await service.total(store, asha) == 0
    entries = await store.karma_ledger.find({"user_id": asha}, sort=[("seq", 1)]).to_list(None)
    assert [(e["kind"], e["points"]) for e in entries] == [("award", 10), ("reversal", -10)]
    assert await service.award(store, user_id=asha, points=10, reason="accepted_answer", object_type="post", object_id=post)
    assert await service.total(store, asha) == 10


async def test_reverse_without_award_writes_nothing(store: Any) -> None:
    asha = await person(store, "Asha")
    assert not await service.reverse(store, user_id=asha, reason="upvote", object_type="post", object_id=ObjectId())
    assert await store.karma_ledger.count_documents({}) == 0


async def test_concurrent_awards_count_once(store: Any) -> None:
    asha = await person(store, "Asha")
    post = ObjectId()
    results = await asyncio.gather(*[
        service.award(store, user_id=asha, points=5, reason="upvote", object_type="post", object_id=post) for _ in range(20)
    ])
    assert results.count(True) == 1
    assert await service.total(store, asha) == 5


async def test_the_total_is_kept_and_read_as_one_document(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger written before the totals began (entries only) is counted in full by the first
    award after it; from then on the total is one kept document, read without the ledger."""
    asha, bala = await person(store, "Asha"), await person(store, "Bala")
    earlier = datetime.now(UTC) - timedelta(days=400)
    await store.karma_ledger.insert_many([
        {"key": f"{asha}|upvote|post|{n}", "seq": 1, "kind": "award", "user_id": asha, "org_id": None,
         "points": 3, "reason": "upvote", "object_type": "post", "object_id": n, "at": earlier}
        for n in range(4)
    ])
    assert await service.total(store, asha) == 12, "no total kept yet: the ledger's sum"
    assert await service.award(store, user_id=asha, points=10, reason="accepted_answer", object_type="post",
                               object_id=ObjectId())
    assert await service.reverse(store, user_id=asha, reason="upvote", object_type="post", object_id=2)
    assert await service.award(store, user_id=bala, points=5, reason="upvote", object_type="post", object_id=1)
    assert await store[service.TOTALS].find_one({"_id": asha}) == {"_id": asha, "points": 19}
    aggregates: list[object] = []
    original = type(store.karma_ledger).aggregate

    async def counted(collection: Any, pipeline: Any, *args: Any, **kwargs: Any) -> Any:
        aggregates.append(pipeline)
        return await original(collection, pipeline, *args, **kwargs)

    monkeypatch.setattr(type(store.karma_ledger), "aggregate", counted)
    assert (await service.total(store, asha), await service.total(store, bala)) == (19, 5)
    assert aggregates == [], "a kept total is read without summing the ledger"


async def test_concurrent_awards_keep_the_total_exact(store: Any) -> None:
    asha = await person(store, "Asha")
    posts = [ObjectId() for _ in range(6)]
    results = await asyncio.gather(*[
        service.award(store, user_id=asha, points=n + 1, reason="upvote", object_type="post", object_id=post)
        for n, post in enumerate(posts) for _ in range(3)
    ])
    assert results.count(True) == 6
    await asyncio.gather(*[service.reverse(store, user_id=asha, reason="upvote", object_type="post", object_id=post)
                           for post in posts[:2]])
    assert await service.total(store, asha) == sum(range(3, 7))
    ledger = await store.karma_ledger.find({"user_id": asha}).to_list(None)
    assert sum(entry["points"] for entry in ledger) == sum(range(3, 7))


async def test_non_positive_award_is_refused(store: Any) -> None:
    with pytest.raises(ValueError):
        await service.award(store, user_id=ObjectId(), points=0, reason="x", object_type="post", object_id=1)


async def test_leaderboards_by_period_and_organisation(store: Any) -> None:
    org_a, org_b = ObjectId(), ObjectId()
    asha, bala, chitra = await person(store, "Asha", org_a), await person(store, "Bala", org_a), await person(store, "चित्रा", org_b)
    for who, points in ((asha, 5), (bala, 8), (chitra, 20)):
        await service.award(store, user_id=who, points=points, reason="r", object_type="t", object_id=1)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    await store.karma_ledger.insert_one({"key": "old", "seq": 1, "kind": "award", "user_id": asha, "org_id": org_a,
                                         "points": 100, "reason": "r", "object_type": "t", "object_id": 2, "at": long_ago})
    week = await leaderboard(store, period=Period.WEEK)
    assert [(row["name"], row["points"], row["rank"]) for row in week] == [("चित्रा", 20, 1), ("Bala", 8, 2), ("Asha", 5, 3)]
    all_time = await leaderboard(store, period=Period.ALL, org_id=org_a)
    assert [(row["name"], row["points"]) for row in all_time] == [("Asha", 105), ("Bala", 8)]


def test_weeks_start_on_monday_in_india() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)  # Monday 00:30 in IST
    assert period_start(Period.WEEK, sunday_night_utc) == datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
    assert period_start(Period.MONTH, sunday_night_utc) == datetime(2026, 10, 31, 18, 30, tzinfo=UTC)
    assert period_start(Period.ALL, sunday_night_utc) is None
