"""Mentoring's reads, one per use: an expert's offer as the profile page and the API show it,
one mentorship as its two people see it, and a person's mentoring page. Pages and the API
render the same results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import api, policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.competencies.names import name_in
from community.errors import NotFound
from community.events import places, queries as events
from community.events.access import event_path
from community.i18n import gettext as _
from community.mentoring import queries, service
from community.network import queries as network
from community.profiles import edit as profiles
from community.profiles import queries as profile_queries
from community.storage.api import Database
from community.timezones import IST, as_utc


def object_id(text: str, message: str) -> ObjectId:
    try:
        return ObjectId(text)
    except (InvalidId, TypeError):
        raise NotFound(message) from None


async def offer_view(db: Database, mentor_id: ObjectId, now: Any) -> dict[str, Any] | None:
    """The expert's offer with its topics' names and this month's places left, or None."""
    offer = await queries.offer(db, mentor_id)
    if offer is None:
        return None
    names = await dictionary.names_of(db, offer["competencies"])
    taken = await queries.places_taken(db, mentor_id, queries.month_of(now))
    return {"mentor_id": str(mentor_id), "offer": offer["offer"], "monthly_cap": offer["monthly_cap"],
            "open": offer["open"], "slots": offer["slots"], "places_left": max(0, offer["monthly_cap"] - taken),
            "competencies": [{"id": cid, "name": names.get(cid, cid)} for cid in offer["competencies"]]}


async def profile_card(db: Database, actor: policy.Actor, person_id: ObjectId, now: Any) -> dict[str, Any]:
    """What a profile page shows of mentoring: the offer, whether the viewer may ask (and why not),
    and their open mentorship with this person."""
    offer = await offer_view(db, person_id, now)
    person = await people.person_by_id(db, person_id)
    mine = None
    can_request = False
    if actor.user_id is not None and person is not None and actor.user_id != person_id:
        mine = await queries.open_between(db, actor.user_id, person_id)
        blocked = await network.blocked_between(db, actor.user_id, person_id)
        can_request = (offer is not None and offer["places_left"] > 0 and mine is None
                       and policy.can_request_mentoring(actor, person, offering=offer["open"], blocked=blocked))
    return {"offer": offer, "can_request": can_request, "mine": str(mine["_id"]) if mine else None,
            "can_offer": actor.user_id == person_id and policy.can_offer_mentoring(actor)}


def _at(value: Any) -> str:
    return api.timestamp(as_utc(value))


def session_out(event: dict[str, Any]) -> dict[str, Any]:
    """A session, from its event (``SessionOut``)."""
    return {"id": str(event["_id"]), "start_at": _at(event["start_at"]), "end_at": _at(event["end_at"]),
            "place": places.describe(event["place"]), "status": "cancelled" if event["status"] == "cancelled" else "scheduled",
            "url": event_path(event["_id"])}


async def _sessions(db: Database, rows: list[dict[str, Any]]) -> dict[ObjectId, list[dict[str, Any]]]:
    """Each mentorship's session events, earliest first, in one batched read."""
    found = {event["_id"]: event for event in await events.by_ids(
        db, [item["event_id"] for row in rows for item in row["sessions"]])}
    return {row["_id"]: sorted((found[item["event_id"]] for item in row["sessions"] if item["event_id"] in found),
                               key=lambda event: (as_utc(event["start_at"]), event["_id"])) for row in rows}


