"""``ensure_indexes``: create the indexes every feature declared (``community.storage.facts``),
and drop those it retired.

Creating an index that already exists with the same keys and options does nothing, so it runs
at every start.
"""

from __future__ import annotations


from community.storage import facts
from community.storage.api import Database


async def ensure_indexes(db: Database) -> None:
    for collection in facts.COLLECTIONS.values():
        if collection.indexes:
            await db[collection.name].create_indexes(list(collection.indexes))
        if collection.retired:
            held = await db[collection.name].index_information()
            for name in collection.retired:
                if name in held:
                    await db[collection.name].drop_index(name)
