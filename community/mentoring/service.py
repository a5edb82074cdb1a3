"""Mentoring's writes: the expert's offer, a request, its answer, sessions, the end and feedback.

Every function loads and checks first (the policy, the offer, blocks, the limits) and writes only
then, in the action's transaction, so a refusal leaves nothing. A stranger to a mentorship is told
it does not exist. A request takes one of the mentor's places for the month inside its own
transaction, by a conditional count on one document: two requests at once meet on it and the
cap holds (on MongoDB the second meets a write conflict and runs once more, seeing the first).
Accepting opens the pair's conversation through the messages feature, as one both agreed to (the
mentee by asking, the mentor by accepting), so it is never a message request; feedback may endorse the
other person through the profiles' endorsement, whose rule alone decides whether it may be given
and what it counts for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.competencies import queries as dictionary
from community.errors import Forbidden, Invalid, NotFound
from community.events import queries as event_queries, service as events
from community.events.access import EventAccess, access
from community.events.schemas import TITLE_MAX, EventIn
from community.i18n import N_, current_locale, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.karma import service as karma
from community.mentoring import live, notices, queries
from community.mentoring.queries import MENTORSHIPS, OFFERS, PLACES, month_of, open_key, place_key
from community.mentoring.rules import RULES, MentoringRules
from community.mentoring.schemas import (AnswerIn, MentoringFeedbackIn, OfferIn, RequestIn, SessionIn, SessionMoveIn,
                                        SessionTimeIn)
from community.messages import service as messages
from community.network import queries as network
from community.notifications.intents import person as one_person
from community.policy import Member
from community.profiles import edit as profiles
from community.profiles import queries as profile_queries
from community.profiles.schemas import Endorsement
from community.storage import in_transaction
from community.storage.api import Database
from community.timezones import as_utc

MENTOR_REASON = "mentored"
MENTEE_REASON = "was_mentored"
KARMA_SUBJECT = "mentorship"
FURTHEST_SESSION = timedelta(days=366)
SESSION_ZONE = "Asia/Kolkata"
"""The zone a session's event is set in: the mentorship's page shows its times in Indian Standard Time."""
EXPIRY_JOB = "mentoring.request_expiry"


def expiry_key(mentorship_id: ObjectId) -> str:
    """The expiry job's key: the mentorship's id alone, so the job names nobody (after an erasure it
    runs on a mentorship that is gone, which does nothing)."""
    return f"mentoring.request:{mentorship_id}"


def rules_of(tx: Action) -> MentoringRules:
    return tx.app.get(RULES) or MentoringRules()


async def _change(tx: Action, actor: Member) -> None:
    await ratelimit.hit(tx.db, f"mentoring-change:{actor.user_id}", limit=rules_of(tx).changes_per_hour,
                        window_seconds=3600)


async def save_offer(tx: Action, offer: OfferIn) -> None:
    """Publish or change the actor's offer; its topics must be competencies on their profile."""
    db, actor = tx.db, policy.require_member(tx.actor)
    policy.require(actor, policy.can_offer_mentoring(actor), _("Only experts offer mentoring."))
    topics = list(dict.fromkeys(offer.competencies))
    known = await dictionary.existing_competency_ids(db, topics)
    listed = {row["competency_id"] for row in (await profile_queries.profile(db, actor.user_id)).get("competencies", [])}
    errors = {}
    for index, competency_id in enumerate(topics):
        if competency_id not in known:
            errors[f"competencies.{index}"] = _("There is no competency %(id)s in the dictionary.", id=competency_id)
        elif competency_id not in listed:
            errors[f"competencies.{index}"] = _("List this competency on your profile before you mentor in it.")
    slots = sorted({(slot.weekday, slot.start): slot.model_dump() for slot in offer.slots}.values(),
                   key=lambda slot: (slot["weekday"], slot["start"]))
    if errors:
        raise Invalid(errors)
    await _change(tx, actor)
    await db[OFFERS].update_one({"_id": actor.user_id}, {"$set": {
        "competencies": topics, "offer": offer.offer, "slots": slots, "monthly_cap": offer.monthly_cap,
        "open": offer.open, "updated_at": tx.now}}, upsert=True, session=await tx.start())


