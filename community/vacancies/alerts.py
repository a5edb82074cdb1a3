"""Saved searches and their alerts: a person keeps filters (mode, state, pay level), words and a
minimum match, and beside each an alert row (``queries.alert_row``) in the same transaction;
when a vacancy is published, the ``vacancy.alerts`` job (scheduled in the same
transaction, so it runs once the vacancy is committed, and once across restarts) tells each
person whose saved search fits it. At most one alert per vacancy and person, however many of
their searches fit and however often it is reopened: the alert is one document per pair, and
the people one run alerts are one notification intent (their batch, ``vacancy.alerted``).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReplaceOne, UpdateOne

from community import actions, policy, ratelimit
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.notifications.intents import Recipients
from community.storage.api import Database
from community.vacancies import queries, scoring
from community.vacancies.matching import score
from community.vacancies.posting import ALERT_JOB
from community.vacancies.queries import ALERT_ROWS, ALERTS, SAVED_SEARCHES, alert_row, application_key
from community.vacancies.schemas import SavedSearchIn

ALERT_SUBJECT = "vacancy_alert"
MAX_SAVED = 20
SAVES_PER_HOUR = 30


ALERT_FIELDS = {"_id": 0, "user_id": 1, "needs": 1}
"""What a vacancy reads of an alert row: fields of the rows' (filters, user_id, needs) index
all, so the read is answered from the index's keys (``storage.planner.needed_fields``)."""


def searches_it_may_fit(vacancy: dict[str, Any]) -> dict[str, Any]:
    """The alert rows of the saved searches whose filters the vacancy passes: each filter unset
    (``None``) or the vacancy's own value, one point of the rows' index per combination."""
    return {"filters": {"$in": queries.keys_passed(vacancy)}}


async def save(tx: Action, form: SavedSearchIn) -> ObjectId:
    actor = policy.require_member(tx.actor)
    policy.require(actor, policy.can_save_vacancy_search(actor), _("You cannot save searches while suspended."))
    if await tx.db[SAVED_SEARCHES].count_documents({"user_id": actor.user_id}) >= MAX_SAVED:
        raise Invalid({"words": _("You have %(n)s saved searches, the most one may keep; delete one first.", n=MAX_SAVED)})
    await ratelimit.hit(tx.db, f"vacancy-search:{actor.user_id}", limit=SAVES_PER_HOUR, window_seconds=3600)
    search_id = ObjectId()
    search = {"_id": search_id, "user_id": actor.user_id, **form.model_dump(), "created_at": tx.now}
    session = await tx.start()
    await tx.db[SAVED_SEARCHES].insert_one(search, session=session)
    await tx.db[ALERT_ROWS].insert_one(alert_row(search), session=session)
    return search_id


async def delete(tx: Action, raw_id: str) -> None:
    actor = policy.require_member(tx.actor)
    try:
        search_id = ObjectId(raw_id)
    except (InvalidId, TypeError):
        raise NotFound(_("There is no such saved search.")) from None
    session = await tx.start()
    gone = await tx.db[SAVED_SEARCHES].delete_one({"_id": search_id, "user_id": actor.user_id}, session=session)
    if gone.deleted_count == 0:
        raise NotFound(_("There is no such saved search."))
    await tx.db[ALERT_ROWS].delete_one({"_id": search_id}, session=session)


async def saved_by(db: Database, user_id: ObjectId) -> list[dict[str, Any]]:
    return await db[SAVED_SEARCHES].find({"user_id": user_id}).sort("created_at", 1).to_list(None)


