"""The events' writes: create, edit, publish, cancel and duplicate an event, and answer one.

Every function checks first (the policy, the input, the rate) and only then writes, so a refusal
leaves nothing. Seats are counted on the event's own document by a conditional increment (one
more going only while ``going < capacity``), and each person has one answer document per event
(its key is the pair), so a burst of answers can neither overfill an event nor answer twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bson import ObjectId
from bson.errors import InvalidId

from community import policy, ratelimit
from community.accounts import people as accounts_people, queries as accounts, sessions
from community.actions import Action
from community.competencies import queries as competencies
from community.errors import Invalid, NotFound
from community.events import access, live, places, queries, series
from community.events.queries import EVENTS, RSVPS, rsvp_key
from community.events.schemas import COHOSTS_MAX, PEOPLE_MAX, SERIES_MAX, EventIn, RsvpChoice
from community.forums import markdown
from community.i18n import gettext as _
from community.jobs import schedule as jobs
from community.notifications.intents import Recipients, person
from community.policy import Actor, Member
from community.rooms.subjects import hosts_room, socket_room
from community.storage.api import Database
from community.timezones import known_zones
from search import outbox

SEARCH_INDEX = "events"
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("1d", timedelta(days=1)), ("1h", timedelta(hours=1)), ("15m", timedelta(minutes=15)))
REMINDER_JOB = "event.reminder"
WRAP_UP_JOB = "event.wrap_up"
WRAP_UP_AFTER = timedelta(minutes=5)
"""The session's Karma Points are settled this long after its end, when the last people have left the room."""
LONGEST = timedelta(days=7)
"""An event lasts at most a week; a longer one is a series of events."""
FURTHEST = timedelta(days=3 * 365)
CREATIONS_PER_DAY = 50
ANSWERS_PER_HOUR = 120


def reminder_key(event_id: ObjectId, which: str) -> str:
    return f"event.reminder:{event_id}:{which}"


def wrap_up_key(event_id: ObjectId) -> str:
    return f"event.wrap_up:{event_id}"


def _zone(name: str) -> ZoneInfo:
    if name not in known_zones():
        raise Invalid({"zone": _("There is no time zone called %(zone)s.", zone=name)})
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise Invalid({"zone": _("There is no time zone called %(zone)s.", zone=name)}) from None


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as UTC (a time that already carries a zone is taken as it is)."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(UTC)


async def _people(db: Any, emails: list[str], field: str) -> list[ObjectId]:
    found: list[ObjectId] = []
    for email in dict.fromkeys(address.lower() for address in emails):
        user = await accounts.user_by_email(db, email)
        if user is None or user.get("deleted"):
            raise Invalid({field: _("Nobody here has the address %(email)s.", email=email)})
        found.append(user["_id"])
    return found


async def _members(db: Any, ids: list[str], field: str, refusal: str) -> list[ObjectId]:
    """The members a people picker chose, by id; ``Invalid`` (``refusal`` beside ``field``) when
    one is not (or no longer) a member."""
    try:
        wanted = list(dict.fromkeys(ObjectId(text) for text in ids))
    except InvalidId:
        raise Invalid({field: refusal}) from None
    found = await accounts_people.people_by_id(db, wanted)
    if any(user_id not in found or found[user_id]["deleted"] for user_id in wanted):
        raise Invalid({field: refusal})
    return wanted


def check_times(start: datetime, end: datetime, *, now: datetime, starts_before: datetime | None = None) -> dict[str, str]:
    """What is wrong with an event's start and end (aware times), by field (``start``, ``end``);
    empty when nothing is. ``starts_before`` is an existing event's start, which may stay past."""
    errors: dict[str, str] = {}
    if start <= now and start != starts_before:
        errors["start"] = _("The start must be in the future.")
    elif start > now + FURTHEST:
        errors["start"] = _("The start must be within three years.")
    if end <= start:
        errors["end"] = _("The end must be after the start.")
    elif end - start > LONGEST:
        errors["end"] = _("An event lasts at most a week.")
    return errors


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event happens, as its form or its holder gives it: ``EventIn``'s ``place``, ``link`` and ``venue``."""

    kind: str
    link: str = ""
    venue: str = ""


