"""Applying (and withdrawing) and the department's pipeline writes: stages and notes.

An application is one document per person and vacancy (``queries.application_key``): two
submits at once meet on it, and the second finds the first's and changes nothing. The fields an
applicant shares are copied when they apply, with the consent (fields, purpose, time) beside
them; the department sees those copies and nothing else of the profile but the match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community import policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import Forbidden, Invalid, NotFound
from community.i18n import gettext as _
from community.notifications.intents import person as one_person
from community.organisations import queries as organisations
from community.profiles import queries as profiles
from community.vacancies import queries, scoring
from community.vacancies.matching import match
from community.vacancies.posting import access_vacancy, managed_vacancy
from community.vacancies.queries import APPLICATIONS, NOTES, VACANCIES, WITHDRAWN, application_key
from community.vacancies.schemas import ApplyIn, NoteIn, StageIn

APPLICATION_SUBJECT = "vacancy_application"
APPLIES_PER_HOUR = 30
MOVES_PER_HOUR = 500
NOTES_PER_HOUR = 200
CONSENT_PURPOSE = ("Shared with the posting department to consider your application, together with how your "
                   "competencies match the vacancy's.")
"""The purpose recorded with the consent (in English, the record's language; pages translate it)."""


def _shared_values(user: Mapping[str, Any], profile: Mapping[str, Any], organisation: str | None,
                   fields: Sequence[str]) -> dict[str, str]:
    location = ", ".join(part for part in (profile.get("district"), profile.get("state")) if part)
    values = {"designation": user.get("designation") or "", "organisation": organisation or "",
              "service": profile.get("service") or "", "location": location,
              "languages": ", ".join(profile.get("languages") or []), "bio": profile.get("bio") or "",
              "email": user.get("email") or "", "mobile": user.get("mobile") or ""}
    return {field: values[field] for field in fields}


async def apply(tx: Action, vacancy_id: ObjectId, form: ApplyIn) -> dict[str, Any]:
    """Apply to an open vacancy (or apply again after withdrawing); applying twice changes nothing."""
    actor = policy.require_member(tx.actor)
    vacancy = await access_vacancy(tx.db, actor, vacancy_id)
    if not policy.vacancy_is_open(vacancy, tx.now):
        raise Invalid({"vacancy": _("This vacancy is not open for applications.")})
    if policy.is_vacancy_department(actor, vacancy):
        raise Forbidden(_("You cannot apply to a vacancy your own department posted."))
    policy.require(actor, policy.can_apply(actor, vacancy, tx.now), _("You cannot apply to this vacancy."))
    existing = await queries.application(tx.db, vacancy_id, actor.user_id)
    if existing is not None and existing["status"] != WITHDRAWN:
        return existing
    await ratelimit.hit(tx.db, f"vacancy-apply:{actor.user_id}", limit=APPLIES_PER_HOUR, window_seconds=3600)
    member = await people.member_by_id(tx.db, actor.user_id)
    if member is None:
        raise NotFound(_("There is no such member."))
    org = await organisations.by_id(tx.db, member["org_id"]) if member["org_id"] is not None else None
    shared = _shared_values(member, await profiles.profile(tx.db, actor.user_id), org["name"] if org else None,
                            list(dict.fromkeys(form.share)))
    held = (await scoring.held_by(tx.db, [actor.user_id], vacancy["required_ids"])).get(actor.user_id, {})
    fields = {"statement": form.statement, "shared": shared, "standing": True,
              **scoring.stored(match(held, vacancy["required"]), tx.now, application_key(vacancy_id, actor.user_id)),
              "consent": {"fields": list(shared), "purpose": CONSENT_PURPOSE, "at": tx.now},
              "status": "submitted", "history": [{"status": "submitted", "at": tx.now}],
              "applied_at": tx.now, "updated_at": tx.now}
    key = application_key(vacancy_id, actor.user_id)
    session = await tx.start()
    if existing is not None:
        await tx.db[APPLICATIONS].update_one({"_id": key, "status": WITHDRAWN}, {"$set": fields}, session=session)
    else:
        written = await tx.db[APPLICATIONS].update_one({"_id": key}, {"$setOnInsert": {
            "vacancy_id": vacancy_id, "org_id": vacancy["org_id"], "user_id": actor.user_id, **fields}},
            upsert=True, session=session)
        if written.upserted_id is not None:
            await tx.db[VACANCIES].update_one({"_id": vacancy_id}, {"$inc": {"applications": 1}}, session=session)
    return await tx.db[APPLICATIONS].find_one({"_id": key}, session=session) or {}


async def withdraw(tx: Action, vacancy_id: ObjectId) -> None:
    """Withdraw one's application while the vacancy is open; the department no longer lists it."""
    actor = policy.require_member(tx.actor)
    vacancy = await access_vacancy(tx.db, actor, vacancy_id)
    existing = await queries.application(tx.db, vacancy_id, actor.user_id)
    if existing is None or existing["status"] == WITHDRAWN:
        raise NotFound(_("You have not applied to this vacancy."))
    if not policy.vacancy_is_open(vacancy, tx.now):
        raise Invalid({"vacancy": _("Applications can be withdrawn only while the vacancy is open.")})
    await tx.db[APPLICATIONS].update_one({"_id": existing["_id"]}, {
        "$set": {"status": WITHDRAWN, "standing": False, "updated_at": tx.now},
        "$push": {"history": {"status": WITHDRAWN, "at": tx.now}}}, session=await tx.start())


async def move(tx: Action, vacancy_id: ObjectId, form: StageIn) -> int:
    """Move applications of the vacancy to a stage; each applicant whose status changes is told.
    Every id must name a standing application of this vacancy, or nothing moves."""
    vacancy = await managed_vacancy(tx.db, tx.actor, vacancy_id)
    wanted = list(dict.fromkeys(form.applications))
    found = {row["_id"]: row async for row in tx.db[APPLICATIONS].find({"_id": {"$in": wanted}, "vacancy_id": vacancy_id})}
    missing = [key for key in wanted if key not in found or found[key]["status"] == WITHDRAWN]
    if missing:
        raise Invalid({"applications": _("These are not applications to this vacancy: %(ids)s", ids=", ".join(missing))})
    await ratelimit.hit(tx.db, f"vacancy-move:{tx.actor.user_id}", limit=MOVES_PER_HOUR, window_seconds=3600)
    moved = 0
    session = await tx.start()
    for key in wanted:
        row = found[key]
        if row["status"] == form.status:
            continue
        await tx.db[APPLICATIONS].update_one({"_id": key}, {
            "$set": {"status": form.status, "updated_at": tx.now},
            "$push": {"history": {"status": form.status, "at": tx.now}}}, session=session)
        await tx.notify("vacancy_status", to=one_person(row["user_id"]), subject=(APPLICATION_SUBJECT, key),
                        params={"vacancy_id": str(vacancy_id), "title": vacancy["title"], "status": form.status})
        moved += 1
    return moved


async def add_note(tx: Action, vacancy_id: ObjectId, application_id: str, form: NoteIn) -> None:
    """A note on an applicant, seen only by the vacancy's department."""
    actor = policy.require_member(tx.actor)
    await managed_vacancy(tx.db, actor, vacancy_id)
    row = await tx.db[APPLICATIONS].find_one({"_id": application_id, "vacancy_id": vacancy_id})
    if row is None:
        raise NotFound(_("There is no such application."))
    await ratelimit.hit(tx.db, f"vacancy-note:{actor.user_id}", limit=NOTES_PER_HOUR, window_seconds=3600)
    await tx.db[NOTES].insert_one({"_id": ObjectId(), "vacancy_id": vacancy_id, "application_id": application_id,
                                   "user_id": row["user_id"], "author_id": actor.user_id, "text": form.text,
                                   "at": tx.now}, session=await tx.start())