async def request_mentoring(tx: Action, mentor_id: ObjectId, request: RequestIn) -> ObjectId:
    """Ask an expert for mentoring in one of their topics; returns the new mentorship's id."""
    db, actor, rules = tx.db, policy.require_member(tx.actor), rules_of(tx)
    if mentor_id == actor.user_id:
        raise Invalid({"mentor": _("You cannot ask yourself for mentoring.")})
    mentor = await people.person_by_id(db, mentor_id)
    if mentor is None or mentor["deleted"]:
        raise NotFound(_("There is no such member."))
    offer = await queries.offer(db, mentor_id)
    offering = offer is not None and offer["open"] and "expert" in mentor["roles"]
    if offer is None or not offering:
        raise Invalid({"mentor": _("%(name)s does not offer mentoring.", name=mentor["name"] or _("This member"))})
    blocked = await network.blocked_between(db, actor.user_id, mentor_id)
    policy.require(actor, policy.can_request_mentoring(actor, mentor, offering=offering, blocked=blocked),
                   _("You cannot ask this member for mentoring."))
    if request.competency_id not in offer["competencies"]:
        raise Invalid({"competency_id": _("Choose one of the topics this mentor offers.")})
    if await queries.open_between(db, actor.user_id, mentor_id) is not None:
        raise Invalid({"mentor": _("You already have a request or a mentorship with this mentor.")})
    competency = await dictionary.competency(db, request.competency_id)
    month = month_of(tx.now)
    session = await tx.start()
    await ratelimit.hit(db, f"mentoring-request:{actor.user_id}", limit=rules.requests_per_day, window_seconds=86400,
                        now=tx.now, session=session)
    key = place_key(mentor_id, month)
    await db[PLACES].update_one({"_id": key}, {"$setOnInsert": {"mentor_id": mentor_id, "month": month, "taken": 0}},
                                upsert=True, session=session)
    took = await db[PLACES].update_one({"_id": key, "taken": {"$lt": offer["monthly_cap"]}}, {"$inc": {"taken": 1}},
                                       session=session)
    if took.modified_count != 1:
        raise Invalid({"mentor": _("%(name)s has no places left this month; ask again next month.",
                                   name=mentor["name"] or _("This member"))})
    mentorship = {
        "_id": ObjectId(), "mentor_id": mentor_id, "mentee_id": actor.user_id, "competency_id": request.competency_id,
        "competency": (competency or {}).get("name", request.competency_id), "goal": request.goal,
        "status": "requested", "note": "", "requested_at": tx.now, "answered_at": None, "ended_at": None,
        "ended_by": None, "month": month, "conversation_id": None, "sessions": [], "feedback": {}, "completed": False,
        "open_key": open_key(actor.user_id, mentor_id)}
    try:
        await db[MENTORSHIPS].insert_one(mentorship, session=session)
    except DuplicateKeyError:
        raise Invalid({"mentor": _("You already have a request or a mentorship with this mentor.")}) from None
    await tx.schedule(EXPIRY_JOB, tx.now + timedelta(days=rules.request_days), {"mentorship_id": mentorship["_id"]},
                      key=expiry_key(mentorship["_id"]))
    await tx.notify("mentoring_request", to=one_person(mentor_id), subject=(notices.SUBJECT, mentorship["_id"]),
                    params=notices.params_of(mentorship))
    live.changed(tx, mentorship, "requested")
    return mentorship["_id"]


async def readable(db: Database, actor: policy.Actor, mentorship_id: ObjectId) -> dict[str, Any]:
    """The mentorship, for its mentor or mentee; NotFound for anyone else."""
    found = await queries.mentorship(db, mentorship_id)
    if found is None or not policy.takes_part_in_mentorship(actor, found):
        raise NotFound(_("There is no such mentorship."))
    return found


def other_of(mentorship: dict[str, Any], me: ObjectId) -> ObjectId:
    other: ObjectId = mentorship["mentee_id"] if mentorship["mentor_id"] == me else mentorship["mentor_id"]
    return other


async def _blocked(db: Database, mentorship: dict[str, Any]) -> bool:
    return await network.blocked_between(db, mentorship["mentor_id"], mentorship["mentee_id"])


async def _answerable(tx: Action, mentorship_id: ObjectId, *, accepting: bool) -> dict[str, Any]:
    actor = policy.require_member(tx.actor)
    found = await readable(tx.db, actor, mentorship_id)
    allowed = (policy.can_answer_mentoring_request(actor, found, await _blocked(tx.db, found)) if accepting
               else policy.can_decline_mentoring_request(actor, found))
    policy.require(actor, allowed, _("This request is not waiting for your answer."))
    await _change(tx, actor)
    return found


