"""Saved searches and their alerts: a person keeps filters (mode, state, pay level), words and a
minimum match; when a vacancy is published, the ``vacancy.alerts`` job (scheduled in the same
transaction, so it runs once the vacancy is committed, and once across restarts) tells each
person whose saved search fits it. At most one alert per vacancy and person, however many of
their searches fit and however often it is reopened: the alert is one document per pair.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import actions, policy, ratelimit
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.notifications.intents import person as one_person
from community.storage.api import Database
from community.vacancies import queries, scoring
from community.vacancies.matching import score
from community.vacancies.posting import ALERT_JOB
from community.vacancies.queries import ALERTS, SAVED_SEARCHES, SEARCH_FILTERS, application_key
from community.vacancies.schemas import SavedSearchIn

ALERT_SUBJECT = "vacancy_alert"
MAX_SAVED = 20
SAVES_PER_HOUR = 30


def searches_it_may_fit(vacancy: dict[str, Any]) -> dict[str, Any]:
    """The saved searches whose filters the vacancy passes: each filter unset (``None``) or the
    vacancy's own value, one point of the filters' index per combination."""
    return {name: {"$in": [None, vacancy.get(name)]} for name in SEARCH_FILTERS}


async def save(tx: Action, form: SavedSearchIn) -> ObjectId:
    actor = policy.require_member(tx.actor)
    policy.require(actor, policy.can_save_vacancy_search(actor), _("You cannot save searches while suspended."))
    if await tx.db[SAVED_SEARCHES].count_documents({"user_id": actor.user_id}) >= MAX_SAVED:
        raise Invalid({"words": _("You have %(n)s saved searches, the most one may keep; delete one first.", n=MAX_SAVED)})
    await ratelimit.hit(tx.db, f"vacancy-search:{actor.user_id}", limit=SAVES_PER_HOUR, window_seconds=3600)
    search_id = ObjectId()
    await tx.db[SAVED_SEARCHES].insert_one({"_id": search_id, "user_id": actor.user_id, **form.model_dump(),
                                            "created_at": tx.now}, session=await tx.start())
    return search_id


async def delete(tx: Action, raw_id: str) -> None:
    actor = policy.require_member(tx.actor)
    try:
        search_id = ObjectId(raw_id)
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such saved search.")) from None
    gone = await tx.db[SAVED_SEARCHES].delete_one({"_id": search_id, "user_id": actor.user_id}, session=await tx.start())
    if gone.deleted_count == 0:
        raise NotFound(_("There is no such saved search."))


async def saved_by(db: Database, user_id: ObjectId) -> list[dict[str, Any]]:
    return await db[SAVED_SEARCHES].find({"user_id": user_id}).sort("created_at", 1).to_list(None)


async def people_to_alert(db: Database, vacancy: dict[str, Any]) -> list[ObjectId]:
    """Everyone with a saved search the vacancy fits: its filters (read through their index, so
    only searches they let through are read: decoding each read search is most of the cost),
    every one of its words in the vacancy's text, and its minimum match."""
    text = f"{vacancy['title']} {vacancy['description']} {vacancy['city']} {vacancy['state']}".casefold()
    wanted: dict[ObjectId, int] = {}
    for search in await db[SAVED_SEARCHES].find(searches_it_may_fit(vacancy)).to_list(None):
        words = search.get("words")
        if words and not all(word in text for word in words.casefold().split()):
            continue
        person, least = search["user_id"], search.get("min_match", 0)
        if least < wanted.get(person, 101):
            wanted[person] = least
    needing = [person for person, least in wanted.items() if least > 0]
    held = await scoring.held_by(db, needing, vacancy["required_ids"]) if needing else {}
    return [person for person, least in wanted.items()
            if least == 0 or score(held.get(person, {}), vacancy["required"]) >= least]


async def send_alerts(tx: Action, *, vacancy_id: ObjectId) -> int:
    """The job's work: one alert per person the open vacancy fits and who was not alerted to it."""
    vacancy = await queries.vacancy(tx.db, vacancy_id)
    if vacancy is None or not policy.vacancy_is_open(vacancy, tx.now):
        return 0
    session = await tx.start()
    sent = 0
    for person in await people_to_alert(tx.db, vacancy):
        written = await tx.db[ALERTS].update_one({"_id": application_key(vacancy_id, person)}, {"$setOnInsert": {
            "vacancy_id": vacancy_id, "user_id": person, "at": tx.now}}, upsert=True, session=session)
        if written.upserted_id is not None:
            await tx.notify("vacancy_alert", to=one_person(person), subject=(ALERT_SUBJECT, vacancy_id),
                            params={"vacancy_id": str(vacancy_id), "title": vacancy["title"]})
            sent += 1
    return sent


async def _alerts_job(run: JobRun) -> None:
    await actions.run(run.app, policy.ANONYMOUS, send_alerts, vacancy_id=ObjectId(run.payload["vacancy_id"]))


register(ALERT_JOB, _alerts_job, label=N_("Tell people of new vacancies that fit their saved searches"))
