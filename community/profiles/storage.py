"""Profiles' storage facts: collections, indexes, personal data and the people search documents.

Search: one document per searchable copy of a profile (``community.policy.profile_search_copies``),
built from ``users`` and ``profiles``, with only the fields that copy's audience may see, and
the person's Karma total (``community.karma.service.total``). Loading a person's documents also
rebuilds their rows of the Network directory (``community.profiles.directory``), so the outbox
that keeps search current keeps the directory current too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import IndexModel

from community import policy
from community.accounts import people
from community.karma import service as karma_service
from community.profiles import avatar, directory
from community.profiles import fields as profile_fields
from community.profiles.edit import SEARCH_INDEX, reindex
from community.profiles.queries import ENDORSEMENTS, PROFILES, VERIFICATIONS
from community.i18n import N_
from community.storage.facts import Collection, Personal, SearchDocuments, StorageFacts
from search.documents import Changes, epoch, object_id
from community.storage.api import Database

def person_documents(user: Mapping[str, Any], profile: Mapping[str, Any] | None, karma: int) -> list[dict[str, Any]]:
    """One document per copy the policy allows; each holds only the fields its audience may see.
    ``karma`` is the person's total (``community.karma.service.total``), shown to every member."""
    profile = profile or {}
    privacy = profile_fields.privacy_of(profile)
    fields = profile_fields.search_values(user, profile)
    docs = []
    for copy, access, except_org in policy.profile_search_copies(user):
        allowed = policy.SEARCHABLE_PRIVACY[copy]
        doc: dict[str, Any] = {
            "id": f"{user['_id']}.{copy}", "kind": "person", "person_id": str(user["_id"]),
            "name": user.get("name", ""), "date": epoch(user.get("created_at")),
            "karma": karma,
            "access": access, "except_org": except_org, "hidden": False,
        }
        for name, (privacy_field, value) in fields.items():
            if value and privacy.get(privacy_field, "me") in allowed:
                doc[name] = value
        docs.append(doc)
    return docs


async def load_people(db: Database, doc_id: str) -> Changes:
    person_id = doc_id.split(".", 1)[0]
    every_copy = [f"{person_id}.{copy}" for copy in policy.SEARCHABLE_PRIVACY]
    oid = object_id(person_id)
    user = await people.person_by_id(db, oid) if oid is not None else None
    if oid is not None:
        await directory.rebuild(db, oid)
    if oid is None or user is None:
        return Changes(deletes=every_copy)
    docs = person_documents(user, await db[PROFILES].find_one({"_id": oid}), await karma_service.total(db, oid))
    kept = {d["id"] for d in docs}
    return Changes(upserts=docs, deletes=[i for i in every_copy if i not in kept])


STORAGE = StorageFacts(
    collections=(
        Collection(PROFILES, label=N_("Profile"), indexes=(
            IndexModel([("competencies.competency_id", 1)]),  # holders of a competency (directory, delete check)
            IndexModel([("position_id", 1)], sparse=True),
        ), personal=(Personal("_id", "delete", purpose=N_("Your profile: what you tell other members about yourself.")),)),
        Collection(directory.DIRECTORY, label=N_("Profile"), indexes=(
            IndexModel([("competency", 1), ("basis", 1), ("key", 1)]),  # a filter's range, in page order
            IndexModel([("person_id", 1), ("competency", 1), ("basis", 1)]),  # a person's rows; free-text matches
            IndexModel([("org_id", 1), ("competency", 1), ("person_id", 1)]),  # colleagues (people you may know)
            IndexModel([("state", 1), ("competency", 1), ("person_id", 1)]),  # people posted in a state (the same)
        ), personal=(Personal("person_id", "delete", purpose=N_("Your entries in the Network directory, "
                                                                "copied from your profile.")),)),
        Collection(avatar.COLLECTION, label=N_("Profile"), personal=(Personal("_id", "delete", purpose=N_("Your profile picture.")),)),
        Collection(ENDORSEMENTS, label=N_("Endorsements"), indexes=(
            IndexModel([("user_id", 1), ("competency_id", 1), ("endorser_id", 1)], unique=True),  # one per expert
            IndexModel([("endorser_id", 1)]),  # endorsements given, for export and erasure
        ), personal=(
            Personal("user_id", "delete", purpose=N_("Experts' endorsements of your competencies.")),
            Personal("endorser_id", "delete",
                     purpose=N_("Endorsements you gave as an expert; withdrawn when your account is erased.")),
        )),
        Collection(VERIFICATIONS, label=N_("Verified competencies"), indexes=(
            IndexModel([("user_id", 1), ("competency_id", 1)]), IndexModel([("recorded_by", 1)]),
        ), personal=(
            Personal("user_id", "delete", purpose=N_("Assessment and course results for your competencies.")),
            Personal("recorded_by", "anonymise", replacements={"recorded_by": None},
                     purpose=N_("Results you recorded as an administrator; the results stay, your name goes.")),
        )),
    ),
    search=(SearchDocuments(SEARCH_INDEX, load_people, sources=(("users", {}),)),),
    erasure_hooks=(reindex,),
)
