"""After the session: the recording and summary its hosts add, a short feedback form whose
averages the hosts see, Karma Points for hosting and attending, and, once a host confirms it,
attendance as evidence of the event's competencies at the level the host states (the host then
vouches for each attendee as an endorsement of theirs, counted by the profile's rule).

The points are settled by the ``event.wrap_up`` job a few minutes after the end (scheduled with
the reminders, moved and cancelled with them), from the room's attendance; a host's correction
of someone's attendance settles them again at once. Awards are keyed by person and event in the
ledger, so settling twice gives nothing twice, and someone corrected to absent loses theirs;
the evidence follows the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from community import actions, audit, policy, ratelimit
from community.actions import Action
from community.errors import Forbidden, Invalid, NotFound
from community.events import live, queries, service
from community.events.access import actor_orgs, utc
from community.events.schemas import EvidenceIn, FeedbackIn, RecordIn
from community.forums import markdown
from community.i18n import N_, gettext as _
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.karma import participation
from community.profiles import edit as profiles
from community.rooms.subjects import on_correction
from community.storage.api import Database

FEEDBACK = queries.FEEDBACK
RECORDS_PER_HOUR = 30
FEEDBACK_PER_HOUR = 30
COMMENTS_SHOWN = 100


def feedback_key(event_id: ObjectId, user_id: ObjectId) -> str:
    return f"{event_id}|{user_id}"


async def record(tx: Action, event_id: ObjectId, data: RecordIn) -> None:
    """The hosts set (or clear) the recording's address and the summary; the first recording
    added is told to the people who were going."""
    event = await service.managed(tx, event_id)
    member = policy.require_member(tx.actor)
    policy.require(member, policy.can_record_event(member, event, tx.now),
                   _("A recording and a summary are added once the session has started."))
    address = data.recording_url.strip()
    if address and not address.startswith("https://"):
        raise Invalid({"recording_url": _("Give the recording's https:// address.")})
    await ratelimit.hit(tx.db, f"event-record:{member.user_id}", limit=RECORDS_PER_HOUR, window_seconds=3600)
    summary = data.summary.strip()
    session = await tx.start()
    await tx.db[queries.EVENTS].update_one({"_id": event_id}, {"$set": {
        "recording_url": address or None, "summary": summary,
        "summary_html": markdown.render(summary).html if summary else "", "updated_at": tx.now}}, session=session)
    if address and not event.get("recording_url"):
        await tx.notify("event_recording", to=service.going_set(event_id), subject=("event", event_id),
                        params={"event_id": str(event_id), "title": event["title"]})


def evidence_reference(event_id: ObjectId) -> str:
    return f"event:{event_id}"


async def confirm_evidence(tx: Action, event_id: ObjectId, data: EvidenceIn) -> None:
    """A host confirms that attending counts as evidence of the event's competencies at
    ``data.level``, which may not pass the level the host holds in any of them; audited. Once the
    event has ended, everyone who attended is vouched for at once (before, at the wrap-up)."""
    event = await service.managed(tx, event_id)
    member = policy.require_member(tx.actor)
    policy.require(member, policy.can_record_event(member, event, tx.now),
                   _("Attendance is confirmed as evidence once the session has started."))
    if not event["competencies"]:
        raise Invalid({"level": _("The event is tagged with no competency, so its attendance is evidence of none.")})
    own = await profiles.own_levels(tx.db, member.user_id)
    if any((own.get(cid) or 0) < data.level for cid in event["competencies"]):
        raise Invalid({"level": _("You can confirm attendance only up to the level you hold yourself in each of the "
                                  "event's competencies.")})
    session = await tx.start()
    await tx.db[queries.EVENTS].update_one({"_id": event_id}, {"$set": {
        "evidence": {"level": data.level, "by": member.user_id, "at": tx.now}, "updated_at": tx.now}}, session=session)
    await audit.record(tx.db, actor=member, action="event.evidence_confirmed", target_type="event", target_id=event_id,
                       details={"level": data.level, "competencies": list(event["competencies"])}, session=session)
    if utc(event["end_at"]) < tx.now:
        await tx.schedule(service.WRAP_UP_JOB, tx.now, {"event_id": event_id}, key=service.wrap_up_key(event_id))


async def _attended_event(tx: Action, event_id: ObjectId) -> tuple[dict[str, Any], policy.Member]:
    member = policy.require_member(tx.actor)
    event = await queries.event(tx.db, event_id)
    if event is None or not policy.can_see_event(member, event, await actor_orgs(tx.db, member)):
        raise NotFound(_("There is no such event."))
    ended = event["status"] == "published" and utc(event["end_at"]) < tx.now
    went = ended and await live.attended(tx.db, event, member.user_id, tx.now)
    if not policy.can_give_event_feedback(member, attended=went, ended=ended):
        raise Forbidden(_("Feedback is for the people who attended, once the session has ended."))
    return event, member


async def give_feedback(tx: Action, event_id: ObjectId, data: FeedbackIn) -> None:
    """An attendee's rating and comment; given again, it replaces the last."""
    _event, member = await _attended_event(tx, event_id)
    await ratelimit.hit(tx.db, f"event-feedback:{member.user_id}", limit=FEEDBACK_PER_HOUR, window_seconds=3600)
    await tx.db[FEEDBACK].update_one({"_id": feedback_key(event_id, member.user_id)}, {"$set": {
        "event_id": event_id, "user_id": member.user_id, "rating": data.rating, "comment": data.comment.strip(),
        "at": tx.now}}, upsert=True, session=await tx.start())