def check_place(given: Place) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored place (a new Jitsi room or BigBlueButton meeting for those kinds), and what is
    wrong with it by field (``link``, ``venue``); empty when nothing is."""
    place: dict[str, Any] = {"kind": given.kind}
    errors: dict[str, str] = {}
    if given.kind == "link":
        if not given.link.startswith("https://"):
            errors["link"] = _("Give the meeting's https:// address.")
        place["url"] = given.link
    elif given.kind == "jitsi":
        place["room"] = f"karmayogi-{ObjectId()}"
    elif given.kind == "venue":
        if not given.venue:
            errors["venue"] = _("Say where to meet.")
        place["address"] = given.venue
    else:
        place["meeting_id"] = f"karmayogi-{ObjectId()}"
    return place, errors


async def check_event(tx: Action, data: EventIn, *, now: datetime, starts_before: datetime | None = None) -> dict[str, Any]:
    """The stored fields of an event as written, or ``Invalid`` naming each field that is wrong.
    ``starts_before`` is an existing event's start: keeping a start already past is allowed.
    ``cohost_ids`` and ``invited_ids`` are the people ``data`` names, whom a change adds."""
    zone = _zone(data.zone)
    start, end = _utc(data.start, zone), _utc(data.end, zone)
    errors = check_times(start, end, now=now, starts_before=starts_before)
    closes = _utc(data.rsvp_closes, zone) if data.rsvp_closes is not None else None
    if closes is not None and closes > start:
        errors["rsvp_closes"] = _("RSVP must close by the start.")
    place, wrong = check_place(Place(data.place, link=data.link, venue=data.venue))
    errors.update(wrong)
    known = await competencies.existing_competency_ids(tx.db, data.competencies)
    unknown = [c for c in data.competencies if c not in known]
    if unknown:
        errors["competencies"] = _("Not in the competency dictionary: %(ids)s", ids=", ".join(unknown))
    if data.audience != "invitation" and (data.invite or data.invite_ids):
        errors["invite"] = _("Only an invitation-only event takes invitations.")
    if errors:
        raise Invalid(errors)
    cohosts = list(dict.fromkeys([*await _people(tx.db, data.cohosts, "cohosts"), *await _members(
        tx.db, data.add_cohost_ids, "cohosts", _("Choose the co-hosts from the list."))]))
    invited = list(dict.fromkeys([*await _people(tx.db, data.invite, "invite"), *await _members(
        tx.db, data.invite_ids, "invite", _("Choose the people to invite from the list."))]))
    rendered = markdown.render(data.description)
    return {"title": data.title, "description": data.description, "description_html": rendered.html,
            "start_at": start, "end_at": end, "zone": data.zone, "capacity": data.capacity,
            "audience": data.audience, "invited_ids": invited, "cohost_ids": cohosts,
            "competencies": list(dict.fromkeys(data.competencies)), "language": data.language, "place": place,
            "rsvp_closes_at": closes}


async def _organisation_for(tx: Action, actor: Member, audience: str) -> ObjectId | None:
    if audience == "organisation" and actor.org_id is None:
        raise Invalid({"audience": _("You belong to no organisation, so the event cannot be limited to one.")})
    return actor.org_id


async def create(tx: Action, data: EventIn) -> ObjectId:
    """A draft, which only its hosts see until it is published; for a repeating event, one draft
    per occurrence (``community.events.series``). Returns the (first) event's id."""
    actor = policy.require_member(tx.actor)
    policy.require(actor, policy.can_create_event(actor), _("Experts and organisation administrators create events."))
    if data.uninvite:
        raise Invalid({"uninvite": _("Choose among the people invited.")})
    if data.remove_cohost_ids:
        raise Invalid({"remove_cohost_ids": _("Choose among the co-hosts.")})
    fields = await check_event(tx, data, now=tx.now)
    fields["cohost_ids"] = _cohosts({"host_id": actor.user_id}, fields["cohost_ids"], data).now
    starts, rule = series.occurrences(data, fields["start_at"], _zone(data.zone), tx.now)
    org_id = await _organisation_for(tx, actor, data.audience)
    await ratelimit.hit(tx.db, f"event-create:{actor.user_id}", limit=CREATIONS_PER_DAY, window_seconds=86400)
    ids = [ObjectId() for _ in starts]
    session = await tx.start()
    for position, (event_id, start) in enumerate(zip(ids, starts, strict=True)):
        by = start - fields["start_at"]
        place = dict(fields["place"])
        if place["kind"] == "jitsi":
            place["room"] = f"karmayogi-{event_id}"
        elif place["kind"] == "bbb":
            place["meeting_id"] = f"karmayogi-{event_id}"
        await tx.db[EVENTS].insert_one({
            "_id": event_id, **fields, "start_at": start, "end_at": fields["end_at"] + by, "place": place,
            "rsvp_closes_at": series.shifted(fields["rsvp_closes_at"], by), "host_id": actor.user_id,
            "organiser_org_id": org_id, "org_id": org_id if data.audience == "organisation" else None,
            "status": "draft", "going": 0, "waitlisted": 0, "interested": 0, "created_at": tx.now,
            "updated_at": tx.now, "published_at": None, "cancelled_at": None,
            "series": {"id": ids[0], "position": position, "original_start_at": start, **rule} if rule else None},
            session=session)
        await tx.reindex(SEARCH_INDEX, event_id)
    for user_id in fields["cohost_ids"]:
        await _tell_cohost(tx, user_id, ids[0], fields["title"])
    return ids[0]