def mentorship_out(found: dict[str, Any], names: dict[ObjectId, str | None], me: ObjectId,
                   sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """A mentorship as the API answers it (``MentorshipOut``), with its session events."""
    return {
        "id": str(found["_id"]), "side": service.side_of(found, me),
        "mentor": {"id": str(found["mentor_id"]), "name": names.get(found["mentor_id"])},
        "mentee": {"id": str(found["mentee_id"]), "name": names.get(found["mentee_id"])},
        "competency": {"id": found["competency_id"], "name": name_in(found["competency_id"], found["competency"])}, "goal": found["goal"],
        "status": found["status"], "note": found["note"], "requested_at": _at(found["requested_at"]),
        "conversation_id": str(found["conversation_id"]) if found.get("conversation_id") else None,
        "sessions": [session_out(event) for event in sessions],
        "feedback": {side: {"rating": given["rating"], "comment": given["comment"], "at": _at(given["at"]),
                            "endorsed_level": given.get("endorsed_level")}
                     for side, given in (found.get("feedback") or {}).items()},
        "completed": bool(found.get("completed"))}


async def _names(db: Database, rows: list[dict[str, Any]]) -> dict[ObjectId, str | None]:
    found = await people.people_by_id(db, {uid for row in rows for uid in (row["mentor_id"], row["mentee_id"])})
    return {uid: people.shown_name(person) for uid, person in found.items()}


async def mentorship_api(db: Database, actor: policy.Actor, mentorship_id: ObjectId) -> dict[str, Any]:
    found = await service.readable(db, actor, mentorship_id)
    assert actor.user_id is not None
    return mentorship_out(found, await _names(db, [found]), actor.user_id, (await _sessions(db, [found]))[found["_id"]])


async def mentorships_api(db: Database, me: ObjectId) -> dict[str, Any]:
    states = ("requested", "accepted", "declined", "withdrawn", "expired", "ended")
    rows = [*await queries.as_mentor(db, me, states), *await queries.as_mentee(db, me, states)]
    rows.sort(key=lambda row: (as_utc(row["requested_at"]), str(row["_id"])), reverse=True)
    names, sessions = await _names(db, rows), await _sessions(db, rows)
    return {"items": [mentorship_out(row, names, me, sessions[row["_id"]]) for row in rows]}


async def _endorsable(db: Database, found: dict[str, Any], me: ObjectId) -> int | None:
    """The highest level the viewer could endorse the other person's competency at through their
    feedback, or None when the endorsement rule lets them give none (the other does not list it,
    or the viewer holds it neither verified nor as an expert)."""
    other = service.other_of(found, me)
    listed = {row["competency_id"] for row in (await profile_queries.profile(db, other)).get("competencies", [])}
    if found["competency_id"] not in listed:
        return None
    return (await profiles.own_levels(db, me)).get(found["competency_id"])


async def mentorship_page(db: Database, actor: policy.Actor, mentorship_id: ObjectId, now: Any) -> dict[str, Any]:
    """One mentorship as its page shows it, with what the viewer may do next."""
    found = await service.readable(db, actor, mentorship_id)
    me = actor.user_id
    assert me is not None
    sessions = (await _sessions(db, [found]))[found["_id"]]
    shown = mentorship_out(found, await _names(db, [found]), me, sessions)
    blocked = await network.blocked_between(db, found["mentor_id"], found["mentee_id"])
    side = service.side_of(found, me)
    can_feedback = policy.can_give_mentoring_feedback(actor, found, side)
    can_move = policy.can_move_mentoring_session(actor, found, blocked)
    can_cancel = policy.can_cancel_mentoring_session(actor, found)
    shown["sessions"] = []
    for event in sessions:
        out = session_out(event)
        start, end = as_utc(event["start_at"]), as_utc(event["end_at"])
        ahead = start > now and out["status"] != "cancelled"
        shown["sessions"].append({**out, "start": start, "end": end, "held": end <= now and out["status"] != "cancelled",
                                  "can_move": ahead and can_move, "can_cancel": ahead and can_cancel,
                                  "start_value": _local_input(start), "end_value": _local_input(end)})
    return {"mentorship": shown, "requested_at": as_utc(found["requested_at"]),
            "can_answer": policy.can_answer_mentoring_request(actor, found, blocked),
            "can_decline": policy.can_decline_mentoring_request(actor, found),
            "can_withdraw": policy.can_withdraw_mentoring_request(actor, found),
            "can_schedule": policy.can_schedule_mentoring_session(actor, found, blocked),
            "can_end": policy.can_end_mentorship(actor, found), "can_feedback": can_feedback,
            "endorse_up_to": await _endorsable(db, found, me) if can_feedback else None,
            "other": shown["mentee"] if side == "mentor" else shown["mentor"]}


async def mentoring_home(db: Database, actor: policy.Actor, now: Any) -> dict[str, Any]:
    """A person's mentoring page: requests waiting for them as a mentor, mentorships they give and
    receive, and their offer."""
    me = actor.user_id
    assert me is not None
    waiting = await queries.as_mentor(db, me, ("requested",))
    giving = await queries.as_mentor(db, me, ("accepted", "ended"))
    asked = await queries.as_mentee(db, me, ("requested", "accepted", "declined", "expired", "ended"))
    names, sessions = await _names(db, [*waiting, *giving, *asked]), await _sessions(db, [*waiting, *giving, *asked])
    return {"waiting": [mentorship_out(row, names, me, sessions[row["_id"]]) for row in waiting],
            "giving": [mentorship_out(row, names, me, sessions[row["_id"]]) for row in giving],
            "asked": [mentorship_out(row, names, me, sessions[row["_id"]]) for row in asked],
            "offer": await offer_view(db, me, now), "can_offer": policy.can_offer_mentoring(actor)}


def _local_input(value: datetime) -> str:
    """A time as a ``datetime-local`` field shows it, in Indian Standard Time."""
    return value.astimezone(IST).strftime("%Y-%m-%dT%H:%M")


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
