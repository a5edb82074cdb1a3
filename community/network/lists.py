"""A person's network lists, with the people on them and the count of each: one read for the
page and the API."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.accounts import people
from community.network import queries
from community.network.queries import ListName
from community.storage.api import Database


async def network_list(db: Database, me: ObjectId, name: ListName) -> dict[str, Any]:
    rows = await queries.listed(db, me, name)
    found = await people.people_by_id(db, (row["person_id"] for row in rows))
    items = []
    for row in rows:
        person = found.get(row["person_id"])
        items.append({"id": str(row["person_id"]), "name": people.shown_name(person),
                      "designation": person["designation"] if person is not None and not person["deleted"] else None,
                      "at": row["at"].isoformat() if row["at"] is not None else None, "note": row["note"]})
    return {"name": name, "counts": await queries.counts(db, me), "items": items}
