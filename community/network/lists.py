"""A person's network lists, with the people on them and the count of each: one read for the
page and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId

from community import api
from community.accounts import people
from community.errors import Invalid
from community.i18n import gettext as _
from community.network import queries
from community.network.queries import ListName
from community.storage.api import Database


def _position(cursor: str | None) -> queries.Position | None:
    position = api.decode_cursor(cursor)
    if position is None:
        return None
    try:
        return datetime.fromisoformat(position["at"]), position["id"]
    except (KeyError, TypeError, ValueError):
        raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")}) from None


async def network_list(db: Database, me: ObjectId, name: ListName, *, cursor: str | None = None,
                       limit: int = queries.PAGE_SIZE) -> dict[str, Any]:
    """A page of one list (after ``cursor``, the ``next`` of the page before), and every list's count."""
    rows = await queries.listed(db, me, name, before=_position(cursor), limit=limit + 1)
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = api.encode_cursor({"at": rows[-1]["at"].isoformat(), "id": rows[-1]["_id"]})
    found = await people.people_by_id(db, (row["person_id"] for row in rows))
    items = []
    for row in rows:
        person = found.get(row["person_id"])
        items.append({"id": str(row["person_id"]), "name": people.shown_name(person),
                      "designation": person["designation"] if person is not None and not person["deleted"] else None,
                      "at": row["at"].isoformat() if row["at"] is not None else None, "note": row["note"]})
    return {"name": name, "counts": await queries.counts(db, me), "items": items, "next": following}