async def fill_alert_rows(db: Database) -> int:
    """Alert rows for the saved searches that have none (a store from before the rows), or one of
    an earlier shape (without ``needs``), and none left for deleted searches; how many changed.
    Each start runs it: after the first, it reads two lists of ids and changes nothing. The rows
    are read first: one seen then without its search lost it since (a search and its row go
    together); a row written meanwhile is replaced by the same."""
    rows: set[ObjectId] = set()
    stale: set[ObjectId] = set()
    async for row in db[ALERT_ROWS].find({}, {"needs": 1}):
        (rows if "needs" in row else stale).add(row["_id"])
    searches = {row["_id"] async for row in db[SAVED_SEARCHES].find({}, {"_id": 1})}
    gone = (rows | stale) - searches
    if gone:
        await db[ALERT_ROWS].delete_many({"_id": {"$in": list(gone)}})
    missing = list(searches - rows)
    for start in range(0, len(missing), 1000):
        found = await db[SAVED_SEARCHES].find({"_id": {"$in": missing[start:start + 1000]}}).to_list(None)
        if found:
            await db[ALERT_ROWS].bulk_write([ReplaceOne({"_id": search["_id"]}, alert_row(search), upsert=True)
                                             for search in found])
    return len(gone) + len(missing)


async def people_to_alert(db: Database, vacancy: dict[str, Any]) -> list[ObjectId]:
    """Everyone with a saved search the vacancy fits: its filters (only the alert rows of the
    searches they let through are read, from their index's keys), every one of its words in the
    vacancy's text and its minimum match (both tested once per distinct ``needs``)."""
    text = f"{vacancy['title']} {vacancy['description']} {vacancy['city']} {vacancy['state']}".casefold()
    least_of: dict[str, int | None] = {}
    """Per ``needs``: the minimum match, or ``None`` when a word is not in the text."""
    wanted: dict[ObjectId, int] = {}
    for row in await db[ALERT_ROWS].find(searches_it_may_fit(vacancy), ALERT_FIELDS).to_list(None):
        needs = row["needs"]
        if needs in least_of:
            least = least_of[needs]
        else:
            least, words = queries.needs_of(needs)
            if not all(word in text for word in words):
                least = None
            least_of[needs] = least
        if least is None:
            continue
        person = row["user_id"]
        if least < wanted.get(person, 101):
            wanted[person] = least
    needing = [person for person, least in wanted.items() if least > 0]
    held = await scoring.held_by(db, needing, vacancy["required_ids"]) if needing else {}
    return [person for person, least in wanted.items()
            if least == 0 or score(held.get(person, {}), vacancy["required"]) >= least]


def alerted(batch: ObjectId) -> Recipients:
    """The people one run of the job alerted (``vacancy.alerted``): a set of thousands is one intent."""
    return Recipients("vacancy.alerted", {"batch": batch})


async def alerted_in(db: Database, batch: ObjectId) -> list[ObjectId]:
    return [row["user_id"] for row in await db[ALERTS].find({"batch": batch}, {"user_id": 1}).to_list(None)]


async def send_alerts(tx: Action, *, vacancy_id: ObjectId) -> int:
    """The job's work: an alert for each person the open vacancy fits and who was not alerted to
    it, the new ones marked with this run's batch, in one write; then one notification intent for
    the batch."""
    vacancy = await queries.vacancy(tx.db, vacancy_id)
    if vacancy is None or not policy.vacancy_is_open(vacancy, tx.now):
        return 0
    session = await tx.start()
    people = await people_to_alert(tx.db, vacancy)
    if not people:
        return 0
    batch = ObjectId()
    written = await tx.db[ALERTS].bulk_write([UpdateOne({"_id": application_key(vacancy_id, person)}, {"$setOnInsert": {
        "vacancy_id": vacancy_id, "user_id": person, "at": tx.now, "batch": batch}}, upsert=True) for person in people],
        session=session)
    if written.upserted_count:
        await tx.notify("vacancy_alert", to=alerted(batch), subject=(ALERT_SUBJECT, vacancy_id),
                        params={"vacancy_id": str(vacancy_id), "title": vacancy["title"]})
    return written.upserted_count


async def _alerts_job(run: JobRun) -> None:
    await actions.run(run.app, policy.ANONYMOUS, send_alerts, vacancy_id=ObjectId(run.payload["vacancy_id"]))


register(ALERT_JOB, _alerts_job, label=N_("Tell people of new vacancies that fit their saved searches"))
