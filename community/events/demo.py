"""Demo step: past and upcoming events hosted by the demo experts, with answers (one upcoming
event full, with a waitlist) and the reminders and wrap-up of the upcoming ones waiting as jobs.
Each past event's room holds the poll its host ran during the session, closed, with the votes of
the people who went (through ``community.polls.demo.closed_poll``, as the polls' service writes
them), its attendance, the host's recording and summary, some feedback, and the Karma Points the
wrap-up job gives. Runs after the accounts and polls steps; does nothing when events exist
already, so running the demo twice adds nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.accounts import people as accounts_people
from community.competencies import queries as competencies
from community.config import Settings
from community.events import after, live, service
from community.events.queries import EVENTS, RSVPS, rsvp_key
from community.forums import markdown
from community.jobs import schedule as job_schedule
from community.karma import participation, service as karma
from community.polls import demo as polls_demo
from community.rooms import attendance
from community.storage.api import Database

TOPICS = [
    ("Noting and drafting: a clinic", "Bring a draft note; we mend it together.\n\n- structure\n- tone\n- brevity"),
    ("GeM procurement, step by step", "From indent to contract on the **Government e-Marketplace**."),
    ("RTI replies that stand up", "How to answer a Right to Information request fully and on time."),
    ("Budget outlays and outcomes", "Reading the outcome budget of a department."),
    ("सार्वजनिक शिकायत निवारण", "CPGRAMS पर शिकायतों का समयबद्ध निपटारा।"),
    ("Data for district planning", "Using open data to plan at the district level."),
    ("Leading a team through change", "A conversation with senior officers on change management."),
    ("e-Office for new users", "Files, receipts and dak in e-Office."),
]
POLL = ("How much of today's session can you use at work this month? / आज के सत्र का कितना हिस्सा आप इस "
        "महीने काम में ला पाएँगे?", ["Most of it / अधिकांश", "Some of it / कुछ", "Little of it / थोड़ा"])
DAYS = [-30, -12, -3, 2, 5, 9, 16, 24]
"""When each demo event starts, in days from now: three past, five upcoming."""


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[EVENTS].find_one({}, {"_id": 1}) is not None:
        return
    members = await accounts_people.live_people(db)
    experts = [m for m in members if "expert" in m["roles"]] or members[:1]
    if not experts:
        return
    known = [row["_id"] for row in await competencies.competencies(db)]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for number, ((title, description), days) in enumerate(zip(TOPICS, DAYS, strict=True)):
        host = experts[number % len(experts)]
        start = now + timedelta(days=days, hours=rng.randint(0, 6))
        capacity = 5 if number == 3 else rng.choice([20, 40, 100])
        event_id = ObjectId()
        place = ({"kind": "jitsi", "room": f"karmayogi-{event_id}"} if number % 2 else
                 {"kind": "link", "url": "https://meet.example.gov.in/" + str(event_id)})
        created = now - timedelta(days=40)
        counts = {"going": 0, "waitlisted": 0, "interested": 0}
        answering = rng.sample([m for m in members if m["_id"] != host["_id"]],
                               k=min(len(members) - 1, capacity + 3 if number == 3 else rng.randint(3, 15)))
        for order, person in enumerate(answering):
            wants = "going" if number == 3 or rng.random() < 0.7 else "interested"
            status = "waitlisted" if wants == "going" and counts["going"] >= capacity else wants
            counts[status] += 1
            at = created + timedelta(hours=order)
            await db[RSVPS].insert_one({"_id": rsvp_key(event_id, person["_id"]), "event_id": event_id,
                                        "user_id": person["_id"], "status": status, "answered_at": at,
                                        "waitlisted_at": at if status == "waitlisted" else None})
        event: dict[str, Any] = {"_id": event_id, "title": title, "description": description,
                 "description_html": markdown.render(description).html, "start_at": start,
                 "end_at": start + timedelta(hours=1, minutes=30), "zone": "Asia/Kolkata", "capacity": capacity,
                 "audience": "everyone", "invited_ids": [], "cohost_ids": [],
                 "competencies": rng.sample(known, k=min(2, len(known))), "language": "hi" if number == 4 else "en",
                 "place": place, "rsvp_closes_at": None, "host_id": host["_id"], "organiser_org_id": host["org_id"],
                 "org_id": None, "status": "published", **counts,
                 "created_at": created, "updated_at": created, "published_at": created, "cancelled_at": None}
        await db[EVENTS].insert_one(event)
        if days < 0:
            going = [row["user_id"] async for row in db[RSVPS].find({"event_id": event_id, "status": "going"})]
            await _session_poll(db, rng, event_id, going, start + timedelta(minutes=20))
            await _after_session(db, rng, event, going)
        else:
            await job_schedule.schedule(db, None, service.WRAP_UP_JOB, event["end_at"] + service.WRAP_UP_AFTER,
                                        {"event_id": event_id}, key=service.wrap_up_key(event_id), now=now)
        for which, before in service.REMINDERS:
            if start - before > now:
                await job_schedule.schedule(db, None, service.REMINDER_JOB, start - before,
                                            {"event_id": event_id, "which": which},
                                            key=service.reminder_key(event_id, which), now=now)


COMMENTS = ["The worked examples helped.", "Please share the slides.", "A little fast, but very practical.",
            "उदाहरण बहुत उपयोगी थे।", ""]


async def _after_session(db: Database, rng: random.Random, event: dict[str, Any], going: list[ObjectId]) -> None:
    """What a past session leaves: who was in the room and for how long, the host's recording and
    summary, feedback from some who attended, and the Karma Points the wrap-up job would give."""
    start, end, event_id = event["start_at"], event["end_at"], event["_id"]
    length = end - start
    await karma.award(db, user_id=event["host_id"], points=participation.HOSTED_POINTS,
                      reason=participation.HOSTED_REASON, object_type=live.KIND, object_id=event_id)
    for person in going:
        if rng.random() < 0.15:
            continue  # said going, never came
        stayed = length if rng.random() < 0.8 else length * rng.uniform(0.1, 0.4)
        await attendance.joined(db, live.KIND, event_id, person, start)
        await attendance.left(db, live.KIND, event_id, person, start + stayed)
        if stayed < length / 2:
            continue
        await karma.award(db, user_id=person, points=participation.ATTENDED_POINTS,
                          reason=participation.ATTENDED_REASON, object_type=live.KIND, object_id=event_id)
        if rng.random() < 0.6:
            await db[after.FEEDBACK].insert_one({
                "_id": after.feedback_key(event_id, person), "event_id": event_id, "user_id": person,
                "rating": rng.choice([3, 4, 4, 5, 5]), "comment": rng.choice(COMMENTS), "at": end + timedelta(hours=1)})
    summary = (f"Thank you for coming to **{event['title']}**. The points we agreed on:\n\n"
               "1. Write the decision and its reasons on the file.\n2. Share the checklist with your section.")
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {
        "recording_url": f"https://video.example.gov.in/sessions/{event_id}", "summary": summary,
        "summary_html": markdown.render(summary).html}})


async def _session_poll(db: Database, rng: random.Random, event_id: ObjectId, voters: list[ObjectId],
                        at: datetime) -> None:
    question, options = POLL
    votes = [(voter, min(len(options) - 1, int(rng.triangular(0, len(options), 0.5))),
              at + timedelta(minutes=rng.randint(1, 9))) for voter in voters]
    await polls_demo.closed_poll(db, subject_type=live.KIND, subject_id=event_id, question=question, options=options,
                                 votes=votes, opened_at=at, closed_at=at + timedelta(minutes=10))