async def _settle(tx: Action, found: dict[str, Any], status: str, changes: dict[str, Any]) -> None:
    """Move a waiting request to ``status``; nothing is written unless it was still waiting."""
    written = await tx.db[MENTORSHIPS].update_one({"_id": found["_id"], "status": "requested"}, {
        "$set": {"status": status, **changes}, **({} if status == "accepted" else {"$unset": {"open_key": ""}})},
        session=await tx.start())
    if written.modified_count != 1:
        raise NotFound(_("This request is no longer waiting."))
    await tx.cancel(expiry_key(found["_id"]))
    if status != "accepted":
        await tx.db[PLACES].update_one({"_id": place_key(found["mentor_id"], found["month"])}, {"$inc": {"taken": -1}},
                                       session=tx.session)


async def accept(tx: Action, mentorship_id: ObjectId, answer: AnswerIn) -> None:
    """The mentor accepts: the pair's conversation opens with the note (or a greeting) as its first message."""
    found = await _answerable(tx, mentorship_id, accepting=True)
    first = answer.note or _("I accepted your request for mentoring in %(competency)s. Let us plan our first "
                             "session here.", competency=found["competency"])
    conversation_id = await messages.start_agreed(tx, found["mentee_id"], first)
    await _settle(tx, found, "accepted", {"note": answer.note, "answered_at": tx.now, "conversation_id": conversation_id})
    await tx.notify("mentoring_answer", to=one_person(found["mentee_id"]), subject=(notices.SUBJECT, found["_id"]),
                    params={**notices.params_of(found), "accepted": True})
    live.changed(tx, found, "accepted")


async def decline(tx: Action, mentorship_id: ObjectId, answer: AnswerIn) -> None:
    """The mentor declines, with a note the mentee reads; the month's place is free again."""
    found = await _answerable(tx, mentorship_id, accepting=False)
    await _settle(tx, found, "declined", {"note": answer.note, "answered_at": tx.now})
    await tx.notify("mentoring_answer", to=one_person(found["mentee_id"]), subject=(notices.SUBJECT, found["_id"]),
                    params={**notices.params_of(found), "accepted": False})
    live.changed(tx, found, "declined")


async def withdraw(tx: Action, mentorship_id: ObjectId) -> None:
    """The mentee takes back a request still waiting; the mentor is not notified (their open pages
    update, like the mentee's)."""
    actor = policy.require_member(tx.actor)
    found = await readable(tx.db, actor, mentorship_id)
    policy.require(actor, policy.can_withdraw_mentoring_request(actor, found), _("This request is not waiting."))
    await _settle(tx, found, "withdrawn", {"answered_at": tx.now})
    live.changed(tx, found, "withdrawn")


def holder(mentorship_id: ObjectId) -> events.Holder:
    """What holds a mentorship's session events: the mentorship, changed from its page."""
    return events.Holder(notices.SUBJECT, mentorship_id, f"/mentoring/{mentorship_id}")


def _times(planned: SessionTimeIn, now: datetime) -> tuple[datetime, datetime]:
    """The session's start and end in UTC, or ``Invalid`` as the events check them (in the future,
    the end after the start), and within the coming year."""
    start, end = planned.start.astimezone(UTC), planned.end.astimezone(UTC)
    errors = events.check_times(start, end, now=now)
    if "start" not in errors and start > now + FURTHEST_SESSION:
        errors["start"] = _("Choose a time within the coming year.")
    if errors:
        raise Invalid(errors)
    return start, end


def _place(text: str) -> events.Place:
    """A session's one place field: a meeting link when it is an https:// address, else where to meet."""
    return events.Place("link", link=text) if text.startswith("https://") else events.Place("venue", venue=text)


def _on_the_form(error: Invalid) -> Invalid:
    """The events' refusal named by the session form's fields: the times, and one place."""
    return Invalid({key if key in ("start", "end") else "place": text for key, text in error.errors.items()})


