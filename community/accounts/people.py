"""People as other features see them: the only way into the ``users`` collection from outside
``community.accounts``.

Reads take many ids and make one query (``people_by_id``), so a page of posts costs one read of
its authors however many there are. Results are typed (:class:`Person`, :class:`Member`); they are
dictionaries so pages and serialisers that read ``person.get("name")`` work on them unchanged. A
``Person`` never holds credentials or contact details; a :class:`Member` (for a profile card) adds
the contact details the profile's privacy settings then filter. Writes that other features make to
a person (a suspension, the name on a profile) are functions here too, taking the caller's
transaction session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from bson import ObjectId

from community.actions import Action
from community.policy import require_member
from community.storage.api import Database


PEOPLE_INDEX = "people"
"""The search index of people: a write that changes what it holds (a verified address, an
organisation, a name) tells it in the same transaction (``tx.reindex(PEOPLE_INDEX, user_id)``)."""


class Person(TypedDict):
    _id: ObjectId
    name: str | None
    designation: str | None
    org_id: ObjectId | None
    roles: list[str]
    deleted: bool
    email_verified: bool
    suspended_until: datetime | None
    created_at: datetime | None
    language: str | None


class Member(Person):
    """A person with the contact details a profile may show (its privacy settings decide)."""

    email: str | None
    mobile: str | None


class Recipient(TypedDict):
    """Where mail for a person goes, and in which language."""

    _id: ObjectId
    email: str
    name: str
    language: str | None


_PERSON = {"name": 1, "designation": 1, "org_id": 1, "roles": 1, "deleted": 1, "email_verified": 1,
           "suspended_until": 1, "created_at": 1, "language": 1}
_MEMBER = {**_PERSON, "email": 1, "mobile": 1}
_LIVE = {"deleted": {"$ne": True}}


def shown_name(person: Person | None) -> str | None:
    """The name a page shows for a person; ``None`` for an unknown or erased one ("a deleted member")."""
    return None if person is None or person["deleted"] else person["name"]


def _person(row: dict[str, Any]) -> Person:
    return Person(_id=row["_id"], name=row.get("name"), designation=row.get("designation"), org_id=row.get("org_id"),
                  roles=list(row.get("roles", [])), deleted=bool(row.get("deleted")),
                  email_verified=bool(row.get("email_verified")), suspended_until=row.get("suspended_until"),
                  created_at=row.get("created_at"), language=row.get("language"))


def _member(row: dict[str, Any]) -> Member:
    return Member(**_person(row), email=row.get("email"), mobile=row.get("mobile"))


def _ids(ids: Iterable[Any]) -> list[ObjectId]:
    return list({i for i in ids if isinstance(i, ObjectId)})


async def people_by_id(db: Database, ids: Iterable[Any], *, session: Any = None) -> dict[ObjectId, Person]:
    """Everyone of ``ids`` who has an account, erased accounts included (``deleted`` says so:
    their posts show "a deleted member"); ids that are ``None`` or unknown are left out."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    return {row["_id"]: _person(row) async for row in db.users.find({"_id": {"$in": wanted}}, _PERSON, session=session)}


async def person_by_id(db: Database, user_id: Any, *, session: Any = None) -> Person | None:
    """One person, erased or not; ``None`` for an unknown id."""
    if not isinstance(user_id, ObjectId):
        return None
    row = await db.users.find_one({"_id": user_id}, _PERSON, session=session)
    return _person(row) if row is not None else None


