"""The entry point: which client a URL gives, and the basic shape of the embedded one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import ConfigurationError, DuplicateKeyError, InvalidOperation
from pymongo.results import InsertOneResult, UpdateResult

from community.storage import EmbeddedClient, connect, facts
from community.storage.indexes import ensure_indexes


async def test_mongodb_urls_give_pymongos_async_client() -> None:
    client = connect("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=10")
    assert isinstance(client, AsyncMongoClient)
    await client.close()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite:///rel.db", "sqlite:////ABS/abs.db"])
async def test_sqlite_urls_give_the_embedded_engine(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    client = connect(url.replace("/ABS", str(tmp_path)))
    assert isinstance(client, EmbeddedClient)
    await client["app"]["things"].insert_one({"a": 1})
    await client.close()
    if url == "sqlite:///rel.db":
        assert (tmp_path / "rel.db").exists()
    if "ABS" in url:
        assert (tmp_path / "abs.db").exists()


def test_unknown_schemes_and_options_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="postgres"):
        connect("postgres://x")
    with pytest.raises(ConfigurationError, match="journal"):
        connect("sqlite:///:memory:?journal=off")
    with pytest.raises(ConfigurationError, match="synchronous"):
        connect("sqlite:///:memory:?synchronous=SOMETIMES")


async def test_databases_and_collections_by_item_and_attribute(client: Any) -> None:
    db = client.get_database("app")
    assert db.name == "app" and db.client is client
    assert db.people.name == "people" and db["people"].full_name == "app.people"
    result = await db.people.insert_one({"name": "Asha"})
    assert isinstance(result, InsertOneResult)
    assert await client["app"]["people"].find_one({"_id": result.inserted_id}) == {"_id": result.inserted_id, "name": "Asha"}
    assert await db.list_collection_names() == ["people"]


async def test_a_file_store_keeps_data_across_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keep.db'}"
    first = connect(url)
    await first.app.notes.create_index("slug", unique=True)
    await first.app.notes.insert_one({"slug": "a"})
    await first.close()
    second = connect(url)
    assert (await second.app.notes.find_one({}, {"_id": 0})) == {"slug": "a"}
    with pytest.raises(DuplicateKeyError):
        await second.app.notes.insert_one({"slug": "a"})
    await second.close()


async def test_a_closed_client_refuses_work() -> None:
    client = connect("sqlite:///:memory:")
    await client.close()
    with pytest.raises(InvalidOperation):
        await client.app.x.find_one({})


async def test_ensure_indexes_is_idempotent(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pymongo import IndexModel

    monkeypatch.setitem(facts.COLLECTIONS, "widgets", facts.Collection(
        "widgets", indexes=(IndexModel([("code", 1)], unique=True), IndexModel([("a", 1), ("b", -1)]))))
    await ensure_indexes(db)
    await ensure_indexes(db)
    info = await db.widgets.index_information()
    assert set(info) == {"_id_", "code_1", "a_1_b_-1"}
    assert info["code_1"]["unique"] is True
    await db.widgets.insert_one({"code": 1})
    with pytest.raises(DuplicateKeyError):
        await db.widgets.insert_one({"code": 1})


async def test_update_result_is_pymongos(db: Any) -> None:
    await db.c.insert_one({"_id": 1, "n": 1})
    result = await db.c.update_one({"_id": 1}, {"$inc": {"n": 1}})
    assert isinstance(result, UpdateResult)
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    upserted = await db.c.update_one({"_id": 2}, {"$set": {"n": 5}}, upsert=True)
    assert (upserted.matched_count, upserted.upserted_id) == (0, 2)
    assert await db.c.find_one({"_id": 2}) == {"_id": 2, "n": 5}


async def test_two_engines_on_one_file_see_each_others_collections_and_indexes(tmp_path: Path) -> None:
    """Like the server and a maintenance command (or a test) opening the same file."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = connect(url), connect(url)
    await second.app.seen.find_one({})  # the second engine has read its catalog
    await first.app.late.create_index("code", unique=True)
    await first.app.late.insert_one({"code": 1})
    assert await second.app.late.find_one({}, {"_id": 0}) == {"code": 1}
    with pytest.raises(DuplicateKeyError):
        await second.app.late.insert_one({"code": 1})
    await second.app.other.insert_one({"x": 1})
    assert await first.app.other.count_documents({}) == 1
    await first.close()
    await second.close()
