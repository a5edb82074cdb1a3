"""Posting vacancies: draft, publish, edit, close early, close at the deadline, reopen.

Each write checks everything first (the organisation and the actor's right to post for it, the
position and every competency in the dictionary, a closing time still to come) and only then
writes, so a refusal leaves nothing. An open vacancy has one ``vacancy.close`` job keyed by its
id, due at its closing time: moved when the time changes, cancelled when it is closed early, and
harmless if it finds the vacancy closed or given a later time (the job runner runs a job once,
across restarts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import actions, policy, ratelimit
from community.actions import Action
from community.competencies import queries as dictionary
from community.errors import Invalid, NotFound
from community.forums import markdown
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.notifications.intents import Recipients
from community.organisations import queries as organisations
from community.policy import Actor
from community.storage.api import Database
from community.vacancies import queries, scoring
from community.vacancies.queries import SEARCH_INDEX, VACANCIES
from community.vacancies.schemas import VacancyIn

CLOSE_JOB = "vacancy.close"
ALERT_JOB = "vacancy.alerts"
"""Saved searches' alerts for a newly published vacancy (``community.vacancies.alerts``)."""
SUBJECT = "vacancy"
POSTS_PER_DAY = 50
EDITS_PER_HOUR = 100
"""Vacancies one administrator may post in a day, and changes they may make in an hour."""


def close_key(vacancy_id: ObjectId) -> str:
    return f"{CLOSE_JOB}:{vacancy_id}"


def vacancy_id_of(raw: str) -> ObjectId:
    try:
        return ObjectId(raw)
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such vacancy.")) from None


def applicants(vacancy_id: ObjectId) -> Recipients:
    """Everyone whose application to the vacancy stands."""
    return Recipients("vacancy.applicants", {"vacancy_id": vacancy_id})


