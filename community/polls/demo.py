"""Demo step: a thread in the demo forum holding two polls, and votes from the demo people.

Runs after the forums step. The thread is started through the forum's own service (so its polls
are read from its Markdown exactly as a member's would be) and every vote goes through
``service.vote``; only the posting limits are relaxed, since the demo people are all new. Running
the demo twice adds nothing: it does nothing once any poll exists.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community import actions, keys
from community.accounts import people
from community.accounts.sessions import actor_for_user
from community.config import Settings
from community.forums import create_thread, queries
from community.forums.limits import LIMITS, ForumLimits
from community.polls import service, tallies
from community.storage.api import Database

CATEGORY = "schemes-delivery"
VOTERS = 120


def _body(now: datetime) -> str:
    closes = (now + timedelta(days=14)).astimezone().replace(microsecond=0).isoformat()
    return (
        "Our division is planning the next capacity-building day. Please vote; results show once you have voted.\n\n"
        f"[poll name=format results=on_vote public=true close={closes}]\n"
        "- A full-day workshop at the training institute\n"
        "- Two half-day online sessions\n"
        "- Peer learning circles within each section\n"
        "[/poll]\n\n"
        "प्रशिक्षण दिवस के विषय चुनें (अधिकतम दो):\n\n"
        "[poll name=topics type=multiple min=1 max=2]\n"
        "- GeM पर खरीद (Procurement on GeM)\n"
        "- e-Office में फ़ाइल प्रबंधन\n"
        "- शिकायत निवारण (CPGRAMS)\n"
        "- Data-led decisions\n"
        "[/poll]\n\n"
        "How useful was the last training day, from 1 to 5?\n\n"
        "[poll name=rating type=number min=1 max=5]\n[/poll]\n"
    )


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people_count: int) -> None:
    if await db[service.POLLS].find_one({}, {"_id": 1}) is not None:
        return
    category = await queries.category_by_slug(db, CATEGORY)
    members = await people.live_people(db)
    if category is None or not members:
        return
    now = datetime.now(UTC)
    app = {keys.DB: db, keys.CLOCK: lambda: datetime.now(UTC),
           LIMITS: replace(ForumLimits(), flood_seconds=0, new_member_days=0, new_member_min_posts=0)}
    author = actor_for_user(members[0])
    thread = await actions.run(app, author, create_thread.create_thread, category_id=category["_id"], data={
        "title": "Poll: how should we run the next training day? / अगला प्रशिक्षण दिवस कैसे हो?",
        "kind": "discussion", "body": _body(now)})
    polls = await db[service.POLLS].find({"subject_id": thread["first_post_id"]}).to_list(None)
    for member in rng.sample(members, min(VOTERS, len(members))):
        voter = actor_for_user(member)
        for poll in polls:
            if poll["kind"] == "multiple":
                choices = rng.sample(range(len(poll["options"])), rng.randint(poll["min"], poll["max"]))
            else:
                choices = [min(len(poll["options"]) - 1, int(rng.triangular(0, len(poll["options"]), 1.5)))]
            await actions.run(app, voter, service.vote, poll_id=poll["_id"], choices=choices)


async def closed_poll(db: Database, *, subject_type: str, subject_id: Any, question: str, options: list[str],
                      votes: list[tuple[ObjectId, int, datetime]], opened_at: datetime, closed_at: datetime) -> ObjectId:
    """A closed single-choice poll of another feature's subject, for its demo step, with ``votes``
    (person, option, when) written as the service writes them: a vote each and the tallies they
    moved; the subject's feature asks here rather than naming the polls' collections."""
    poll_id = ObjectId()
    await db[service.POLLS].insert_one({
        "_id": poll_id, "subject_type": subject_type, "subject_id": subject_id, "name": str(poll_id),
        "question": question, "kind": "single", "options": options, "min": 1, "max": 1, "results": "always",
        "public": False, "close_at": None, "closed": True, "closed_at": closed_at, "created_at": opened_at,
        "updated_at": opened_at})
    for voter, option, at in votes:
        await db[service.VOTES].insert_one({"poll_id": poll_id, "user_id": voter, "choices": [option], "at": at})
        await tallies.move(db, poll_id, voter, before=[], after=[option], session=None)
    return poll_id