async def schedule_session(tx: Action, mentorship_id: ObjectId, planned: SessionIn) -> ObjectId:
    """The mentor adds a session: an invitation-only event they host with the mentee, both
    going, at a meeting link or a venue; the mentee is told. Returns the event's id."""
    db, actor = tx.db, policy.require_member(tx.actor)
    found = await readable(db, actor, mentorship_id)
    policy.require(actor, policy.can_schedule_mentoring_session(actor, found, await _blocked(db, found)),
                   _("Only the mentor schedules sessions of a mentorship under way."))
    start, end = _times(planned, tx.now)
    if len(found["sessions"]) >= rules_of(tx).sessions:
        raise Invalid({"start": _("A mentorship can have at most %(n)s sessions.", n=rules_of(tx).sessions)})
    await _change(tx, actor)
    where = _place(planned.place)
    title = _("Mentoring: %(competency)s", competency=found["competency"])[:TITLE_MAX]
    data = EventIn(title=title, start=start, end=end, zone=SESSION_ZONE, capacity=2, audience="invitation",
                   language=current_locale.get(), place="venue" if where.kind == "venue" else "link",
                   link=where.link, venue=where.venue)
    try:
        event_id = await events.hold(tx, data, holder(mentorship_id), [found["mentor_id"], found["mentee_id"]])
    except Invalid as error:
        raise _on_the_form(error) from None
    written = await db[MENTORSHIPS].update_one({"_id": mentorship_id, "status": "accepted"},
                                               {"$push": {"sessions": {"event_id": event_id, "added_at": tx.now}}},
                                               session=tx.session)
    if written.modified_count != 1:
        raise NotFound(_("This mentorship is no longer under way."))
    await tx.notify("mentoring_session", to=one_person(found["mentee_id"]), subject=(notices.SUBJECT, mentorship_id),
                    params=notices.params_of(found))
    live.changed(tx, found, found["status"])
    return event_id


async def _session(tx: Action, found: dict[str, Any], event_id: ObjectId) -> EventAccess:
    """One of the mentorship's sessions still to begin, as the events see it for the actor."""
    seen = await access(tx.db, tx.actor, event_id) if any(
        item["event_id"] == event_id for item in found["sessions"]) else None
    if seen is None or not seen.can_see:
        raise NotFound(_("There is no such session."))
    if seen.start_at <= tx.now:
        raise Invalid({"start": _("This session has begun; it can no longer be moved or cancelled.")})
    return seen


async def move_session(tx: Action, mentorship_id: ObjectId, event_id: ObjectId, moved: SessionMoveIn) -> None:
    """Either of the two moves a session still to begin, to a new time and, when ``moved`` names
    one, a new place; its reminders move with it and the other is told through the events' own
    notice of a changed time or place."""
    db, actor = tx.db, policy.require_member(tx.actor)
    found = await readable(db, actor, mentorship_id)
    policy.require(actor, policy.can_move_mentoring_session(actor, found, await _blocked(db, found)),
                   _("Only the mentor and the mentee move sessions of a mentorship under way."))
    seen = await _session(tx, found, event_id)
    if seen.cancelled:
        raise Invalid({"start": _("This session was cancelled.")})
    start, end = _times(moved, tx.now)
    await _change(tx, actor)
    try:
        await events.move_held(tx, event_id, holder(mentorship_id), start, end,
                               _place(moved.place) if moved.place is not None else None)
    except Invalid as error:
        raise _on_the_form(error) from None
    live.changed(tx, found, found["status"])


async def cancel_session(tx: Action, mentorship_id: ObjectId, event_id: ObjectId) -> None:
    """Either of the two cancels a session still to begin: its reminders are dropped and the other
    is told through the events' own notice of a cancellation."""
    db, actor = tx.db, policy.require_member(tx.actor)
    found = await readable(db, actor, mentorship_id)
    policy.require(actor, policy.can_cancel_mentoring_session(actor, found),
                   _("Only the mentor and the mentee cancel sessions of a mentorship under way."))
    seen = await _session(tx, found, event_id)
    if seen.cancelled:
        return
    await _change(tx, actor)
    await events.cancel_held(tx, event_id, holder(mentorship_id))
    live.changed(tx, found, found["status"])


