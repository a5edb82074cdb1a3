"""Changes a person makes to their own profile, and endorsements and verifications by others.

Each function checks permission through the policy, validates everything against the
dictionary, and only then writes, so a rejected request changes nothing.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit, policy, ratelimit
from community.accounts import people
from community.accounts.names import check_display_name
from community.actions import Action
from community.competencies import queries as dictionary
from community.errors import Forbidden, Invalid, NotFound
from community.i18n import gettext as _
from community.network import queries as network
from community.notifications.intents import person
from community.profiles import fields, notices, queries, verification
from community.profiles.schemas import (
    MAX_COMPETENCIES,
    Endorsement,
    HeldCompetencies,
    HeldCompetency,
    ProfileUpdate,
    Verification,
)
from community.storage.api import Database
from search import outbox

SEARCH_INDEX = "people"
ENDORSEMENTS_PER_HOUR = 100


async def reindex(db: Database, user_id: ObjectId, session: Any) -> None:
    """Erasure hook: tell search the person changed, inside the erasure's transaction."""
    await outbox.record(db, session, SEARCH_INDEX, user_id)


async def _require_member(db: Database, user_id: ObjectId) -> people.Member:
    user = await people.member_by_id(db, user_id)
    if user is None:
        raise NotFound(_("There is no such member."))
    return user


async def update_profile(tx: Action, user_id: ObjectId, change: ProfileUpdate) -> None:
    """Replace the person's editable fields (account name and designation included) in one transaction."""
    db, actor = tx.db, tx.actor
    policy.require(actor, policy.can_edit_profile(actor, user_id), _("You can only edit your own profile."))
    await _require_member(db, user_id)
    values = change.model_dump()
    errors = await fields.check_update(db, actor, values)
    if errors:
        raise Invalid(errors)
    await check_display_name(db, change.name, person_id=user_id)
    stored = await queries.profile(db, user_id)
    privacy = {**fields.privacy_of(stored), **values["privacy"]}
    session = await tx.start()
    await people.set_profile_details(db, user_id, name=change.name, details=fields.stored_changes(values, "account"),
                                     session=session)
    await db[queries.PROFILES].update_one({"_id": user_id}, {"$set": {
        **fields.stored_changes(values, "profile"), "privacy": privacy, "updated_at": tx.now,
    }}, upsert=True, session=session)
    await tx.reindex(SEARCH_INDEX, user_id)


async def _check_known(db: Database, items: list[HeldCompetency], field: str = "competencies") -> None:
    known = await dictionary.existing_competency_ids(db, (item.competency_id for item in items))
    errors = {
        f"{field}.{index}.competency_id": _("There is no competency %(id)s in the dictionary.", id=item.competency_id)
        for index, item in enumerate(items) if item.competency_id not in known
    }
    if errors:
        raise Invalid(errors)


async def set_competencies(tx: Action, user_id: ObjectId, held: HeldCompetencies) -> None:
    """Replace the whole list of self-declared competencies."""
    policy.require(tx.actor, policy.can_edit_profile(tx.actor, user_id), _("You can only edit your own profile."))
    await _require_member(tx.db, user_id)
    await _check_known(tx.db, held.competencies)
    await _write_competencies(tx, user_id, [item.model_dump() for item in held.competencies])


async def _write_competencies(tx: Action, user_id: ObjectId, rows: list[dict[str, Any]]) -> None:
    await tx.db[queries.PROFILES].update_one({"_id": user_id}, {"$set": {"competencies": rows, "updated_at": tx.now}},
                                             upsert=True, session=await tx.start())
    await tx.reindex(SEARCH_INDEX, user_id)


async def declare_competency(tx: Action, user_id: ObjectId, item: HeldCompetency) -> None:
    """Add one self-declared competency, or change its level if it is already listed."""
    db, actor = tx.db, tx.actor
    policy.require(actor, policy.can_edit_profile(actor, user_id), _("You can only edit your own profile."))
    await _require_member(db, user_id)
    if item.competency_id not in await dictionary.existing_competency_ids(db, [item.competency_id]):
        raise Invalid({"competency_id": _("There is no competency %(id)s in the dictionary.", id=item.competency_id)})
    current = (await queries.profile(db, user_id)).get("competencies", [])
    others = [row for row in current if row["competency_id"] != item.competency_id]
    if len(others) >= MAX_COMPETENCIES:
        raise Invalid({"competency_id": _("A profile lists at most %(n)s competencies.", n=MAX_COMPETENCIES)})
    await _write_competencies(tx, user_id, [*others, item.model_dump()])


async def withdraw_competency(tx: Action, user_id: ObjectId, competency_id: str) -> bool:
    policy.require(tx.actor, policy.can_edit_profile(tx.actor, user_id), _("You can only edit your own profile."))
    current = (await queries.profile(tx.db, user_id)).get("competencies", [])
    kept = [row for row in current if row["competency_id"] != competency_id]
    if len(kept) == len(current):
        return False
    await _write_competencies(tx, user_id, kept)
    return True


async def own_levels(db: Database, user_id: ObjectId | None) -> dict[str, int]:
    """Per competency, the highest level a person may endorse (none listed: they may endorse none)."""
    if user_id is None:
        return {}
    account = await people.person_by_id(db, user_id)
    profile = await queries.profile(db, user_id)
    results = (await queries.results_of(db, [user_id])).get(user_id, [])
    competency_ids = {row["competency_id"] for row in [*profile.get("competencies", []), *results]}
    levels = {cid: verification.own_level(verification.standing_of(account or {"deleted": True}, profile, results, cid))
              for cid in competency_ids}
    return {cid: level for cid, level in levels.items() if level is not None}