def stored_time(value: datetime) -> datetime:
    """A time read back from the store, with its zone (the store gives back UTC without it)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def access_vacancy(db: Database, actor: Actor, vacancy_id: ObjectId) -> dict[str, Any]:
    """The vacancy if ``actor`` may see it; a draft is "no such vacancy" to everyone else."""
    found = await queries.vacancy(db, vacancy_id)
    if found is None or not policy.can_see_vacancy(actor, found):
        raise NotFound(_("There is no such vacancy."))
    return found


async def managed_vacancy(db: Database, actor: Actor, vacancy_id: ObjectId) -> dict[str, Any]:
    found = await access_vacancy(db, actor, vacancy_id)
    policy.require(actor, policy.can_manage_vacancy(actor, found), _("Only the posting department may do that."))
    return found


async def mapping(db: Database, position_id: str) -> list[dict[str, Any]]:
    """The position's FRAC requirements as a vacancy's required competencies, each essential, highest level first."""
    position = await dictionary.position(db, position_id)
    if position is None:
        raise Invalid({"position_id": _("There is no position %(id)s in the dictionary.", id=position_id)})
    return [{"competency": competency, "level": level, "essential": True}
            for competency, level in sorted(dictionary.requirements(position).items(), key=lambda item: (-item[1], item[0]))]


async def check_vacancy(db: Database, actor: Actor, form: VacancyIn, now: datetime) -> dict[str, Any]:
    """The stored fields of a vacancy from a valid form, or :class:`Invalid` naming each field refused."""
    org = await organisations.by_id(db, ObjectId(form.org_id))
    if org is None:
        raise Invalid({"org_id": _("There is no such organisation.")})
    policy.require(actor, policy.can_post_vacancy(actor, org),
                   _("You may post vacancies only for your organisation or one below it."))
    errors: dict[str, str] = {}
    if form.position_id and await dictionary.position(db, form.position_id) is None:
        errors["position_id"] = _("There is no position %(id)s in the dictionary.", id=form.position_id)
    if form.closes_at <= now:
        errors["closes_at"] = _("The closing time must be in the future.")
    ids = [item.competency for item in form.required]
    if len(set(ids)) != len(ids):
        errors["required"] = _("List each competency once.")
    unknown = sorted(set(ids) - await dictionary.existing_competency_ids(db, ids))
    if unknown:
        errors["required"] = _("Not in the competency dictionary: %(ids)s", ids=", ".join(unknown))
    if errors:
        raise Invalid(errors)
    return {
        "org_id": org["_id"], "org_path": list(org.get("path") or []), "title": form.title,
        "position_id": form.position_id or None, "state": form.state, "city": form.city, "pay_level": form.pay_level,
        "mode": form.mode, "eligibility": {"service": form.eligibility_service, "grade": form.eligibility_grade,
                                           "years": form.eligibility_years},
        "posts": form.posts, "closes_at": form.closes_at.astimezone(UTC), "description": form.description,
        "description_html": markdown.render(form.description).html, "contact": form.contact,
        "required": [item.model_dump() for item in form.required], "required_ids": ids,
    }


async def create(tx: Action, form: VacancyIn) -> ObjectId:
    """A new draft, seen by its department alone until published."""
    actor = policy.require_member(tx.actor)
    fields = await check_vacancy(tx.db, actor, form, tx.now)
    await ratelimit.hit(tx.db, f"vacancy-post:{actor.user_id}", limit=POSTS_PER_DAY, window_seconds=86400)
    vacancy_id = ObjectId()
    await tx.db[VACANCIES].insert_one({"_id": vacancy_id, **fields, "status": "draft", "created_by": actor.user_id,
                                       "created_at": tx.now, "updated_at": tx.now, "published_at": None,
                                       "closed_at": None, "applications": 0}, session=await tx.start())
    await tx.reindex(SEARCH_INDEX, vacancy_id)
    return vacancy_id


async def edit(tx: Action, vacancy_id: ObjectId, form: VacancyIn) -> None:
    """Change a draft or an open vacancy; the applicants of an open one are told."""
    vacancy = await managed_vacancy(tx.db, tx.actor, vacancy_id)
    if vacancy["status"] == "closed":
        raise Invalid({"status": _("Reopen the vacancy before you change it.")})
    fields = await check_vacancy(tx.db, tx.actor, form, tx.now)
    await ratelimit.hit(tx.db, f"vacancy-edit:{tx.actor.user_id}", limit=EDITS_PER_HOUR, window_seconds=3600)
    session = await tx.start()
    await tx.db[VACANCIES].update_one({"_id": vacancy_id}, {"$set": {**fields, "updated_at": tx.now}}, session=session)
    await queries.refresh_ranking(tx.db, vacancy_id, session)
    await scoring.rescore_vacancy(tx.db, {"_id": vacancy_id, **fields}, session)
    await tx.reindex(SEARCH_INDEX, vacancy_id)
    if vacancy["status"] == "open":
        await tx.schedule(CLOSE_JOB, fields["closes_at"], {"vacancy_id": str(vacancy_id)}, key=close_key(vacancy_id))
        await tx.notify("vacancy_changed", to=applicants(vacancy_id), subject=(SUBJECT, vacancy_id),
                        params={"vacancy_id": str(vacancy_id), "title": fields["title"]})


async def publish(tx: Action, vacancy_id: ObjectId) -> None:
    vacancy = await managed_vacancy(tx.db, tx.actor, vacancy_id)
    if vacancy["status"] != "draft":
        raise Invalid({"status": _("Only a draft can be published.")})
    closes_at = stored_time(vacancy["closes_at"])
    if closes_at <= tx.now:
        raise Invalid({"closes_at": _("The closing time must be in the future.")})
    session = await tx.start()
    await tx.db[VACANCIES].update_one({"_id": vacancy_id}, {"$set": {"status": "open", "published_at": tx.now,
                                                                     "updated_at": tx.now}}, session=session)
    await queries.refresh_ranking(tx.db, vacancy_id, session)
    await tx.reindex(SEARCH_INDEX, vacancy_id)
    await tx.schedule(CLOSE_JOB, closes_at, {"vacancy_id": str(vacancy_id)}, key=close_key(vacancy_id))
    await tx.schedule(ALERT_JOB, tx.now, {"vacancy_id": str(vacancy_id)}, key=f"{ALERT_JOB}:{vacancy_id}")


async def close(tx: Action, vacancy_id: ObjectId) -> None:
    """Close an open vacancy before its time; its applications stay for the department."""
    vacancy = await managed_vacancy(tx.db, tx.actor, vacancy_id)
    if vacancy["status"] != "open":
        raise Invalid({"status": _("Only an open vacancy can be closed.")})
    await _close(tx, vacancy)
    await tx.cancel(close_key(vacancy_id))


async def _close(tx: Action, vacancy: dict[str, Any]) -> None:
    session = await tx.start()
    await tx.db[VACANCIES].update_one({"_id": vacancy["_id"], "status": "open"},
                                      {"$set": {"status": "closed", "closed_at": tx.now, "updated_at": tx.now}},
                                      session=session)
    await queries.refresh_ranking(tx.db, vacancy["_id"], session)
    await tx.reindex(SEARCH_INDEX, vacancy["_id"])
    await tx.notify("vacancy_closed", to=applicants(vacancy["_id"]), subject=(SUBJECT, vacancy["_id"]),
                    params={"vacancy_id": str(vacancy["_id"]), "title": vacancy["title"]})


async def reopen(tx: Action, vacancy_id: ObjectId, closes_at: datetime) -> None:
    vacancy = await managed_vacancy(tx.db, tx.actor, vacancy_id)
    if vacancy["status"] != "closed":
        raise Invalid({"status": _("Only a closed vacancy can be reopened.")})
    if closes_at <= tx.now:
        raise Invalid({"closes_at": _("The closing time must be in the future.")})
    session = await tx.start()
    await tx.db[VACANCIES].update_one({"_id": vacancy_id}, {"$set": {
        "status": "open", "closes_at": closes_at.astimezone(UTC), "closed_at": None, "updated_at": tx.now}},
        session=session)
    await queries.refresh_ranking(tx.db, vacancy_id, session)
    await tx.reindex(SEARCH_INDEX, vacancy_id)
    await tx.schedule(CLOSE_JOB, closes_at, {"vacancy_id": str(vacancy_id)}, key=close_key(vacancy_id))


async def close_when_due(tx: Action, *, vacancy_id: ObjectId) -> bool:
    """The deadline job's work: close the vacancy if it is still open and its time has come."""
    vacancy = await queries.vacancy(tx.db, vacancy_id)
    if vacancy is None or vacancy["status"] != "open" or stored_time(vacancy["closes_at"]) > tx.now:
        return False
    await _close(tx, vacancy)
    return True


async def _close_job(run: JobRun) -> None:
    await actions.run(run.app, policy.ANONYMOUS, close_when_due, vacancy_id=ObjectId(run.payload["vacancy_id"]))


register(CLOSE_JOB, _close_job, label=N_("Close a vacancy on its closing date"))