async def end(tx: Action, mentorship_id: ObjectId) -> bool:
    """Either of the two ends the mentorship; returns whether it counts as completed (a session
    took place: its event has ended and was not cancelled), which gives both their Karma Points.
    Sessions still to begin are cancelled."""
    db, actor, rules = tx.db, policy.require_member(tx.actor), rules_of(tx)
    found = await readable(db, actor, mentorship_id)
    policy.require(actor, policy.can_end_mentorship(actor, found), _("This mentorship is not under way."))
    await _change(tx, actor)
    held = [event for event in await event_queries.by_ids(db, [item["event_id"] for item in found["sessions"]])
            if event["status"] != "cancelled"]
    completed = any(as_utc(event["end_at"]) <= tx.now for event in held)
    for event in held:
        if as_utc(event["start_at"]) > tx.now:
            await events.cancel_held(tx, event["_id"], holder(mentorship_id))
    session = await tx.start()
    written = await db[MENTORSHIPS].update_one({"_id": mentorship_id, "status": "accepted"}, {
        "$set": {"status": "ended", "ended_at": tx.now, "ended_by": actor.user_id, "completed": completed},
        "$unset": {"open_key": ""}}, session=session)
    if written.modified_count != 1:
        raise NotFound(_("This mentorship is not under way."))
    if completed:
        await karma.award(db, user_id=found["mentor_id"], points=rules.mentor_points, reason=MENTOR_REASON,
                          object_type=KARMA_SUBJECT, object_id=mentorship_id, session=session)
        await karma.award(db, user_id=found["mentee_id"], points=rules.mentee_points, reason=MENTEE_REASON,
                          object_type=KARMA_SUBJECT, object_id=mentorship_id, session=session)
    await tx.notify("mentoring_ended", to=one_person(other_of(found, actor.user_id)),
                    subject=(notices.SUBJECT, mentorship_id), params=notices.params_of(found))
    live.changed(tx, found, "ended")
    return completed


def side_of(mentorship: dict[str, Any], me: ObjectId | None) -> str | None:
    if me is not None and me == mentorship["mentor_id"]:
        return "mentor"
    return "mentee" if me is not None and me == mentorship["mentee_id"] else None


async def give_feedback(tx: Action, mentorship_id: ObjectId, feedback: MentoringFeedbackIn) -> None:
    """Feedback on an ended mentorship, once per side. With ``endorse_level`` it also endorses the
    other person's competency through the profiles' endorsement, which refuses what the rule does
    not allow (above the level one holds, a competency they do not list); its refusal is named on
    ``endorse_level`` and then nothing is written."""
    db, actor = tx.db, policy.require_member(tx.actor)
    found = await readable(db, actor, mentorship_id)
    side = side_of(found, actor.user_id)
    policy.require(actor, policy.can_give_mentoring_feedback(actor, found, side),
                   _("You can give feedback once, after the mentorship has ended."))
    await _change(tx, actor)
    other = other_of(found, actor.user_id)
    if feedback.endorse_level is not None:
        try:
            # The stored competency id was checked against the dictionary when the mentee asked.
            await profiles.endorse(tx, other, Endorsement.model_construct(competency_id=found["competency_id"],
                                                                          level=feedback.endorse_level))
        except Invalid as error:
            raise Invalid({"endorse_level": " ".join(error.errors.values())}) from None
        except Forbidden as error:
            raise Invalid({"endorse_level": error.detail}) from None
    given = {"rating": feedback.rating, "comment": feedback.comment, "at": tx.now,
             "endorsed_level": feedback.endorse_level}
    written = await db[MENTORSHIPS].update_one(
        {"_id": mentorship_id, "status": "ended", f"feedback.{side}": {"$exists": False}},
        {"$set": {f"feedback.{side}": given}}, session=await tx.start())
    if written.modified_count != 1:
        raise Invalid({"rating": _("You have given your feedback already.")})
    await tx.notify("mentoring_ended", to=one_person(other), subject=(notices.SUBJECT, mentorship_id),
                    params={**notices.params_of(found), "feedback": True})


async def _expire(run: JobRun) -> None:
    """A request still waiting when its time is up expires and gives its place back (an answered
    or withdrawn one cancelled the job)."""
    async def work(session: Any) -> None:
        found = await run.db[MENTORSHIPS].find_one({"_id": run.payload["mentorship_id"], "status": "requested"},
                                                   session=session)
        if found is None:
            return
        await run.db[MENTORSHIPS].update_one({"_id": found["_id"], "status": "requested"}, {
            "$set": {"status": "expired", "answered_at": run.now}, "$unset": {"open_key": ""}}, session=session)
        await run.db[PLACES].update_one({"_id": place_key(found["mentor_id"], found["month"])}, {"$inc": {"taken": -1}},
                                        session=session)

    await in_transaction(run.db, work)


register(EXPIRY_JOB, _expire, label=N_("End a mentoring request the mentor did not answer in time"))