async def managed(tx: Action, event_id: ObjectId) -> dict[str, Any]:
    event = await queries.event(tx.db, event_id)
    if event is None or not policy.can_see_event(tx.actor, event, await access.actor_orgs(tx.db, tx.actor)):
        raise NotFound(_("There is no such event."))
    policy.require(tx.actor, policy.can_manage_event(tx.actor, event), _("Only the event's hosts may change it."))
    return event


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


async def _schedule_jobs(tx: Action, event_id: ObjectId, start: datetime, end: datetime) -> None:
    """The reminders before the start, and the settling of Karma Points after the end."""
    await tx.schedule(WRAP_UP_JOB, end + WRAP_UP_AFTER, {"event_id": event_id}, key=wrap_up_key(event_id))
    for which, before in REMINDERS:
        due = start - before
        if due > tx.now:
            await tx.schedule(REMINDER_JOB, due, {"event_id": event_id, "which": which}, key=reminder_key(event_id, which))
        else:
            await tx.cancel(reminder_key(event_id, which))


async def _cancel_jobs(tx: Action, event_id: ObjectId) -> None:
    await tx.cancel(wrap_up_key(event_id))
    for which, _before in REMINDERS:
        await tx.cancel(reminder_key(event_id, which))


def counts(event: Mapping[str, Any]) -> dict[str, int]:
    return {"going": event["going"], "waitlisted": event["waitlisted"], "interested": event["interested"],
            "capacity": event["capacity"]}


def _push_counts(tx: Action, event: Mapping[str, Any]) -> None:
    tx.emit("events:counts", {"event_id": str(event["_id"]), **counts(event)}, room=f"event:{event['_id']}")


async def publish(tx: Action, event_id: ObjectId) -> None:
    """Publish a draft, with every later draft occurrence of its series; each gets its reminders."""
    event = await managed(tx, event_id)
    if event["status"] != "draft":
        raise Invalid({"status": _("Only a draft is published.")})
    start = _aware(event["start_at"])
    assert start is not None
    if start <= tx.now:
        raise Invalid({"start": _("The start must be in the future.")})
    drafts = [event]
    if event.get("series"):
        drafts = await queries.listed(tx.db, {"series.id": event["series"]["id"], "status": "draft",
                                              "start_at": {"$gte": start}}, limit=SERIES_MAX)
    session = await tx.start()
    for draft in drafts:
        await tx.db[EVENTS].update_one({"_id": draft["_id"], "status": "draft"}, {"$set": {
            "status": "published", "published_at": tx.now, "updated_at": tx.now}}, session=session)
        await tx.reindex(SEARCH_INDEX, draft["_id"])
        draft_start, draft_end = _aware(draft["start_at"]), _aware(draft["end_at"])
        assert draft_start is not None and draft_end is not None
        await _schedule_jobs(tx, draft["_id"], draft_start, draft_end)
        if draft["audience"] == "invitation" and draft.get("invited_ids"):
            await _tell_invited(tx, Recipients("event_invited", {"event_id": draft["_id"]}), draft["_id"], draft["title"])


