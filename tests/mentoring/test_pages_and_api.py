"""Mentoring without JavaScript (the offer form, the request form reached from the profile, the
mentor's requests, the mentorship page) and through the API; bad input is named next to its
field or in a problem+json body, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from bson import ObjectId
from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.mentoring import queries
from community.mentoring.queries import MENTORSHIPS, OFFERS
from community.notifications.routes import NOTIFIER
from community.profiles import edit
from community.profiles.schemas import HeldCompetency
from community.timezones import IST
from tests.conftest import csrf_token
from tests.factories import act, bearer_token, make_user, sign_in
from tests.mentoring.helpers import HEALTH, accepted, mentor_with_offer
from tests.profiles.helpers import call, small_dictionary


def messages(problem: dict[str, Any]) -> dict[str, str]:
    return {error["field"]: error["message"] for error in problem["errors"]}


def fields(problem: dict[str, Any]) -> set[str]:
    return set(messages(problem))


async def test_an_expert_publishes_an_offer_through_the_form(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    expert = await make_user(db, roles=("expert",))
    await act(client.app, actor_for_user(expert), edit.declare_competency, expert["_id"],
              HeldCompetency(competency_id=HEALTH, level=4))
    await sign_in(client, expert)
    page = await (await client.get("/mentoring/offer")).text()
    assert 'name="competencies" value="' + HEALTH in page and 'name="slot-0-weekday"' in page
    token = await csrf_token(client, "/mentoring/offer")
    refused = await client.post("/mentoring/offer", data={"csrf_token": token, "offer": "", "monthly_cap": "50",
                                                          "slot-0-weekday": "1", "slot-0-start": "25:00"})
    text = await refused.text()
    assert refused.status == 422
    assert 'id="offer-offer-error"' in text and 'id="offer-cap-error"' in text and 'id="slot-0-error"' in text
    assert 'id="offer-competencies-error"' in text
    no_cap = await client.post("/mentoring/offer", data={"csrf_token": token, "competencies": HEALTH, "offer": "x",
                                                         "monthly_cap": ""})
    assert no_cap.status == 422 and 'id="offer-cap-error"' in await no_cap.text()
    assert await db[OFFERS].count_documents({}) == 0
    saved = await client.post("/mentoring/offer", allow_redirects=False, data={
        "csrf_token": token, "competencies": HEALTH, "offer": "Reviews of health programmes", "monthly_cap": "2",
        "slot-0-weekday": "1", "slot-0-start": "16:00", "slot-0-minutes": "60", "open": "on"})
    assert saved.status == 303 and saved.headers["Location"] == f"/people/{expert['_id']}#mentoring"
    profile = await (await client.get(f"/people/{expert['_id']}")).text()
    assert "Reviews of health programmes" in profile and "Tuesday 16:00" in profile and "2 places left" in profile
    assert "Change your mentoring offer" in profile
    hindi = await (await client.get(f"/people/{expert['_id']}", headers={"Accept-Language": "hi"})).text()
    assert "मंगलवार 16:00" in hindi


async def test_officers_cannot_open_the_offer_form(client: TestClient, db: Any) -> None:
    officer = await make_user(db)
    await sign_in(client, officer)
    assert "Only experts offer mentoring." in await (await client.get("/mentoring/offer")).text()
    token = await csrf_token(client, "/mentoring/offer")
    refused = await client.post("/mentoring/offer", data={"csrf_token": token, "competencies": HEALTH, "offer": "x",
                                                          "monthly_cap": "2"})
    assert refused.status in (403, 422) and await db[OFFERS].count_documents({}) == 0


async def test_request_mentoring_from_the_profile_and_accept(client: TestClient, db: Any) -> None:
    mentor = await mentor_with_offer(client.app, db, name="Dr Meera Iyer")
    mentee = await make_user(db, name="Asha Menon")
    await sign_in(client, mentee)
    profile = await (await client.get(f"/people/{mentor['_id']}")).text()
    assert f'href="/people/{mentor["_id"]}/mentoring"' in profile and "Ask for mentoring" in profile
    form_page = f"/people/{mentor['_id']}/mentoring"
    token = await csrf_token(client, form_page)
    empty = await client.post(form_page, data={"csrf_token": token, "competency_id": HEALTH, "goal": ""})
    assert empty.status == 422 and 'id="request-goal-error"' in await empty.text()
    assert await db[MENTORSHIPS].count_documents({}) == 0
    sent = await client.post(form_page, allow_redirects=False,
                             data={"csrf_token": token, "competency_id": HEALTH, "goal": "Plan the district review"})
    assert sent.status == 303
    mentorship_url = sent.headers["Location"]
    assert "Waiting for the mentor" in await (await client.get(mentorship_url)).text()

    client.session.cookie_jar.clear()
    await sign_in(client, mentor)
    await client.app[NOTIFIER].drain()
    status, listed = await call(client, "GET", "/api/v1/notifications", await bearer_token(db, mentor))
    assert listed["items"][0]["text"] == "Asha Menon asked you for mentoring in Public health programmes."
    home = await (await client.get("/mentoring")).text()
    assert "Requests waiting for your answer (1)" in home and mentorship_url in home
    page = await (await client.get(mentorship_url)).text()
    assert "Plan the district review" in page and "/accept" in page
    token = await csrf_token(client, mentorship_url)
    done = await client.post(mentorship_url + "/accept", allow_redirects=False,
                             data={"csrf_token": token, "note": "Glad to. Send me the last review."})
    assert done.status == 303
    page = await (await client.get(mentorship_url)).text()
    assert "Under way" in page and "/messages/" in page and 'id="session-start"' in page
    day = (datetime.now(IST) + timedelta(days=3)).strftime("%Y-%m-%d")
    bad = await client.post(mentorship_url + "/session", data={"csrf_token": token, "start": "tomorrow",
                                                               "end": f"{day}T11:00", "place": ""})
    text = await bad.text()
    assert bad.status == 422 and 'id="session-start-error"' in text and 'id="session-place-error"' in text
    assert f'value="{day}T11:00"' in text, "the form comes back as it was sent"
    backwards = await client.post(mentorship_url + "/session", data={
        "csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T09:00", "place": "Room 4"})
    assert backwards.status == 422 and "The end must be after the start." in await backwards.text()
    assert (await queries.mentorship(db, ObjectId(mentorship_url.rsplit("/", 1)[1])) or {})["sessions"] == []
    planned = await client.post(mentorship_url + "/session", allow_redirects=False, data={
        "csrf_token": token, "start": f"{day}T10:00", "end": f"{day}T11:00", "place": "https://meet.example.gov.in/r"})
    assert planned.status == 303
    page = await (await client.get(mentorship_url)).text()
    assert "10:00 IST" in page and "11:00 IST" in page and 'href="/events/' in page

    client.session.cookie_jar.clear()
    await sign_in(client, mentee)
    await client.app[NOTIFIER].drain()
    status, listed = await call(client, "GET", "/api/v1/notifications", await bearer_token(db, mentee),
                                headers={"Accept-Language": "hi"})
    texts = [item["text"] for item in listed["items"]]
    assert "Dr Meera Iyer ने Public health programmes में मार्गदर्शन के आपके अनुरोध को स्वीकार कर लिया।" in texts, texts
    assert "Dr Meera Iyer ने Public health programmes में मार्गदर्शन सत्र निर्धारित किया।" in texts, "in the reader's language"


async def test_a_request_to_someone_not_offering_names_the_reason_on_the_page(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    expert = await make_user(db, roles=("expert",), name="Dr Kiran Rao")
    await sign_in(client, await make_user(db))
    page = await (await client.get(f"/people/{expert['_id']}/mentoring")).text()
    assert "Dr Kiran Rao does not offer mentoring." in page and 'name="goal"' not in page
    token = await csrf_token(client, f"/people/{expert['_id']}/mentoring")
    refused = await client.post(f"/people/{expert['_id']}/mentoring",
                                data={"csrf_token": token, "competency_id": HEALTH, "goal": "Help"})
    assert refused.status == 422 and 'id="request-mentor-error"' in await refused.text()
    assert await db[MENTORSHIPS].count_documents({}) == 0


async def test_strangers_cannot_see_a_mentorship(client: TestClient, db: Any, app: web.Application) -> None:
    mentor = await mentor_with_offer(app, db)
    mentee, stranger = await make_user(db), await make_user(db)
    mentorship_id = await accepted(app, mentee, mentor)
    await sign_in(client, stranger)
    assert (await client.get(f"/mentoring/{mentorship_id}")).status == 404
    status, problem = await call(client, "GET", f"/api/v1/mentoring/mentorships/{mentorship_id}",
                                 await bearer_token(db, stranger))
    assert status == 404 and problem["status"] == 404


async def test_the_api_runs_a_mentorship(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    expert, officer = await make_user(db, roles=("expert",)), await make_user(db)
    await act(client.app, actor_for_user(expert), edit.declare_competency, expert["_id"],
              HeldCompetency(competency_id=HEALTH, level=4))
    mine, theirs = await bearer_token(db, expert), await bearer_token(db, officer)
    status, problem = await call(client, "PUT", "/api/v1/mentoring/offer", mine,
                                 json={"competencies": [], "offer": "x", "monthly_cap": 0})
    assert status == 422 and fields(problem) == {"competencies", "monthly_cap"}
    status, offer = await call(client, "PUT", "/api/v1/mentoring/offer", mine, json={
        "competencies": [HEALTH], "offer": "Reviews", "monthly_cap": 1,
        "slots": [{"weekday": 4, "start": "09:30", "minutes": 30}]})
    assert status == 200 and offer["places_left"] == 1 and offer["competencies"][0]["name"] == "Public health programmes"
    status, shown = await call(client, "GET", f"/api/v1/mentoring/offers/{expert['_id']}", theirs)
    assert status == 200 and shown["slots"] == [{"weekday": 4, "start": "09:30", "minutes": 30}]
    status, problem = await call(client, "GET", f"/api/v1/mentoring/offers/{officer['_id']}", mine)
    assert status == 404
    status, problem = await call(client, "POST", f"/api/v1/mentoring/offers/{officer['_id']}/requests", mine,
                                 json={"competency_id": HEALTH, "goal": "Help"})
    assert status == 422 and messages(problem)["mentor"].endswith("does not offer mentoring.")
    status, created = await call(client, "POST", f"/api/v1/mentoring/offers/{expert['_id']}/requests", theirs,
                                 json={"competency_id": HEALTH, "goal": "Learn reviews"})
    assert status == 201 and created["status"] == "requested" and created["side"] == "mentee"
    status, problem = await call(client, "POST", f"/api/v1/mentoring/offers/{expert['_id']}/requests",
                                 await bearer_token(db, await make_user(db)), json={"competency_id": HEALTH, "goal": "Me"})
    assert status == 422 and "no places left" in messages(problem)["mentor"]
    one = f"/api/v1/mentoring/mentorships/{created['id']}"
    status, answered = await call(client, "POST", f"{one}/accept", mine, json={"note": "Welcome"})
    assert status == 200 and answered["status"] == "accepted" and answered["conversation_id"]
    when = datetime.now(UTC) + timedelta(days=2)
    status, problem = await call(client, "POST", f"{one}/sessions", mine, json={
        "start": when.replace(tzinfo=None).isoformat(), "end": (when + timedelta(hours=1)).isoformat(), "place": "Room 4"})
    assert status == 422 and messages(problem) == {"start": "Give the time with its zone, such as 2026-12-20T10:00+05:30."}
    status, planned = await call(client, "POST", f"{one}/sessions", mine, json={
        "start": when.isoformat(), "end": (when + timedelta(hours=1)).isoformat(), "place": "Room 4"})
    assert status == 200 and planned["sessions"][0]["place"] == "Room 4"
    session = planned["sessions"][0]
    assert session["status"] == "scheduled" and session["url"] == f"/events/{session['id']}"
    status, problem = await call(client, "POST", f"{one}/sessions/{session['id']}/move", theirs, json={
        "start": (when - timedelta(days=3)).isoformat(), "end": (when - timedelta(days=3, hours=-1)).isoformat()})
    assert status == 422 and messages(problem) == {"start": "The start must be in the future."}
    later = (when + timedelta(days=1)).replace(microsecond=0)
    status, moved = await call(client, "POST", f"{one}/sessions/{session['id']}/move", theirs, json={
        "start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat()})
    assert status == 200 and moved["sessions"][0]["start_at"] == later.isoformat().replace("+00:00", ".000Z")
    assert moved["sessions"][0]["place"] == "Room 4", "a move that names no place keeps it"
    status, problem = await call(client, "POST", f"{one}/sessions/{session['id']}/move", theirs, json={
        "start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat(), "place": ""})
    assert status == 422 and "place" in fields(problem)
    status, moved = await call(client, "POST", f"{one}/sessions/{session['id']}/move", theirs, json={
        "start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat(),
        "place": "https://meet.example.gov.in/review"})
    assert status == 200 and moved["sessions"][0]["place"] == "https://meet.example.gov.in/review"
    status, problem = await call(client, "POST", f"{one}/sessions/{session['id']}/move",
                                 await bearer_token(db, await make_user(db)),
                                 json={"start": later.isoformat(), "end": (later + timedelta(hours=2)).isoformat()})
    assert status == 404, "a stranger is told the mentorship does not exist"
    status, cancelled = await call(client, "POST", f"{one}/sessions/{session['id']}/cancel", mine)
    assert status == 200 and cancelled["sessions"][0]["status"] == "cancelled"
    status, ended = await call(client, "POST", f"{one}/end", theirs)
    assert status == 200 and ended["status"] == "ended" and not ended["completed"]
    status, problem = await call(client, "POST", f"{one}/feedback", theirs, json={"rating": 9})
    assert status == 422 and "rating" in fields(problem)
    status, given = await call(client, "POST", f"{one}/feedback", theirs, json={"rating": 4, "comment": "Useful"})
    assert status == 200 and given["feedback"]["mentee"]["rating"] == 4
    status, listed = await call(client, "GET", "/api/v1/mentoring/mentorships", mine)
    assert status == 200 and [item["id"] for item in listed["items"]] == [created["id"]]
    assert listed["items"][0]["side"] == "mentor"
    stored = await queries.mentorship(db, ObjectId(created["id"]))
    assert stored is not None and stored["feedback"]["mentee"]["comment"] == "Useful"


async def test_the_api_declines_and_withdraws(client: TestClient, db: Any) -> None:
    mentor = await mentor_with_offer(client.app, db)
    first, second = await make_user(db), await make_user(db)
    mine = await bearer_token(db, mentor)
    status, asked = await call(client, "POST", f"/api/v1/mentoring/offers/{mentor['_id']}/requests",
                               await bearer_token(db, first), json={"competency_id": HEALTH, "goal": "Reviews"})
    status, declined = await call(client, "POST", f"/api/v1/mentoring/mentorships/{asked['id']}/decline", mine,
                                  json={"note": "Full this month"})
    assert status == 200 and declined["status"] == "declined" and declined["note"] == "Full this month"
    theirs = await bearer_token(db, second)
    status, asked = await call(client, "POST", f"/api/v1/mentoring/offers/{mentor['_id']}/requests", theirs,
                               json={"competency_id": HEALTH, "goal": "Budgets"})
    status, problem = await call(client, "POST", f"/api/v1/mentoring/mentorships/{asked['id']}/withdraw", mine)
    assert status == 403 and problem["status"] == 403
    status, withdrawn = await call(client, "POST", f"/api/v1/mentoring/mentorships/{asked['id']}/withdraw", theirs)
    assert status == 200 and withdrawn["status"] == "withdrawn"
    status, problem = await call(client, "POST", f"/api/v1/mentoring/mentorships/{asked['id']}/accept", mine, json={})
    assert status == 403
