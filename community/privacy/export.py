"""Everything the server holds about a person, as one JSON document (DPDP Act 2023, s. 11)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.api import timestamp
from community.privacy.registry import entries
from community.storage.api import Database


def plain(value: Any) -> Any:
    """A JSON-ready copy: ids as strings, times in RFC 3339 (UTC, `Z`), bytes in base64."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, (bytes, bytearray)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


async def personal_data(db: Database, user_id: ObjectId, *, own: bool = True) -> dict[str, Any]:
    """Collect every registered collection's documents about ``user_id``, secrets left out, and
    private fields too unless the person reads their ``own`` data."""
    collections: dict[str, dict[str, Any]] = {}
    email = await people.email_of(db, user_id)
    for entry in entries():
        match = entry.match(user_id, email)
        if match is None:
            continue
        section = collections.setdefault(entry.collection, {"label": entry.label, "purposes": [], "documents": []})
        seen = {plain(document["_id"]) for document in section["documents"] if "_id" in document}
        found = False
        async for document in db[entry.collection].find(match):
            found = True
            key = plain(document.get("_id"))
            for secret in (*entry.secret_fields, *(() if own else entry.private_fields)):
                document.pop(secret, None)
            if key in seen and "_id" in document:
                continue
            seen.add(key)
            section["documents"].append(plain(document))
        # Only the purposes of the ways the person is in the collection: someone no administrator
        # ever acted for is not told of "Administrative actions you took".
        if found and entry.purpose and entry.purpose not in section["purposes"]:
            section["purposes"].append(entry.purpose)
    return {
        "person_id": str(user_id),
        "generated_at": timestamp(datetime.now(UTC)),
        "collections": {name: section for name, section in collections.items() if section["documents"]},
    }