async def update(tx: Action, event_id: ObjectId, data: EventIn) -> bool:
    """Change an event that is not cancelled; people going are told when its time or place
    changed, and the reminders move with the start. Co-hosts and invitations are kept but those
    ``data`` removes, and people it names are added, each told. When the audience narrows, the
    answers of those it leaves out are dropped, as an uninvited person's are (their seats go to
    the waitlist). Whoever is removed so is taken out at once of the event's socket rooms they
    may no longer be in (``_take_out_of_rooms``).
    Returns whether the time or place changed."""
    event = await managed(tx, event_id)
    _not_held(event)
    if event["status"] == "cancelled":
        raise Invalid({"status": _("A cancelled event cannot be changed.")})
    if data.repeat != "none":
        raise Invalid({"repeat": _("An event's repeats are set when it is created; change each occurrence alone.")})
    fields = await check_event(tx, data, now=tx.now, starts_before=_aware(event["start_at"]))
    if fields["capacity"] < event["going"]:
        raise Invalid({"capacity": _("%(count)s people are going already; give at least that many seats.",
                                     count=event["going"])})
    fields["place"] = _kept_room(event["place"], fields["place"])
    if data.audience == "organisation" and event.get("organiser_org_id") is None:
        raise Invalid({"audience": _("You belong to no organisation, so the event cannot be limited to one.")})
    fields["org_id"] = event.get("organiser_org_id") if data.audience == "organisation" else None
    invited = _invitations(event, fields["invited_ids"], data)
    fields["invited_ids"] = invited.now
    cohosts = _cohosts(event, fields["cohost_ids"], data)
    fields["cohost_ids"] = cohosts.now
    moved = fields["start_at"] != _aware(event["start_at"]) or fields["end_at"] != _aware(event["end_at"])
    changed = moved or fields["place"] != event["place"]
    session = await tx.start()
    await tx.db[EVENTS].update_one({"_id": event_id}, {"$set": {**fields, "updated_at": tx.now}}, session=session)
    await tx.reindex(SEARCH_INDEX, event_id)
    seats_freed = await _drop_answers(tx, event_id, invited.removed, session)
    for user_id in cohosts.added:
        await _tell_cohost(tx, user_id, event_id, fields["title"])
    leaving = [*invited.removed, *cohosts.removed]
    viewers: Viewers = {}
    if fields["audience"] != "everyone" and (fields["audience"], fields["org_id"]) != (event["audience"], event.get("org_id")):
        outside = await _outside_audience(tx, {**event, **fields}, viewers)
        seats_freed = await _drop_answers(tx, event_id, outside, session) or seats_freed
        leaving += outside
    await _take_out_of_rooms(tx, {**event, **fields}, leaving, session, viewers, former_hosts=cohosts.removed)
    if event["status"] == "published":
        for user_id in invited.added:
            await _tell_invited(tx, person(user_id), event_id, fields["title"])
        if moved:
            await _schedule_jobs(tx, event_id, fields["start_at"], fields["end_at"])
        if changed:
            await tx.notify("event_changed", to=going_set(event_id), subject=("event", event_id),
                            params={"event_id": str(event_id), "title": fields["title"],
                                    "start_at": fields["start_at"].isoformat()})
        if fields["capacity"] > event["capacity"] or seats_freed:
            await _fill_seats(tx, event_id, session)
            fresh = await queries.event(tx.db, event_id, session=session)
            assert fresh is not None
            _push_counts(tx, fresh)
    return changed


Viewers = dict[ObjectId, tuple[Actor, frozenset[ObjectId]]]
"""People as the policy judges them, by id: each one's actor and organisations, read once per change."""


async def _viewer(tx: Action, user_id: ObjectId, viewers: Viewers) -> tuple[Actor, frozenset[ObjectId]]:
    if user_id not in viewers:
        actor = sessions.actor_for_user(await accounts.user_by_id(tx.db, user_id))
        viewers[user_id] = actor, await access.actor_orgs(tx.db, actor)
    return viewers[user_id]


async def _take_out_of_rooms(tx: Action, event: Mapping[str, Any], people: Sequence[ObjectId], session: Any,
                             viewers: Viewers, *, former_hosts: Iterable[ObjectId] = ()) -> None:
    """Take each of ``people`` (uninvited, no longer co-hosting, or outside ``event``'s narrowed
    audience, as changed) out of the event's socket rooms the policy no longer lets them be in:
    its page's room (``event:<id>``, the seat counts), its live room (``room:event:<id>``: the
    hosts and the people going), or, for ``former_hosts``, only the live room's hosts' part.
    Their sockets stay connected and are told (``room:removed``)."""
    live_room = socket_room(live.KIND, event["_id"])
    hosts = set(former_hosts)
    for user_id in dict.fromkeys(people):
        actor, orgs = await _viewer(tx, user_id, viewers)
        answer = await queries.rsvp(tx.db, event["_id"], user_id, session=session)
        seen = access.judge(actor, dict(event), orgs, answer["status"] if answer else "none")
        if not policy.can_join_room(actor, "event", event):
            tx.remove_from_room(user_id, f"event:{event['_id']}")
        if event["status"] == "draft":
            continue  # a draft has no live room
        if not (seen.can_see and (seen.is_host or seen.rsvp == "going")):
            tx.remove_from_room(user_id, live_room)
        elif not seen.is_host and user_id in hosts:
            tx.remove_from_room(user_id, hosts_room(live.KIND, event["_id"]))


