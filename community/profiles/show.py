"""A profile as one particular viewer may see it: the single place field privacy is applied.

Every page and API response that shows a person goes through :func:`visible_profiles`, so a
field the person hid can never leak through a second code path. Hidden fields are absent from
the result, not empty, so templates and JSON cannot show them by accident.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.errors import NotFound
from community.i18n import gettext as _
from community.karma import service as karma
from community.network import queries as network
from community.organisations import queries as org_queries
from community.policy import Actor
from community.profiles import avatar as avatars
from community.profiles import fields, queries, verification
from community.profiles.fields import privacy_of
from community.storage.api import Database


def _held(profile: dict[str, Any], evidence: dict[str, list[dict[str, Any]]], names: dict[str, dict[str, Any]],
          standings: dict[tuple[ObjectId, str], verification.Standing], rule: verification.EndorsementRule) -> list[dict[str, Any]]:
    rows = []
    declared = {item["competency_id"]: item["level"] for item in profile.get("competencies", [])}
    for competency_id in sorted(set(declared) | set(evidence), key=lambda cid: names.get(cid, {}).get("name", cid)):
        proofs = evidence.get(competency_id, [])
        verdict = verification.verify(proofs, {endorser: standing for (endorser, cid), standing in standings.items()
                                               if cid == competency_id}, rule)
        rows.append({
            "competency_id": competency_id,
            "name": names.get(competency_id, {}).get("name", competency_id),
            "self_level": declared.get(competency_id),
            "verified_level": verdict.level,
            "verification": verification.explain(verdict),
            "sources": sorted({proof["source"] for proof in proofs}),
            "endorsements": sum(1 for proof in proofs if proof["source"] == "endorsement"),
        })
    return rows


async def endorser_standings(db: Database, evidence: dict[ObjectId, dict[str, list[dict[str, Any]]]]
                             ) -> dict[tuple[ObjectId, str], verification.Standing]:
    """The standing of every endorser in the evidence, in each competency they endorsed."""
    wanted = {(proof["endorser_id"], competency_id) for by_competency in evidence.values()
              for competency_id, proofs in by_competency.items() for proof in proofs
              if proof["source"] in verification.ENDORSING_SOURCES}
    endorsers = list({endorser for endorser, _cid in wanted})
    if not endorsers:
        return {}
    accounts = await people.people_by_id(db, endorsers)
    stored = await queries.profiles(db, endorsers)
    results = await queries.results_of(db, endorsers)
    return {(endorser, cid): verification.standing_of(accounts.get(endorser, {"deleted": True}), stored.get(endorser, {}),
                                                      results.get(endorser, []), cid)
            for endorser, cid in wanted}


def gap(held: list[dict[str, Any]], required: dict[str, int], names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each competency the position needs, what the person holds (verified first) and the shortfall."""
    holding = {row["competency_id"]: row for row in held}
    rows = []
    for competency_id, level in required.items():
        row = holding.get(competency_id, {})
        have = row.get("verified_level") or row.get("self_level") or 0
        rows.append({"competency_id": competency_id, "name": names.get(competency_id, {}).get("name", competency_id),
                     "required": level, "held": have, "verified": bool(row.get("verified_level")),
                     "gap": max(0, level - have)})
    return sorted(rows, key=lambda row: (-row["gap"], row["name"]))


async def gap_to_position(db: Database, user_id: ObjectId, position_doc: dict[str, Any],
                          rule: verification.EndorsementRule) -> list[dict[str, Any]]:
    """The person's own gap to ``position_doc`` (any position, not only the one on their profile),
    worked out as their profile page works it out (:func:`gap`), for the person themselves."""
    profile = await queries.profile(db, user_id)
    evidence = await queries.verified_levels(db, [user_id])
    standings = await endorser_standings(db, evidence)
    required = dictionary.requirements(position_doc)
    names = await dictionary.competency_names(db, set(required) | set(evidence[user_id])
                                              | {item["competency_id"] for item in profile.get("competencies", [])})
    return gap(_held(profile, evidence[user_id], names, standings, rule), required, names)


