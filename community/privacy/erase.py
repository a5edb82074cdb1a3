"""Erasure of a person's account (DPDP Act 2023, s. 12): one transaction over every registered rule."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit
from community.accounts import people
from community.errors import NotFound
from community.policy import Actor
from community.privacy.registry import ERASURE_HOOKS, PersonalData, entries
from community.storage import in_transaction
from community.storage.api import Database


def _update_for(entry: PersonalData) -> dict[str, Any]:
    return {"$set": {name: value() if callable(value) else value for name, value in entry.replacements.items()}}


async def erase_person(db: Database, user_id: ObjectId, *, actor: Actor) -> dict[str, int]:
    """Remove ``user_id``'s personal data everywhere; returns documents changed per collection.

    Posts and other shared content stay, pointing at the anonymised ``users`` document, which
    pages show as "a deleted member". All of it happens in one transaction, so a failure leaves
    the account exactly as it was.
    """
    person = await people.person_by_id(db, user_id)
    if person is None or person["deleted"]:
        raise NotFound("There is no such member.")
    email = await people.email_of(db, user_id)

    async def work(session: Any) -> dict[str, int]:
        changed: dict[str, int] = {}
        for entry in entries():
            match = entry.match(user_id, email)
            if entry.action == "keep" or match is None:
                continue
            if entry.action == "delete":
                count = (await db[entry.collection].delete_many(match, session=session)).deleted_count
            else:
                if not entry.replacements:
                    continue
                count = (await db[entry.collection].update_many(match, _update_for(entry), session=session)).modified_count
            changed[entry.collection] = changed.get(entry.collection, 0) + count
        for hook in ERASURE_HOOKS.values():
            await hook(db, user_id, session)
        await audit.record(db, actor=actor, action="privacy.erase", target_type="user", target_id=user_id,
                           session=session)
        return changed

    return await in_transaction(db, work)