def _kept_room(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The place after a change: the same Jitsi room or BigBlueButton meeting when the kind
    stays, so the links already given still work."""
    return before if after["kind"] == before["kind"] and after["kind"] in ("jitsi", "bbb") else after


@dataclass(frozen=True, slots=True)
class People:
    """An edit's invited people or co-hosts: everyone after it, who of them is new, and who is gone."""

    now: list[ObjectId]
    added: list[ObjectId]
    removed: list[ObjectId]

    @classmethod
    def change(cls, before: Sequence[ObjectId], now: list[ObjectId]) -> People:
        return cls(now=now, added=[user_id for user_id in now if user_id not in before],
                   removed=[user_id for user_id in before if user_id not in now])


def _invitations(event: Mapping[str, Any], invite: Sequence[ObjectId], data: EventIn) -> People:
    """The people already invited stay invited but those ``data.uninvite`` names; ``invite``
    (the addresses' people) are invited besides. An event that is no longer invitation-only
    invites nobody, and withdraws no access its new audience gives."""
    before = list(event.get("invited_ids", []))
    if data.audience != "invitation":
        return People(now=[], added=[], removed=[])
    try:
        removed = {ObjectId(text) for text in data.uninvite}
    except InvalidId:
        raise Invalid({"uninvite": _("Choose among the people invited.")}) from None
    now = list(dict.fromkeys([*(user_id for user_id in before if user_id not in removed), *invite]))
    if len(now) > PEOPLE_MAX:
        raise Invalid({"invite": _("An event invites at most %(count)s people.", count=PEOPLE_MAX)})
    return People.change(before, now)


def _cohosts(event: Mapping[str, Any], add: Sequence[ObjectId], data: EventIn) -> People:
    """The co-hosts stay but those ``data.remove_cohost_ids`` names; ``add`` (the people the
    change names) co-host besides. The host is no co-host: naming them adds nothing, and removing
    them is refused, so no co-host takes the event from its host."""
    before = [user_id for user_id in event.get("cohost_ids", []) if user_id != event["host_id"]]
    try:
        removed = {ObjectId(text) for text in data.remove_cohost_ids}
    except InvalidId:
        raise Invalid({"remove_cohost_ids": _("Choose among the co-hosts.")}) from None
    if event["host_id"] in removed:
        raise Invalid({"remove_cohost_ids": _("The event's host cannot be removed; only its co-hosts can.")})
    now = list(dict.fromkeys([*(user_id for user_id in before if user_id not in removed),
                              *(user_id for user_id in add if user_id != event["host_id"])]))
    if len(now) > COHOSTS_MAX:
        raise Invalid({"cohosts": _("An event has at most %(count)s co-hosts.", count=COHOSTS_MAX)})
    return People.change(before, now)


async def _outside_audience(tx: Action, event: Mapping[str, Any], viewers: Viewers) -> list[ObjectId]:
    """Those who answered ``event`` (as changed) and may no longer see it."""
    outside = []
    for user_id in await queries.people_of(tx.db, event["_id"], queries.RSVP_STATES):
        actor, orgs = await _viewer(tx, user_id, viewers)
        if not policy.can_see_event(actor, event, orgs):
            outside.append(user_id)
    return outside


async def _drop_answers(tx: Action, event_id: ObjectId, people: Sequence[ObjectId], session: Any) -> bool:
    """Forget the answers of people no longer invited or in the audience, as they may no longer
    come; returns whether seats were freed."""
    freed = False
    for user_id in people:
        answer = await tx.db[RSVPS].find_one({"_id": rsvp_key(event_id, user_id)}, session=session)
        if answer is None:
            continue
        await tx.db[RSVPS].delete_one({"_id": answer["_id"]}, session=session)
        if answer["status"] in ("going", "waitlisted", "interested"):
            await tx.db[EVENTS].update_one({"_id": event_id}, {"$inc": {answer["status"]: -1}}, session=session)
        freed = freed or answer["status"] == "going"
    return freed


async def _tell_invited(tx: Action, to: Recipients, event_id: ObjectId, title: str) -> None:
    await tx.notify("event_invited", to=to, subject=("event", event_id),
                    params={"event_id": str(event_id), "title": title})


async def _tell_cohost(tx: Action, user_id: ObjectId, event_id: ObjectId, title: str) -> None:
    await tx.notify("event_cohost_added", to=person(user_id), subject=("event", event_id),
                    params={"event_id": str(event_id), "title": title})


async def cancel(tx: Action, event_id: ObjectId) -> None:
    """Everyone who answered (going, waitlisted, interested) is told; the reminders are dropped."""
    await _cancel(tx, await managed(tx, event_id))


async def _cancel(tx: Action, event: Mapping[str, Any]) -> None:
    event_id = event["_id"]
    if event["status"] == "cancelled":
        return
    session = await tx.start()
    await tx.db[EVENTS].update_one({"_id": event_id}, {"$set": {
        "status": "cancelled", "cancelled_at": tx.now, "updated_at": tx.now}}, session=session)
    await tx.reindex(SEARCH_INDEX, event_id)
    await _cancel_jobs(tx, event_id)
    if event["status"] == "published":
        await tx.notify("event_cancelled", to=Recipients("event_answered", {"event_id": event_id}),
                        subject=("event", event_id), params={"event_id": str(event_id), "title": event["title"]})


async def duplicate(tx: Action, event_id: ObjectId) -> ObjectId:
    """A new draft with the same details a week after the original (or a week from now, if
    that is already past), with nobody's answers."""
    event = await managed(tx, event_id)
    _not_held(event)
    actor = policy.require_member(tx.actor)
    policy.require(actor, policy.can_create_event(actor), _("Experts and organisation administrators create events."))
    await ratelimit.hit(tx.db, f"event-create:{actor.user_id}", limit=CREATIONS_PER_DAY, window_seconds=86400)
    start, end = _aware(event["start_at"]), _aware(event["end_at"])
    assert start is not None and end is not None
    shift = timedelta(weeks=1)
    while start + shift <= tx.now:
        shift += timedelta(weeks=1)
    copy_id = ObjectId()
    place = dict(event["place"])
    if place["kind"] == "jitsi":
        place["room"] = f"karmayogi-{copy_id}"
    elif place["kind"] == "bbb":
        place["meeting_id"] = f"karmayogi-{copy_id}"
    closes = _aware(event.get("rsvp_closes_at"))
    session = await tx.start()
    await tx.db[EVENTS].insert_one({
        **{k: v for k, v in event.items() if k not in ("_id",)}, "_id": copy_id, "host_id": actor.user_id,
        "cohost_ids": [user_id for user_id in event["cohost_ids"] if user_id != actor.user_id],
        "start_at": start + shift, "end_at": end + shift, "rsvp_closes_at": closes + shift if closes else None,
        "place": place, "status": "draft", "going": 0, "waitlisted": 0, "interested": 0, "series": None,
        "created_at": tx.now, "updated_at": tx.now, "published_at": None, "cancelled_at": None}, session=session)
    await tx.reindex(SEARCH_INDEX, copy_id)
    return copy_id


# --- events another feature holds ------------------------------------------------------------
# A mentoring session is an event like any other (its page, reminders, calendar files, "my
# events"), but it belongs to its mentorship: the mentorship's page schedules, moves and cancels
# it, for its two people, after the mentoring policy said they may. The event records what holds
# it (``held_for``: the holder's type, id and page); only that holder moves it, and its hosts
# neither edit nor duplicate it from the events' pages (they may still cancel it).


@dataclass(frozen=True, slots=True)
class Holder:
    """What holds an event: a subject of another feature, and the page it is changed on."""

    type: str
    id: ObjectId
    url: str


def _not_held(event: Mapping[str, Any]) -> None:
    if event.get("held_for"):
        raise Invalid({"status": _("This event is changed from the page it was scheduled on.")})


async def hold(tx: Action, data: EventIn, holder: Holder, people: Sequence[ObjectId]) -> ObjectId:
    """Create and publish an invitation-only event hosted by the actor for ``holder``, with
    ``people`` (the host among them) invited and going, so each is reminded of it and finds it
    in "my events". The checks are ``create``'s: a refusal names the event's fields and leaves
    nothing. Published at once, with its reminders, as ``publish`` would."""
    if data.audience != "invitation" or data.invite or data.invite_ids or data.repeat != "none":
        raise ValueError("a held event is one invitation-only event; its people are given, not invited by address")
    guests = list(dict.fromkeys(people))
    event_id = await create(tx, data.model_copy(update={"capacity": max(data.capacity, len(guests))}))
    event = await queries.event(tx.db, event_id, session=tx.session)
    assert event is not None
    await tx.db[EVENTS].update_one({"_id": event_id}, {
        "$set": {"status": "published", "published_at": tx.now, "invited_ids": guests,
                 "held_for": {"type": holder.type, "id": holder.id, "url": holder.url}},
        "$inc": {"going": len(guests)}}, session=tx.session)
    start, end = _aware(event["start_at"]), _aware(event["end_at"])
    assert start is not None and end is not None
    await _schedule_jobs(tx, event_id, start, end)
    for user_id in guests:
        await tx.db[RSVPS].insert_one({"_id": rsvp_key(event_id, user_id), "event_id": event_id, "user_id": user_id,
                                       "status": "going", "answered_at": tx.now, "waitlisted_at": None},
                                      session=tx.session)
    return event_id


async def _held(tx: Action, event_id: ObjectId, holder: Holder) -> dict[str, Any]:
    event = await queries.event(tx.db, event_id)
    held = (event or {}).get("held_for") or {}
    if event is None or (held.get("type"), held.get("id")) != (holder.type, holder.id):
        raise NotFound(_("There is no such event."))
    return event


async def move_held(tx: Action, event_id: ObjectId, holder: Holder, start: datetime, end: datetime,
                    place: Place | None = None) -> None:
    """Move an event ``holder`` holds to a new start and end (aware times), and to ``place`` when
    one is given: its reminders move with it, and the people going are told, as when a host
    changes an event's time or place. ``Invalid`` names the wrong fields as ``check_times`` and
    ``check_place`` do."""
    event = await _held(tx, event_id, holder)
    if event["status"] == "cancelled":
        raise Invalid({"status": _("A cancelled event cannot be changed.")})
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    errors = check_times(start, end, now=tx.now)
    where = event["place"]
    if place is not None:
        where, wrong = check_place(place)
        errors.update(wrong)
        where = _kept_room(event["place"], where)
    if errors:
        raise Invalid(errors)
    session = await tx.start()
    await tx.db[EVENTS].update_one({"_id": event_id}, {"$set": {
        "start_at": start, "end_at": end, "place": where, "rsvp_closes_at": None, "updated_at": tx.now}},
        session=session)
    await tx.reindex(SEARCH_INDEX, event_id)
    await _schedule_jobs(tx, event_id, start, end)
    await tx.notify("event_changed", to=going_set(event_id), subject=("event", event_id),
                    params={"event_id": str(event_id), "title": event["title"], "start_at": start.isoformat()})


async def cancel_held(tx: Action, event_id: ObjectId, holder: Holder) -> None:
    """Cancel an event ``holder`` holds, as its host would: its reminders are dropped and the
    people who answered are told."""
    await _cancel(tx, await _held(tx, event_id, holder))


async def cancel_held_of_erased(db: Database, user_id: ObjectId, session: Any) -> None:
    """Erasure: a held event is for its few people, and cannot take place without one of them;
    those still to come are cancelled with their reminders, telling nobody (the holder's own record
    of the session goes with the person)."""
    now = datetime.now(UTC)
    rows = await db[EVENTS].find({"invited_ids": user_id, "status": "published", "start_at": {"$gt": now}},
                                 {"held_for": 1}, session=session).to_list(None)
    for event in rows:
        if not event.get("held_for"):
            continue
        await db[EVENTS].update_one({"_id": event["_id"]}, {"$set": {
            "status": "cancelled", "cancelled_at": now, "updated_at": now}}, session=session)
        await outbox.record(db, session, SEARCH_INDEX, event["_id"])
        for key in (wrap_up_key(event["_id"]), *(reminder_key(event["_id"], which) for which, _before in REMINDERS)):
            await jobs.cancel(db, session, key)


def going_set(event_id: ObjectId) -> Recipients:
    return Recipients("event_going", {"event_id": event_id})


async def _fill_seats(tx: Action, event_id: ObjectId, session: Any) -> None:
    """Promote the first waitlisted people into every free seat, each told."""
    while True:
        first = await queries.first_waitlisted(tx.db, event_id, session=session)
        if first is None:
            return
        event = await queries.event(tx.db, event_id, session=session)
        if event is None or event["going"] >= event["capacity"]:
            return
        await tx.db[EVENTS].update_one({"_id": event_id}, {"$inc": {"going": 1, "waitlisted": -1}}, session=session)
        await tx.db[RSVPS].update_one({"_id": first["_id"]}, {"$set": {
            "status": "going", "waitlisted_at": None, "answered_at": tx.now}}, session=session)
        await tx.notify("event_promoted", to=person(first["user_id"]), subject=("event", event_id),
                        params={"event_id": str(event_id), "title": event["title"]})
        tx.emit("events:rsvp", {"event_id": str(event_id), "status": "going"}, room=f"user:{first['user_id']}")


async def rsvp(tx: Action, event_id: ObjectId, choice: RsvpChoice) -> str:
    """Answer an event; returns the person's status. Going past capacity joins the waitlist; a
    seat left by someone going goes to the first waitlisted person."""
    actor = policy.require_member(tx.actor)
    event = await queries.event(tx.db, event_id)
    orgs = await access.actor_orgs(tx.db, actor)
    if event is None or not policy.can_see_event(actor, event, orgs):
        raise NotFound(_("There is no such event."))
    if event["status"] == "cancelled":
        raise Invalid({"status": _("This event was cancelled.")})
    if not policy.in_event_audience(actor, event, orgs):
        policy.require(actor, False, _("This event is by invitation only."))
    if not policy.rsvp_is_open(event, tx.now):
        raise Invalid({"status": _("Answers to this event are closed.")})
    policy.require(actor, policy.can_rsvp(actor, event, orgs, tx.now), _("You cannot answer this event."))
    await ratelimit.hit(tx.db, f"event-rsvp:{actor.user_id}", limit=ANSWERS_PER_HOUR, window_seconds=3600)
    session = await tx.start()
    key = rsvp_key(event_id, actor.user_id)
    current = await tx.db[RSVPS].find_one({"_id": key}, session=session)
    before = current["status"] if current is not None else "none"
    if before == choice or (before == "waitlisted" and choice == "going"):
        return before
    after: str = choice
    if choice == "going":
        seats = await queries.event(tx.db, event_id, session=session)
        assert seats is not None
        seated = await tx.db[EVENTS].update_one({"_id": event_id, "going": {"$lt": seats["capacity"]}},
                                                {"$inc": {"going": 1}}, session=session)
        after = "going" if seated.modified_count == 1 else "waitlisted"
    change: dict[str, int] = {}
    for state, step in ((before, -1), (after, 1)):
        if state in ("waitlisted", "interested") or (state == "going" and step == -1):
            change[state] = change.get(state, 0) + step
    if change:
        await tx.db[EVENTS].update_one({"_id": event_id}, {"$inc": change}, session=session)
    await tx.db[RSVPS].update_one({"_id": key}, {
        "$set": {"status": after, "answered_at": tx.now, "waitlisted_at": tx.now if after == "waitlisted" else None},
        "$setOnInsert": {"event_id": event_id, "user_id": actor.user_id}}, upsert=True, session=session)
    if before == "going":
        await _fill_seats(tx, event_id, session)
    fresh = await queries.event(tx.db, event_id, session=session)
    assert fresh is not None
    if before == "going" and after != "going":
        await _take_out_of_rooms(tx, fresh, [actor.user_id], session, {})  # the live room is for the people going
    _push_counts(tx, fresh)
    return after


def meeting_link(settings: Any, event: Mapping[str, Any], *, name: str, user_id: ObjectId, host: bool) -> str | None:
    """Where the person joins: the host's link, the embedded Jitsi room, or a signed
    BigBlueButton join link (none while no BigBlueButton server is configured, none for a venue)."""
    place = event["place"]
    if place["kind"] == "venue":
        return None
    if place["kind"] == "link":
        return str(place["url"])
    if place["kind"] == "jitsi":
        return places.jitsi_url(settings.jitsi_url, place["room"])
    if not settings.bbb_url or not settings.bbb_secret:
        return None
    return places.bbb_join_url(settings.bbb_url, settings.bbb_secret, meeting_id=place["meeting_id"],
                               full_name=name, user_id=str(user_id), moderator=host)