async def members_by_id(db: Database, ids: Iterable[Any]) -> dict[ObjectId, Member]:
    """The members of ``ids`` whose accounts are not erased, with their contact details."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    return {row["_id"]: _member(row) async for row in db.users.find({"_id": {"$in": wanted}, **_LIVE}, _MEMBER)}


async def member_by_id(db: Database, user_id: Any) -> Member | None:
    """One member with contact details; ``None`` for an unknown or erased account."""
    return (await members_by_id(db, [user_id])).get(user_id)


async def names_by_id(db: Database, ids: Iterable[Any]) -> dict[ObjectId, str]:
    """Display names (empty for an erased account, which has none)."""
    return {person_id: person["name"] or "" for person_id, person in (await people_by_id(db, ids)).items()}


async def name_of(db: Database, user_id: Any) -> str:
    """One display name; empty for nobody (``None``), an unknown id or an erased account."""
    return (await names_by_id(db, [user_id])).get(user_id, "")


async def languages(db: Database, ids: Iterable[Any]) -> dict[ObjectId, str]:
    """Each person's stored language, for those who have one."""
    return {person_id: person["language"] for person_id, person in (await people_by_id(db, ids)).items()
            if person["language"]}


async def email_of(db: Database, user_id: ObjectId, *, session: Any = None) -> str | None:
    """The person's address (erased accounts have a meaningless one); for data rights, which
    match records kept by address, and the confirmation a person types to erase themselves."""
    row = await db.users.find_one({"_id": user_id}, {"email": 1}, session=session)
    return row.get("email") if row else None


async def mail_recipient(db: Database, user_id: ObjectId) -> Recipient | None:
    """Where mail for the person goes: only a verified address of an account that is not erased."""
    row = await db.users.find_one({"_id": user_id, "email_verified": True, **_LIVE}, {"email": 1, "name": 1, "language": 1})
    if row is None or not row.get("email"):
        return None
    return Recipient(_id=row["_id"], email=row["email"], name=row.get("name") or "", language=row.get("language"))


async def live_people(db: Database) -> list[Person]:
    """Everyone not erased, oldest account first (the demo data builds on them)."""
    return [_person(row) async for row in db.users.find(_LIVE, _PERSON).sort("_id", 1)]


async def named_like(db: Database, prefix: str, org_ids: Sequence[ObjectId] | None, limit: int) -> list[Person]:
    """People whose name, or a later word of it (a surname), starts with ``prefix``
    (case-insensitive; ``prefix`` may hold spaces: "Fatima Men"), those whose name starts with it
    first, each group in name order; only in ``org_ids`` when given (the @mention list)."""
    words = " ".join(prefix.split())
    if not words:
        return []
    scope: dict[str, Any] = dict(_LIVE)
    if org_ids is not None:
        scope["org_id"] = {"$in": list(org_ids)}
    pattern = re.escape(words).replace(r"\ ", r"\s+")
    found: list[Person] = []
    for start in ("^", r"\s"):
        query = {**scope, "name": {"$regex": start + pattern, "$options": "i"}, "_id": {"$nin": [p["_id"] for p in found]}}
        found += [_person(row) async for row in db.users.find(query, _PERSON, sort=[("name", 1)], limit=limit - len(found))]
        if len(found) >= limit:
            break
    return found


async def member_count(db: Database, org_id: ObjectId) -> int:
    """How many people, not erased, belong to the organisation."""
    return await db.users.count_documents({"org_id": org_id, **_LIVE})


async def set_language(tx: Action, locale: str) -> None:
    """The signed-in actor's language, for what reaches them outside a request (e-mail, live
    notifications); the header's language switch sets it."""
    member = require_member(tx.actor)
    await tx.db.users.update_one({"_id": member.user_id}, {"$set": {"language": locale}}, session=await tx.start())


async def set_suspension(db: Database, user_id: ObjectId, until: datetime | None, *, session: Any) -> None:
    """Suspend the person until ``until``, or lift their suspension with ``None``."""
    await db.users.update_one({"_id": user_id}, {"$set": {"suspended_until": until}}, session=session)


async def set_profile_details(db: Database, user_id: ObjectId, *, name: str, details: Mapping[str, Any], session: Any) -> None:
    """The name others see and the profile fields kept on the account (``store="account"`` in
    ``community.profiles.fields``, such as the designation), from a profile edit; the caller
    checked them."""
    await db.users.update_one({"_id": user_id}, {"$set": {"name": name, **details}}, session=session)
