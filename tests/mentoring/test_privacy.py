"""A person's export holds their offer and mentorships (an administrator's audited view leaves
out what the two wrote to each other); erasing either person deletes the mentorship, leaving
nothing that names them, and cancels its sessions still to come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.mentoring import queries, service
from community.mentoring.queries import MENTORSHIPS, OFFERS, PLACES
from community.events import queries as event_queries
from community.events.queries import EVENTS
from community.jobs.schedule import JOBS
from community.mentoring.schemas import MentoringFeedbackIn, SessionIn
from tests.factories import act, bearer_token, make_user
from tests.mentoring.helpers import accepted, mentor_with_offer
from tests.privacy.test_erase import leftovers
from tests.profiles.helpers import call


async def test_export_holds_offer_and_mentorships_and_erasure_removes_them(client: TestClient, db: Any) -> None:
    mentor = await mentor_with_offer(client.app, db)
    mentee = await make_user(db, name="Kavitha Ramaswamy")
    mentorship_id = await accepted(client.app, mentee, mentor)
    await act(client.app, actor_for_user(mentee), service.end, mentorship_id)
    await act(client.app, actor_for_user(mentee), service.give_feedback, mentorship_id,
              MentoringFeedbackIn(rating=5, comment="Kancheepuram review went well"))

    status, data = await call(client, "GET", "/api/v1/me/data", await bearer_token(db, mentor))
    assert status == 200
    collections = data["collections"]
    assert [doc["_id"] for doc in collections[OFFERS]["documents"]] == [str(mentor["_id"])]
    assert len(collections[PLACES]["documents"]) == 1
    assert [doc["goal"] for doc in collections[MENTORSHIPS]["documents"]] == ["Plan a review"]
    status, data = await call(client, "GET", "/api/v1/me/data", await bearer_token(db, mentee))
    assert "Kancheepuram review went well" in str(data["collections"][MENTORSHIPS])
    admin = await make_user(db, roles=("officer", "admin"))
    status, viewed = await call(client, "GET", f"/api/v1/admin/people/{mentee['_id']}/data",
                                await bearer_token(db, admin))
    assert status == 200 and viewed["collections"][MENTORSHIPS]["documents"]
    assert "Kancheepuram" not in str(viewed) and "Plan a review" not in str(viewed), "the two's words stay theirs"

    status, answer = await call(client, "POST", "/api/v1/me/erase", await bearer_token(db, mentee),
                                json={"confirm": mentee["email"]})
    assert status == 200 and answer["erased"] is True
    assert [problem for problem in await leftovers(db, mentee["_id"]) if "mentor" in problem] == []
    assert await queries.mentorship(db, mentorship_id) is None
    status, answer = await call(client, "POST", "/api/v1/me/erase", await bearer_token(db, mentor),
                                json={"confirm": mentor["email"]})
    assert status == 200
    assert await db[OFFERS].count_documents({}) == 0 and await db[PLACES].count_documents({}) == 0


async def test_erasing_one_of_the_two_cancels_their_sessions_ahead(client: TestClient, db: Any) -> None:
    mentor = await mentor_with_offer(client.app, db)
    mentee = await make_user(db)
    mentorship_id = await accepted(client.app, mentee, mentor)
    start = datetime.now(UTC) + timedelta(days=4)
    event_id = await act(client.app, actor_for_user(mentor), service.schedule_session, mentorship_id,
                         SessionIn(start=start, end=start + timedelta(hours=1), place="Room 4"))
    status, data = await call(client, "GET", "/api/v1/me/data", await bearer_token(db, mentee))
    assert [doc["_id"] for doc in data["collections"][EVENTS]["documents"]] == [str(event_id)], "invited to it"
    status, answer = await call(client, "POST", "/api/v1/me/erase", await bearer_token(db, mentee),
                                json={"confirm": mentee["email"]})
    assert status == 200 and answer["erased"] is True
    event = await event_queries.event(db, event_id)
    assert event is not None and event["status"] == "cancelled", "no session with someone who is gone"
    assert await db[JOBS].count_documents({"payload.event_id": event_id}) == 0