async def vouch_for_attendance(tx: Action, user_id: ObjectId, competency_ids: list[str], level: int, *,
                               host_id: ObjectId, reference: str) -> None:
    """A session's host vouches that ``user_id`` attended it, as evidence of ``competency_ids`` at
    ``level`` (checked by the caller against what the host may endorse); counted by the rule."""
    session = await tx.start()
    for competency_id in competency_ids:
        await tx.db[queries.VERIFICATIONS].update_one(
            {"user_id": user_id, "competency_id": competency_id, "source": "event", "reference": reference},
            {"$set": {"level": level, "endorser_id": host_id, "at": tx.now}}, upsert=True, session=session)
    await tx.reindex(SEARCH_INDEX, user_id)


async def withdraw_attendance(tx: Action, user_id: ObjectId, *, reference: str) -> None:
    """What :func:`vouch_for_attendance` wrote for that session, gone (a host corrected the attendance)."""
    removed = await tx.db[queries.VERIFICATIONS].delete_many({"user_id": user_id, "source": "event", "reference": reference},
                                                             session=await tx.start())
    if removed.deleted_count:
        await tx.reindex(SEARCH_INDEX, user_id)


async def endorse(tx: Action, user_id: ObjectId, endorsement: Endorsement) -> bool:
    """Vouch for a competency the person declares; returns whether it is a new endorsement.

    The endorser must hold the competency at the endorsed level or above (:func:`own_levels`);
    whether it counts towards a verified level is the rule's (``verification.verify``). Endorsing again changes the level of the same endorsement instead
    of adding a second one. The person is told once it is stored (the notifier renders the
    endorser's current name, in the reader's language).
    """
    db, actor = tx.db, policy.require_member(tx.actor)
    if actor.user_id == user_id:
        raise Forbidden(_("You cannot endorse your own competencies."))
    blocked = await network.blocked_between(db, actor.user_id, user_id)
    policy.require(actor, policy.can_endorse(actor, user_id, blocked), _("You cannot endorse this member."))
    await _require_member(db, user_id)
    declared = {row["competency_id"] for row in (await queries.profile(db, user_id)).get("competencies", [])}
    if endorsement.competency_id not in declared:
        raise Invalid({"competency_id": _("This member has not listed that competency.")})
    own = (await own_levels(db, actor.user_id)).get(endorsement.competency_id)
    if own is None:
        raise Invalid({"level": _("You can endorse a competency once a result verifies it for you, or as an expert "
                                  "who lists it on your profile.")})
    if not policy.can_endorse_at(own, endorsement.level):
        raise Invalid({"level": _("You can endorse up to level %(n)s, the level you hold yourself.", n=own)})
    await ratelimit.hit(db, f"endorse:{actor.user_id}", limit=ENDORSEMENTS_PER_HOUR, window_seconds=3600)
    competency = await dictionary.competency(db, endorsement.competency_id)
    session = await tx.start()
    result = await db[queries.ENDORSEMENTS].update_one(
        {"user_id": user_id, "competency_id": endorsement.competency_id, "endorser_id": actor.user_id},
        {"$set": {"level": endorsement.level, "at": tx.now}},
        upsert=True, session=session,
    )
    await tx.reindex(SEARCH_INDEX, user_id)  # the directory's verified levels follow the endorsement
    await tx.notify("endorsement", to=person(user_id), subject=("competency", endorsement.competency_id),
                    params=notices.endorsement_params(user_id, endorsement.competency_id,
                                                      (competency or {}).get("name", endorsement.competency_id),
                                                      endorsement.level))
    return result.upserted_id is not None


async def withdraw_endorsement(tx: Action, user_id: ObjectId, competency_id: str) -> bool:
    """Take back one's endorsement; the verified level follows at once (it is worked out when shown)."""
    actor = policy.require_member(tx.actor)
    result = await tx.db[queries.ENDORSEMENTS].delete_one(
        {"user_id": user_id, "competency_id": competency_id, "endorser_id": actor.user_id}, session=await tx.start())
    if result.deleted_count:
        await tx.reindex(SEARCH_INDEX, user_id)
    return result.deleted_count == 1


async def record_verification(tx: Action, user_id: ObjectId, verification: Verification) -> None:
    """An assessment or course result raises the person's verified level.

    An administrator changes what others see of a person here, so the result and the audit entry
    are written together: a result is never stored without its trail."""
    db, actor = tx.db, tx.actor
    policy.require(actor, policy.can_record_verification(actor), _("Only administrators record results."))
    member = await _require_member(db, user_id)
    if verification.competency_id not in await dictionary.existing_competency_ids(db, [verification.competency_id]):
        raise Invalid({"competency_id": _("There is no competency %(id)s in the dictionary.", id=verification.competency_id)})
    session = await tx.start()
    await db[queries.VERIFICATIONS].update_one(
        {"user_id": user_id, "competency_id": verification.competency_id, "source": verification.source,
         "reference": verification.reference},
        {"$set": {"level": verification.level, "recorded_by": actor.user_id, "at": tx.now}},
        upsert=True, session=session,
    )
    await audit.record(db, actor=actor, action="profile.verification.record", target_type="user", target_id=user_id,
                       org_id=member.get("org_id"), details=verification.model_dump(), session=session)
    await tx.reindex(SEARCH_INDEX, user_id)