async def feedback_of(db: Database, event_id: ObjectId, user_id: ObjectId) -> dict[str, Any] | None:
    return await db[FEEDBACK].find_one({"_id": feedback_key(event_id, user_id)})


def may_see_feedback(actor: policy.Actor, event: Mapping[str, Any]) -> bool:
    return policy.can_manage_event(actor, event)


async def feedback_summary(db: Database, event_id: ObjectId) -> dict[str, Any]:
    """How many gave feedback, the average rating, the count of each rating and the comments
    (newest first, at most ``COMMENTS_SHOWN``, with no names: the hosts read what was said)."""
    ratings = [0] * 5
    comments: list[str] = []
    async for row in db[FEEDBACK].find({"event_id": event_id}, {"rating": 1, "comment": 1}).sort("at", -1):
        ratings[row["rating"] - 1] += 1
        if row.get("comment") and len(comments) < COMMENTS_SHOWN:
            comments.append(row["comment"])
    count = sum(ratings)
    average = round(sum((n + 1) * c for n, c in enumerate(ratings)) / count, 1) if count else None
    return {"count": count, "average": average, "ratings": ratings, "comments": comments}


async def settle(tx: Action, *, event_id: ObjectId) -> None:
    """Karma Points for the hosts and for everyone who attended an event that has ended, and the
    confirmed evidence for each who attended; both taken back from anyone in the attendance whom a
    host corrected to absent."""
    event = await queries.event(tx.db, event_id)
    if event is None or event["status"] != "published" or utc(event["end_at"]) > tx.now:
        return
    for host_id in dict.fromkeys([event["host_id"], *event["cohost_ids"]]):
        await participation.award_hosted(tx, host_id, live.KIND, event_id)
    evidence = event.get("evidence")
    reference = evidence_reference(event_id)
    for person_id, row in (await live.attendance_of(tx.db, event, tx.now)).items():
        if row.attended:
            await participation.award_attended(tx, person_id, live.KIND, event_id)
            if evidence is not None:
                await profiles.vouch_for_attendance(tx, person_id, list(event["competencies"]), evidence["level"],
                                                    host_id=evidence["by"], reference=reference)
        else:
            await participation.withdraw_attended(tx, person_id, live.KIND, event_id)
            await profiles.withdraw_attendance(tx, person_id, reference=reference)


async def _wrap_up(run: JobRun) -> None:
    await actions.run(run.app, policy.ANONYMOUS, settle, event_id=ObjectId(run.payload["event_id"]))


async def _corrected(tx: Action, event_id: ObjectId) -> None:
    """After a host's correction, settle again now if the event has ended (before the end, the
    job due after it settles with the correction included)."""
    event = await queries.event(tx.db, event_id)
    if event is not None and event["status"] == "published" and utc(event["end_at"]) < tx.now:
        await tx.schedule(service.WRAP_UP_JOB, tx.now, {"event_id": event_id}, key=service.wrap_up_key(event_id))


register(service.WRAP_UP_JOB, _wrap_up, label=N_("Settle an event that has ended: attendance and certificates"))
on_correction(live.KIND, _corrected)
