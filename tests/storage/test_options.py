"""PyMongo's per-database and per-collection settings (``with_options``, read and write
concerns, read preference, codec options) and ``list_indexes``: accepted where one embedded
node honours them, refused by name where it cannot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bson import SON
from bson.codec_options import CodecOptions
from pymongo import ReadPreference, WriteConcern
from pymongo.errors import ConfigurationError
from pymongo.read_concern import ReadConcern

from community.storage import connect


async def test_settings_are_inherited_and_overridden(client: Any) -> None:
    assert client.write_concern == WriteConcern() and client.read_concern == ReadConcern()
    db = client.get_database("test", write_concern=WriteConcern("majority"), read_concern=ReadConcern("majority"))
    assert db.write_concern == WriteConcern("majority")
    coll = db.get_collection("c", read_preference=ReadPreference.PRIMARY_PREFERRED)
    assert coll.write_concern == WriteConcern("majority")
    assert coll.read_concern == ReadConcern("majority")
    assert coll.read_preference == ReadPreference.PRIMARY_PREFERRED
    again = coll.with_options(write_concern=WriteConcern(w=1, wtimeout=1000))
    assert again.write_concern == WriteConcern(w=1, wtimeout=1000)
    assert again.read_preference == ReadPreference.PRIMARY_PREFERRED
    assert coll.write_concern == WriteConcern("majority")  # the original is unchanged
    assert db.with_options(read_concern=ReadConcern("local")).c.read_concern == ReadConcern("local")
    await again.insert_one({"_id": 1})
    assert await db.c.find_one({"_id": 1}) == {"_id": 1}
    assert client.get_database("test", codec_options=CodecOptions()).name == "test"


@pytest.mark.parametrize(("options", "name"), [
    ({"write_concern": WriteConcern(w=0)}, "w=0"),
    ({"write_concern": WriteConcern(w=2)}, "w=2"),
    ({"write_concern": WriteConcern(w="datacentre")}, "datacentre"),
    ({"write_concern": WriteConcern(j=True)}, "synchronous=FULL"),
    ({"read_preference": ReadPreference.SECONDARY}, "secondary"),
    ({"read_concern": ReadConcern("eventual")}, "eventual"),
    ({"codec_options": CodecOptions(tz_aware=True)}, "codec_options"),
])
async def test_what_one_node_cannot_honour_is_refused_by_name(client: Any, options: dict[str, Any], name: str) -> None:
    for make in (lambda: client.get_database("test", **options), lambda: client.test.get_collection("c", **options),
                 lambda: client.test.with_options(**options), lambda: client.test.c.with_options(**options)):
        with pytest.raises(ConfigurationError, match=name):
            make()


async def test_settings_of_the_wrong_type_are_type_errors(client: Any) -> None:
    with pytest.raises(TypeError):
        client.test.c.with_options(write_concern={"w": 1})
    with pytest.raises(TypeError):
        client.get_database("test", read_concern="majority")
    with pytest.raises(TypeError):
        client.test.with_options(read_preference="primary")


async def test_journaled_writes_when_every_commit_is_fsynced(tmp_path: Path) -> None:
    store = connect(f"sqlite:///{tmp_path / 'full.db'}?synchronous=FULL")
    try:
        coll = store.test.c.with_options(write_concern=WriteConcern(j=True))
        await coll.insert_one({"_id": 1})
        assert await coll.count_documents({}) == 1
    finally:
        await store.close()


async def test_list_indexes_gives_mongodbs_index_documents(db: Any) -> None:
    assert await (await db.missing.list_indexes()).to_list() == []
    await db.c.create_index("email", unique=True)
    await db.c.create_index([("b", 1), ("a", -1)], sparse=True, name="b_a")
    await db.c.create_index("at", expireAfterSeconds=60)
    cursor = await db.c.list_indexes()
    docs = [doc async for doc in cursor]
    assert docs == [
        {"v": 2, "key": {"_id": 1}, "name": "_id_"},
        {"v": 2, "key": {"email": 1}, "name": "email_1", "unique": True},
        {"v": 2, "key": {"b": 1, "a": -1}, "name": "b_a", "sparse": True},
        {"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 60},
    ]
    assert all(isinstance(doc, SON) and isinstance(doc["key"], SON) for doc in docs)
    assert list(docs[2]["key"].items()) == [("b", 1), ("a", -1)]  # key order is the index's order
    assert list(docs[1]) == ["v", "key", "name", "unique"]
