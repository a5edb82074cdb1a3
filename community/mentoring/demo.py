"""Demo step: experts' mentoring offers and mentorships in every state: waiting, declined, under
way with a session ahead, and completed with feedback (and their Karma Points). Runs the
mentoring services themselves, as each person, so the places, the conversations an acceptance
opens, the sessions' events and the notifications are what real use makes; a completed
mentorship's session is scheduled on a clock set back to before it took place (the service
rightly schedules only future ones). Runs after the profiles and messages steps; it does
nothing when a mentorship exists, so running the demo twice adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from community import actions, keys
from community.accounts import demo as accounts_demo, people as accounts_people
from community.accounts.sessions import actor_for_user
from community.competencies import queries as dictionary
from community.config import Settings
from community.errors import DomainError
from community.mentoring import queries, service
from community.mentoring.schemas import AnswerIn, MentoringFeedbackIn, OfferIn, RequestIn, SessionIn
from community.profiles import queries as profile_queries
from community.storage.api import Database
from community.timezones import IST

MENTORS = 12
SESSION = timedelta(hours=1)
OFFERS = ["Hands-on help with {topic}: I review your plan and we work through your own cases.",
          "{topic} के व्यावहारिक प्रश्नों पर मार्गदर्शन, आपके विभाग के उदाहरणों के साथ।",
          "Monthly conversations on {topic} for officers new to a posting."]
GOALS = ["Prepare for my first district review in this area.", "Understand the rules well enough to train my team.",
         "नई पोस्टिंग में इस विषय की बुनियादी बातें सीखना।", "Fix a recurring problem in our section's process."]


def _office_hour(rng: random.Random, days: int) -> datetime:
    """A time on the hour between 10:00 and 16:00 IST, ``days`` from today: when sessions are held."""
    day = datetime.now(IST) + timedelta(days=days)
    return day.replace(hour=rng.randint(10, 16), minute=0, second=0, microsecond=0).astimezone(UTC)


async def _as(app: dict[Any, Any], person: Mapping[str, Any], step: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    return await actions.run(app, actor_for_user(person), step, *args)


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await queries.any_mentorship(db):
        return
    app: dict[Any, Any] = {keys.DB: db, keys.CLOCK: lambda: datetime.now(UTC), keys.SETTINGS: settings}
    members = await accounts_people.live_people(db)
    officers = [member for member in members if "expert" not in member["roles"]]
    profiles = await profile_queries.profiles(db, [member["_id"] for member in members if "expert" in member["roles"]])
    mentors = [(member, [row["competency_id"] for row in profiles.get(member["_id"], {}).get("competencies", [])])
               for member in members if "expert" in member["roles"]]
    # The expert and the officer the start-up message names come first: the expert has an offer
    # and the officer's request waits for their answer, so a newcomer sees mentoring at once.
    samples = await accounts_demo.sample_people(db)
    mentors = sorted(((member, topics) for member, topics in mentors if topics),
                     key=lambda pair: pair[0]["_id"] != samples.get("an expert"))[:MENTORS]
    newcomer = next((officer for officer in officers if officer["_id"] == samples.get("an officer")), None)
    for index, (mentor, topics) in enumerate(mentors):
        chosen = rng.sample(topics, k=min(3, len(topics)))
        topic = (await dictionary.names_of(db, chosen[:1])).get(chosen[0], chosen[0])
        await _as(app, mentor, service.save_offer, OfferIn(
            competencies=chosen, offer=OFFERS[index % len(OFFERS)].format(topic=topic), monthly_cap=rng.randint(3, 5),
            slots=[{"weekday": rng.randint(0, 4), "start": rng.choice(["10:00", "15:30", "17:00"]), "minutes": 60}]))
        mentees = rng.sample(officers, k=min(len(officers), rng.randint(1, 3)))
        if index == 0 and newcomer is not None:
            mentees = [newcomer, *(mentee for mentee in mentees if mentee is not newcomer)]
        for mentee in mentees:
            try:
                mentorship_id = await _as(app, mentee, service.request_mentoring, mentor["_id"],
                                          RequestIn(competency_id=rng.choice(chosen), goal=rng.choice(GOALS)))
            except DomainError:
                continue
            fate = 0.0 if mentee is newcomer and index == 0 else rng.random()
            if fate < 0.35:
                continue
            if fate < 0.45:
                await _as(app, mentor, service.decline, mentorship_id,
                          AnswerIn(note="My month is full; please ask again next month."))
                continue
            await _as(app, mentor, service.accept, mentorship_id, AnswerIn())
            if fate < 0.75:
                when = _office_hour(rng, rng.randint(2, 20))
                await _as(app, mentor, service.schedule_session, mentorship_id,
                          SessionIn(start=when, end=when + SESSION, place="https://meet.example.gov.in/mentoring"))
                continue
            held = _office_hour(rng, -rng.randint(3, 20))
            back_then = {**app, keys.CLOCK: lambda held=held: held - timedelta(days=2)}
            await _as(back_then, mentor, service.schedule_session, mentorship_id,
                      SessionIn(start=held, end=held + SESSION, place="Training hall, 2nd floor"))
            await _as(app, mentee, service.end, mentorship_id)
            await _as(app, mentee, service.give_feedback, mentorship_id,
                      MentoringFeedbackIn(rating=rng.randint(4, 5), comment="Practical and patient; thank you."))
            await _as(app, mentor, service.give_feedback, mentorship_id, MentoringFeedbackIn(rating=5))
