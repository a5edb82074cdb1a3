"""After the session: the hosts' recording and summary (told once to the people going), feedback
from those who attended (averages for the hosts, no names), and Karma Points settled by the
wrap-up job and settled again by a host's correction; on the real store, through the service,
the pages and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.competencies.seed import seed_dictionary
from community.config import Settings
from community.errors import Forbidden, Invalid
from community.events import after, service
from community.events.queries import EVENTS, FEEDBACK
from community.events.schemas import EvidenceIn, FeedbackIn, RecordIn
from community.jobs.runner import Runner
from community.jobs.schedule import JOBS
from community.karma import service as karma
from community.notifications.intents import INTENTS
from community.profiles import directory
from community.profiles.queries import PROFILES
from community.rooms import attendance
from community.rooms import service as rooms
from community.vacancies.scoring import held_by
from tests.conftest import post_form
from tests.events.conftest import as_actor, event_in
from tests.factories import act, bare_app, bearer_token, make_user, sign_in


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def _held(db: Any, app: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], ObjectId, datetime]:
    """A published event two hours ago for an hour: ``stayed`` was there throughout, ``left`` ten minutes."""
    host = await make_user(db, roles=("expert",), name="Dr Sushma Host")
    stayed, left = await make_user(db, name="Stayed Throughout"), await make_user(db, name="Left Early")
    event_id = await act(app, as_actor(host), service.create, event_in(title="Outcome budgets in practice"))
    await act(app, as_actor(host), service.publish, event_id)
    for person in (stayed, left):
        await act(app, as_actor(person), service.rsvp, event_id, "going")
    start = datetime.now(UTC) - timedelta(hours=2)
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": start, "end_at": start + timedelta(hours=1)}})
    await attendance.joined(db, "event", event_id, stayed["_id"], start)
    await attendance.left(db, "event", event_id, stayed["_id"], start + timedelta(hours=1))
    await attendance.joined(db, "event", event_id, left["_id"], start)
    await attendance.left(db, "event", event_id, left["_id"], start + timedelta(minutes=10))
    return host, stayed, left, event_id, start


async def test_the_hosts_add_a_recording_once_started_and_the_people_going_are_told_once(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    event_id = await act(bare_db, as_actor(host), service.create, event_in())
    await act(bare_db, as_actor(host), service.publish, event_id)
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(host), after.record, event_id, RecordIn(recording_url="https://video.example.in/1"))
    host, stayed, _left, event_id, _start = await _held(bare_db, bare_db)
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(stayed), after.record, event_id, RecordIn(recording_url="https://video.example.in/1"))
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), after.record, event_id, RecordIn(recording_url="javascript:alert(1)"))
    assert "recording_url" in refused.value.errors
    assert (await bare_db[EVENTS].find_one({"_id": event_id})).get("recording_url") is None, "nothing half-written"

    summary = "We covered **outcome** indicators.<script>alert(1)</script>"
    await act(bare_db, as_actor(host), after.record, event_id,
              RecordIn(recording_url="https://video.example.in/budgets", summary=summary))
    await act(bare_db, as_actor(host), after.record, event_id,
              RecordIn(recording_url="https://video.example.in/budgets-edited", summary=summary))
    saved = await bare_db[EVENTS].find_one({"_id": event_id})
    assert saved["recording_url"] == "https://video.example.in/budgets-edited"
    assert "<strong>outcome</strong>" in saved["summary_html"] and "<script" not in saved["summary_html"]
    told = await bare_db[INTENTS].find({"kind": "event_recording"}).to_list(None)
    assert len(told) == 1, "only the first recording is told"


async def test_feedback_only_from_those_who_attended_once_it_ended_and_the_hosts_see_averages(bare_db: Any) -> None:
    host, stayed, left, event_id, _start = await _held(bare_db, bare_db)
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(left), after.give_feedback, event_id, FeedbackIn(rating=1))
    with pytest.raises(Forbidden):
        await act(bare_db, as_actor(await make_user(bare_db)), after.give_feedback, event_id, FeedbackIn(rating=5))
    await act(bare_db, as_actor(stayed), after.give_feedback, event_id, FeedbackIn(rating=2, comment="Too fast."))
    await act(bare_db, as_actor(stayed), after.give_feedback, event_id, FeedbackIn(rating=4, comment="Useful examples."))
    assert await bare_db[FEEDBACK].count_documents({}) == 1, "given again, it replaces the last"
    summary = await after.feedback_summary(bare_db, event_id)
    assert summary == {"count": 1, "average": 4.0, "ratings": [0, 0, 0, 1, 0], "comments": ["Useful examples."]}


async def test_karma_is_settled_by_the_wrap_up_job_and_again_by_a_correction(bare_db: Any, settings: Settings) -> None:
    clock = Clock()
    app = {**bare_app(bare_db), keys.CLOCK: clock, keys.SETTINGS: settings}
    host = await make_user(bare_db, roles=("expert",))
    stayed, left = await make_user(bare_db), await make_user(bare_db)
    event_id = await act(app, as_actor(host), service.create, event_in())
    await act(app, as_actor(host), service.publish, event_id)
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    start, end = event["start_at"].replace(tzinfo=UTC), event["end_at"].replace(tzinfo=UTC)
    for person in (stayed, left):
        await act(app, as_actor(person), service.rsvp, event_id, "going")
        await attendance.joined(bare_db, "event", event_id, person["_id"], start)
    await attendance.left(bare_db, "event", event_id, stayed["_id"], end)
    await attendance.left(bare_db, "event", event_id, left["_id"], start + timedelta(minutes=5))

    clock.now = end
    assert await Runner(app).drain() == 3, "only the three reminders are due at the end"
    assert await karma.total(bare_db, stayed["_id"]) == 0, "nothing is settled before the wrap-up"
    clock.now = end + service.WRAP_UP_AFTER
    assert await Runner(app).drain() == 1
    assert [await karma.total(bare_db, p["_id"]) for p in (host, stayed, left)] == [20, 5, 0]

    clock.now += timedelta(hours=1)
    await act(app, as_actor(host), rooms.correct_attendance, kind="event", subject_id=event_id,
              data={"user_id": str(stayed["_id"]), "attended": False, "reason": "Camera off, not there"})
    assert await bare_db[JOBS].count_documents({"_id": service.wrap_up_key(event_id)}) == 1
    assert await Runner(app).drain() == 1
    assert [await karma.total(bare_db, p["_id"]) for p in (host, stayed, left)] == [20, 0, 0]
    assert await Runner(app).drain() == 0, "settling twice gives nothing twice"


async def test_a_cancelled_event_settles_nothing(bare_db: Any) -> None:
    clock = Clock()
    app = {**bare_app(bare_db), keys.CLOCK: clock}
    host = await make_user(bare_db, roles=("expert",))
    event_id = await act(app, as_actor(host), service.create, event_in())
    await act(app, as_actor(host), service.publish, event_id)
    await act(app, as_actor(host), service.cancel, event_id)
    assert await bare_db[JOBS].count_documents({"_id": service.wrap_up_key(event_id)}) == 0
    clock.now += timedelta(days=5)
    assert await Runner(app).drain() == 0 and await karma.total(bare_db, host["_id"]) == 0


async def test_the_event_page_forms_and_the_api(client: TestClient, db: Any) -> None:
    host, stayed, left, event_id, _start = await _held(db, client.app)
    await sign_in(client, stayed)
    page = await (await client.get(f"/events/{event_id}")).text()
    assert "How useful was this session?" in page and "Save the recording" not in page
    refused = await post_form(client, f"/events/{event_id}/feedback", {"rating": "", "comment": "x"},
                              from_page=f"/events/{event_id}")
    assert refused.status == 422 and 'id="rating-error"' in await refused.text()
    assert await db[FEEDBACK].count_documents({}) == 0
    given = await post_form(client, f"/events/{event_id}/feedback", {"rating": "5", "comment": "Clear & practical"},
                            from_page=f"/events/{event_id}")
    assert given.status == 200 and "your feedback is saved" in await given.text()
    assert "You rated this session 5 out of 5" in await given.text()

    await sign_in(client, left)
    assert "How useful was this session?" not in await (await client.get(f"/events/{event_id}")).text()

    await sign_in(client, host)
    bad = await post_form(client, f"/events/{event_id}/record", {"recording_url": "ftp://x", "summary": "Notes"},
                          from_page=f"/events/{event_id}")
    text = await bad.text()
    assert bad.status == 422 and 'id="recording_url-error"' in text and ">Notes</textarea>" in text
    saved = await post_form(client, f"/events/{event_id}/record",
                            {"recording_url": "https://video.example.in/ob", "summary": "Slides *attached*."},
                            from_page=f"/events/{event_id}")
    text = await saved.text()
    assert saved.status == 200 and 'href="https://video.example.in/ob"' in text and "<em>attached</em>" in text
    assert "Rated 5.0 out of 5 by 1 person." in text and "Clear &amp; practical" in text
    assert stayed["name"] not in text.split("For the hosts: after the session")[1].split("</section>")[0]

    token = await bearer_token(db, host)
    summary = await client.get(f"/api/v1/events/{event_id}/feedback", headers={"Authorization": f"Bearer {token}"})
    assert summary.status == 200 and (await summary.json())["ratings"] == [0, 0, 0, 0, 1]
    outsider = await bearer_token(db, await make_user(db))
    hidden = await client.get(f"/api/v1/events/{event_id}/feedback", headers={"Authorization": f"Bearer {outsider}"})
    assert hidden.status == 403 and hidden.content_type == "application/problem+json"
    wrong = await client.put(f"/api/v1/events/{event_id}/feedback", json={"rating": 9},
                             headers={"Authorization": f"Bearer {await bearer_token(db, stayed)}"})
    assert wrong.status == 422 and wrong.content_type == "application/problem+json"
    shown = await client.get(f"/api/v1/events/{event_id}", headers={"Authorization": f"Bearer {token}"})
    assert (await shown.json())["recording_url"] == "https://video.example.in/ob"


async def test_feedback_is_exported_to_its_author_and_erased_with_them(client: TestClient, db: Any) -> None:
    _host, stayed, _left, event_id, _start = await _held(db, client.app)
    await act(client.app, as_actor(stayed), after.give_feedback, event_id, FeedbackIn(rating=3, comment="Fine."))
    headers = {"Authorization": f"Bearer {await bearer_token(client, stayed)}"}
    exported = await (await client.get("/api/v1/me/data", headers=headers)).json()
    assert [doc["comment"] for doc in exported["collections"][FEEDBACK]["documents"]] == ["Fine."]
    erased = await client.post("/api/v1/me/erase", json={"confirm": stayed["email"]}, headers=headers)
    assert erased.status == 200, await erased.text()
    assert await db[FEEDBACK].count_documents({}) == 0
    assert (await after.feedback_summary(db, event_id))["count"] == 0


GEM = "fun.public-procurement-gfr.procurement-mgmt-through-gem"


async def test_confirmed_attendance_vouches_for_who_attended_by_the_profile_rule(bare_db: Any, settings: Settings) -> None:
    """An expert host holding the competency at 4 confirms attendance at 3: whoever attended is
    verified at 3 by the rule (one expert's endorsement), whoever left early is not, and a
    correction to absent takes it back. A level above the host's own, or an event tagged with no
    competency, is refused with nothing written."""
    clock = Clock()
    app = {**bare_app(bare_db), keys.CLOCK: clock, keys.SETTINGS: settings}
    await seed_dictionary(bare_db)
    host = await make_user(bare_db, roles=("expert",))
    await bare_db[PROFILES].insert_one({"_id": host["_id"], "competencies": [{"competency_id": GEM, "level": 4}]})
    stayed, left = await make_user(bare_db), await make_user(bare_db)
    event_id = await act(app, as_actor(host), service.create, event_in(competencies=[GEM]))
    untagged = await act(app, as_actor(host), service.create, event_in())
    for created in (event_id, untagged):
        await act(app, as_actor(host), service.publish, created)
    await act(app, as_actor(stayed), service.rsvp, event_id, "going")
    await act(app, as_actor(left), service.rsvp, event_id, "going")
    start = datetime.now(UTC) - timedelta(hours=2)
    for created in (event_id, untagged):
        await bare_db[EVENTS].update_one({"_id": created}, {"$set": {"start_at": start, "end_at": start + timedelta(hours=1)}})
    await attendance.joined(bare_db, "event", event_id, stayed["_id"], start)
    await attendance.left(bare_db, "event", event_id, stayed["_id"], start + timedelta(hours=1))
    await attendance.joined(bare_db, "event", event_id, left["_id"], start)
    await attendance.left(bare_db, "event", event_id, left["_id"], start + timedelta(minutes=5))

    with pytest.raises(Invalid) as refused:
        await act(app, as_actor(host), after.confirm_evidence, event_id, EvidenceIn(level=5))
    assert "level" in refused.value.errors
    with pytest.raises(Invalid):
        await act(app, as_actor(host), after.confirm_evidence, untagged, EvidenceIn(level=2))
    with pytest.raises(Forbidden):
        await act(app, as_actor(stayed), after.confirm_evidence, event_id, EvidenceIn(level=1))
    assert (await bare_db[EVENTS].find_one({"_id": event_id})).get("evidence") is None

    await act(app, as_actor(host), after.confirm_evidence, event_id, EvidenceIn(level=3))
    assert await Runner(app).drain() >= 1

    async def verified(person: dict[str, Any]) -> int:
        await directory.rebuild(bare_db, person["_id"])
        held = (await held_by(bare_db, [person["_id"]], [GEM])).get(person["_id"], {})
        return held[GEM].verified if GEM in held else 0

    assert (await verified(stayed), await verified(left)) == (3, 0)
    clock.now = datetime.now(UTC)
    await act(app, as_actor(host), rooms.correct_attendance, kind="event", subject_id=event_id,
              data={"user_id": str(stayed["_id"]), "attended": False, "reason": "Not there"})
    await Runner(app).drain()
    assert await verified(stayed) == 0


async def test_the_evidence_form_refuses_a_level_above_the_hosts_own_beside_the_field(client: TestClient, db: Any) -> None:
    await seed_dictionary(db)
    host = await make_user(db, roles=("expert",))
    await db[PROFILES].insert_one({"_id": host["_id"], "competencies": [{"competency_id": GEM, "level": 2}]})
    event_id = await act(client.app, as_actor(host), service.create, event_in(competencies=[GEM]))
    await act(client.app, as_actor(host), service.publish, event_id)
    start = datetime.now(UTC) - timedelta(hours=2)
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": start, "end_at": start + timedelta(hours=1)}})
    await sign_in(client, host)
    refused = await post_form(client, f"/events/{event_id}/evidence", {"level": "4"}, from_page=f"/events/{event_id}")
    text = await refused.text()
    assert refused.status == 422 and 'id="level-error"' in text and "up to the level you hold yourself" in text
    assert '<option value="4" selected>' in text, "the choice is kept"
    done = await post_form(client, f"/events/{event_id}/evidence", {"level": "2"}, from_page=f"/events/{event_id}")
    assert done.status == 200 and "Attending counts as evidence of this event's competencies at level 2" in await done.text()