async def visible_profiles(db: Database, viewer: Actor, user_ids: list[ObjectId],
                           rule: verification.EndorsementRule) -> list[dict[str, Any]]:
    """Profiles of ``user_ids`` (in that order, unknown and erased ones left out) as ``viewer`` may
    see them, each competency's verified level worked out by ``rule``."""
    users = await people.members_by_id(db, user_ids)
    ids = [uid for uid in user_ids if uid in users and policy.can_view_profile(viewer, users[uid])]
    if not ids:
        return []
    stored = await queries.profiles(db, ids)
    connected = await network.connected_among(db, viewer.user_id, ids)
    evidence = await queries.verified_levels(db, ids)
    standings = await endorser_standings(db, evidence)
    orgs = await org_queries.names(db, (users[uid]["org_id"] for uid in ids))
    with_avatar = {row["_id"] async for row in db[avatars.COLLECTION].find({"_id": {"$in": ids}}, {"_id": 1})}
    position_ids = {pid for uid in ids if (pid := stored.get(uid, {}).get("position_id"))}
    positions = {pid: await dictionary.position(db, pid) for pid in position_ids}
    wanted_names: set[str] = set()
    for uid in ids:
        wanted_names |= {item["competency_id"] for item in stored.get(uid, {}).get("competencies", [])}
        wanted_names |= set(evidence[uid])
    for doc in positions.values():
        if doc:
            wanted_names |= set(dictionary.requirements(doc))
    names = await dictionary.competency_names(db, wanted_names)

    result = []
    for uid in ids:
        user, profile = users[uid], stored.get(uid, {"_id": uid})
        levels = privacy_of(profile)

        def sees(field: str, user: people.Member = user, levels: dict[str, str] = levels, uid: ObjectId = uid) -> bool:
            return policy.can_view_field(viewer, user, levels[field], uid in connected)

        held = _held(profile, evidence[uid], names, standings, rule)
        position = positions.get(profile.get("position_id"))
        sources = fields.Sources(user=user, profile=profile, organisation=orgs.get(user["org_id"]) if user["org_id"] is not None else None,
                                 has_avatar=uid in with_avatar, position=position, held=held)
        shown: dict[str, Any] = {"id": str(uid), "name": user.get("name"), "karma": await karma.total(db, uid),
                                 **fields.shown_fields(sources, sees)}
        if position and sees("position") and sees("competencies"):
            shown["gap"] = gap(held, dictionary.requirements(position), names)
        result.append(shown)
    return result


async def visible_profile(db: Database, viewer: Actor, user_id: ObjectId,
                          rule: verification.EndorsementRule) -> dict[str, Any]:
    shown = await visible_profiles(db, viewer, [user_id], rule)
    if not shown:
        policy.require(viewer, viewer.is_authenticated, "")
        raise NotFound(_("There is no such member."))
    return shown[0]


async def avatar_for(db: Database, viewer: Actor, user_id: ObjectId) -> dict[str, Any]:
    """The stored avatar if the viewer may see it; otherwise :class:`NotFound`, never a hint it exists."""
    user = await people.member_by_id(db, user_id)
    if user is None:
        raise NotFound(_("There is no such picture."))
    profile = await queries.profile(db, user_id)
    allowed = policy.can_view_field(viewer, user, privacy_of(profile)["avatar"],
                                    await network.is_connected(db, viewer.user_id, user_id))
    stored = await avatars.load(db, user_id) if allowed else None
    if stored is None:
        raise NotFound(_("There is no such picture."))
    return stored


async def on_organisation_leaderboard(db: Database, viewer: Actor, user_ids: list[ObjectId]) -> set[ObjectId]:
    """Those of ``user_ids`` an organisation's leaderboard may list to ``viewer``: people whose
    organisation field the viewer may see (erased accounts never)."""
    users = await people.members_by_id(db, user_ids)
    stored = await queries.profiles(db, list(users))
    connected = await network.connected_among(db, viewer.user_id, list(users))
    return {
        uid for uid, user in users.items()
        if policy.can_see_on_organisation_leaderboard(viewer, user, privacy_of(stored.get(uid, {}))["organisation"],
                                                      uid in connected)
    }
