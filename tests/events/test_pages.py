"""The events' pages and API through HTTP: forms with CSRF, errors beside their fields, the
host's list and its CSV, calendar files and the personal feed."""

from __future__ import annotations

import re
from xml.etree import ElementTree
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId
from icalendar import Calendar

from community.events.queries import CALENDAR_TOKENS, EVENTS, RSVPS
from community.rooms import attendance
from tests.conftest import csrf_token, post_form
from tests.events.conftest import local
from tests.factories import bearer_token, make_user, sign_in

FORM = {"title": "Budget basics", "description": "An *hour* on outlays.", "start": local(timedelta(days=2)),
        "end": local(timedelta(days=2, hours=1)), "zone": "Asia/Kolkata", "capacity": "1", "audience": "everyone",
        "place": "link", "link": "https://meet.example.gov.in/budget", "language": "en", "invite": "", "cohosts": "",
        "competencies": "", "rsvp_closes": ""}


async def _create(client: TestClient, **changes: str) -> ObjectId:
    response = await post_form(client, "/events/new", {**FORM, **changes}, from_page="/events/new",
                               allow_redirects=False)
    assert response.status == 303, await response.text()
    return ObjectId(response.headers["Location"].rsplit("/", 1)[1])


async def test_an_expert_creates_and_publishes_through_the_forms_and_a_visitor_sees_it(client: TestClient,
                                                                                      db: Any) -> None:
    expert = await make_user(db, roles=("expert",))
    await sign_in(client, expert)
    event_id = await _create(client)
    page = await client.get(f"/events/{event_id}")
    assert "Budget basics" in await page.text() and "<em>hour</em>" in await page.text()
    assert "<dd>English</dd>" in await page.text(), "the language by its name, not its code"
    published = await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}",
                                allow_redirects=False)
    assert published.status == 303
    client.session.cookie_jar.clear()
    listing = await (await client.get("/events")).text()
    # India's zone reads as IST, as everywhere on the site, not by its IANA id "Asia/Kolkata".
    assert "Budget basics" in listing and "Times are shown in Indian Standard Time (IST)." in listing
    assert "Asia/Kolkata" not in listing and re.search(r"\d\d:\d\d IST<", listing)
    shown = await (await client.get(f"/events/{event_id}?zone=Europe/London")).text()
    assert "(UK Time)" in shown and "(Europe/London)" not in shown and re.search(r"<dt>In the host's zone</dt><dd>[^<]* IST</dd>", shown)


async def test_a_bad_form_is_shown_again_with_the_message_beside_the_field_and_nothing_saved(client: TestClient,
                                                                                             db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    response = await post_form(client, "/events/new", {**FORM, "end": local(timedelta(days=1)), "zone": "Nowhere/City"},
                               from_page="/events/new")
    text = await response.text()
    assert response.status == 422
    assert 'id="zone-error"' in text and "Nowhere/City" in text
    assert re.search(r'<p class="error-message" id="zone-error">[^<]*</p>\s*<select id="zone"', text), \
        "the message stands next to the zone picker"
    assert await db[EVENTS].count_documents({}) == 0


def _zone_options(page: str) -> list[tuple[str, str, bool]]:
    picker = re.search(r'<select id="zone" name="zone"[^>]*>(.*?)</select>', page, re.S)
    assert picker, "the zone is chosen from a list, not typed"
    return [(value, label.strip(), bool(selected)) for value, selected, label in
            re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', picker.group(1))]


async def test_the_zone_is_picked_by_name_with_india_first_and_chosen(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    options = _zone_options(await (await client.get("/events/new")).text())
    assert options[0] == ("Asia/Kolkata", "India Standard Time (UTC+05:30)", True)
    assert ("Asia/Kathmandu", "Nepal Time (UTC+05:45)", False) in options
    assert [value for value, _, selected in options if selected] == ["Asia/Kolkata"]
    assert not any(label.startswith(value) for value, label, _ in options), "every zone by its name, not its id"
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    hindi = _zone_options(await (await client.get("/events/new")).text())
    assert hindi[0] == ("Asia/Kolkata", "भारतीय मानक समय (UTC+05:30)", True)


async def test_a_picked_zone_is_kept_and_one_outside_the_list_stays_on_edit(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    event_id = await _create(client, zone="Asia/Tokyo")
    assert (await db[EVENTS].find_one({"_id": event_id}))["zone"] == "Asia/Tokyo"
    edit = _zone_options(await (await client.get(f"/events/{event_id}/edit")).text())
    assert [value for value, _, selected in edit if selected] == ["Asia/Tokyo"]
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"zone": "America/Denver"}})
    edit = _zone_options(await (await client.get(f"/events/{event_id}/edit")).text())
    assert [(value, selected) for value, _, selected in edit if value == "America/Denver"] == [("America/Denver", True)]


async def test_an_officer_is_refused_the_form(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db))
    assert (await client.get("/events/new")).status == 403


async def test_rsvp_by_form_the_host_list_and_a_csv_that_runs_no_formula(client: TestClient, db: Any) -> None:
    expert = await make_user(db, roles=("expert",))
    await sign_in(client, expert)
    event_id = await _create(client)
    await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    for name in ("=HYPERLINK(\"http://x\")", "Ravi Kumar"):
        client.session.cookie_jar.clear()
        await sign_in(client, await make_user(db, name=name))
        await post_form(client, f"/events/{event_id}/rsvp", {"status": "going"}, from_page=f"/events/{event_id}")
    assert await db[RSVPS].count_documents({"event_id": event_id, "status": "waitlisted"}) == 1
    assert (await client.get(f"/events/{event_id}/people")).status == 403
    client.session.cookie_jar.clear()
    await sign_in(client, expert)
    csv_text = await (await client.get(f"/events/{event_id}/people.csv")).text()
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    assert re.search(r"waitlisted", csv_text)


async def test_the_api_creates_answers_and_refuses_with_a_problem(client: TestClient, db: Any) -> None:
    expert = await make_user(db, roles=("expert",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, expert)}"}
    body = {k: v for k, v in FORM.items() if k not in ("invite", "cohosts", "competencies", "rsvp_closes")}
    body["capacity"] = 5
    created = await client.post("/api/v1/events", json=body, headers=headers)
    assert created.status == 201, await created.text()
    event_id = (await created.json())["id"]
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)).status == 200
    officer = await make_user(db)
    mine = {"Authorization": f"Bearer {await bearer_token(client, officer)}"}
    answered = await client.put(f"/api/v1/events/{event_id}/rsvp", json={"status": "going"}, headers=mine)
    assert (await answered.json())["rsvp"] == "going"
    refused = await client.post("/api/v1/events", json={**body, "capacity": 0}, headers=headers)
    assert refused.status == 422 and refused.content_type == "application/problem+json"
    assert await db[EVENTS].count_documents({}) == 1


async def test_the_ics_and_the_personal_feed_with_a_revocable_token(client: TestClient, db: Any) -> None:
    expert = await make_user(db, roles=("expert",), name="Meera Iyer")
    await sign_in(client, expert)
    event_id = await _create(client)
    await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    await post_form(client, f"/events/{event_id}/rsvp", {"status": "going"}, from_page=f"/events/{event_id}")
    ics = Calendar.from_ical(await (await client.get(f"/events/{event_id}/calendar.ics")).read())
    [entry] = ics.walk("VEVENT")
    assert str(entry["summary"]) == "Budget basics"
    assert entry["dtstart"].dt.tzinfo is not None and entry["dtstart"].params["TZID"] == "Asia/Kolkata"
    assert entry["organizer"].params["CN"] == "Meera Iyer" and str(entry["url"]).endswith(f"/events/{event_id}")
    assert ics.walk("VTIMEZONE")
    made = await post_form(client, "/events/calendar-address", {}, from_page="/events?when=mine")
    token = re.search(r"/events/calendar/([A-Za-z0-9_-]+)\.ics", await made.text())
    assert token is not None
    client.session.cookie_jar.clear()
    feed = await client.get(f"/events/calendar/{token.group(1)}.ics")
    assert feed.status == 200 and len(Calendar.from_ical(await feed.read()).walk("VEVENT")) == 1
    stored = await db[CALENDAR_TOKENS].find_one({})
    assert token.group(1) not in str(stored)
    await sign_in(client, expert)
    await post_form(client, "/events/calendar-address/revoke", {}, from_page="/events?when=mine")
    assert (await client.get(f"/events/calendar/{token.group(1)}.ics")).status == 404


async def test_the_empty_form_and_the_edit_form_show_for_the_host(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    empty = await client.get("/events/new")
    assert empty.status == 200 and 'name="title"' in await empty.text()
    event_id = await _create(client, title="Kept title")
    edit = await client.get(f"/events/{event_id}/edit")
    assert edit.status == 200 and 'value="Kept title"' in await edit.text()
    month = await client.get("/events/month")
    assert month.status == 200


async def test_the_atom_feed_lists_upcoming_events_open_to_everyone_only(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    open_id = await _create(client, title="Open to all")
    closed_id = await _create(client, title="Only invited", audience="invitation")
    for event_id in (open_id, closed_id):
        await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    client.session.cookie_jar.clear()
    feed = await client.get("/events/feed.atom")
    root = ElementTree.fromstring(await feed.read())
    titles = [entry.findtext("{http://www.w3.org/2005/Atom}title") for entry in root.findall("{http://www.w3.org/2005/Atom}entry")]
    assert feed.content_type == "application/atom+xml" and titles == ["Open to all"]


async def test_a_jitsi_room_is_embedded_for_people_going_and_bigbluebutton_says_no_server(client: TestClient,
                                                                                         db: Any) -> None:
    expert = await make_user(db, roles=("expert",))
    await sign_in(client, expert)
    jitsi_id = await _create(client, place="jitsi", link="")
    bbb_id = await _create(client, place="bbb", link="")
    page = await client.get(f"/events/{jitsi_id}")
    assert '<iframe class="meeting" src="https://meet.jit.si/karmayogi-' in await page.text()
    assert "frame-src https://meet.jit.si" in page.headers["Content-Security-Policy"]
    assert "no BigBlueButton server is configured" in await (await client.get(f"/events/{bbb_id}")).text()
    csv_answer = await client.get(f"/api/v1/events/{bbb_id}/people",
                                  headers={"Authorization": f"Bearer {await bearer_token(client, expert)}"})
    assert csv_answer.status == 200 and (await csv_answer.text()).startswith("name,member_id,status")


async def test_the_event_page_leads_into_the_live_room_and_to_the_certificate(client: TestClient, db: Any) -> None:
    """While the room is open a person going sees the way in; once the event has ended, whoever
    attended gets their certificate of attendance from the event page."""
    expert, officer = await make_user(db, roles=("expert",)), await make_user(db, name="Farida Begum")
    await sign_in(client, expert)
    event_id = await _create(client, title="RTI first appeals clinic")
    await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    await sign_in(client, officer)
    await post_form(client, f"/events/{event_id}/rsvp", {"status": "going"}, from_page=f"/events/{event_id}")
    now = datetime.now(UTC)
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": now - timedelta(minutes=5),
                                                              "end_at": now + timedelta(minutes=55)}})
    page = await (await client.get(f"/events/{event_id}")).text()
    assert f'href="/rooms/event/{event_id}">Enter the live room</a>' in page
    assert (await client.get(f"/rooms/event/{event_id}")).status == 200
    assert "Get your certificate" not in page

    start = now - timedelta(hours=2)
    await db[EVENTS].update_one({"_id": event_id}, {"$set": {"start_at": start, "end_at": start + timedelta(hours=1)}})
    await attendance.joined(db, "event", event_id, officer["_id"], start)
    await attendance.left(db, "event", event_id, officer["_id"], start + timedelta(minutes=50))
    page = await (await client.get(f"/events/{event_id}")).text()
    assert "Enter the live room" not in page and "Read the session's chat and questions" in page
    claimed = await post_form(client, f"/events/{event_id}/certificate", {}, from_page=f"/events/{event_id}")
    listing = await claimed.text()
    assert claimed.status == 200 and "Your certificate of attendance is ready" in listing
    assert "RTI first appeals clinic" in listing


async def test_competencies_are_ticked_in_a_list_and_shown_by_name(client: TestClient, db: Any) -> None:
    listening, judgement = "beh.communication.active-listening", "beh.decision-making.sound-judgement"
    await sign_in(client, await make_user(db, roles=("expert",)))
    form = await (await client.get("/events/new")).text()
    assert f'type="checkbox" name="competencies" value="{listening}"' in form
    assert "Ids from the competency dictionary" not in form
    fields = {key: value for key, value in FORM.items() if key != "competencies"}
    response = await client.post("/events/new", allow_redirects=False, data=[
        *fields.items(), ("csrf_token", await csrf_token(client, "/events/new")),
        ("competencies", listening), ("competencies", judgement)])
    assert response.status == 303, await response.text()
    event_id = ObjectId(response.headers["Location"].rsplit("/", 1)[1])
    assert (await db[EVENTS].find_one({"_id": event_id}))["competencies"] == [listening, judgement]
    page = await (await client.get(f"/events/{event_id}")).text()
    assert ">Active Listening</a>" in page and ">Sound Judgement</a>" in page and f">{listening}<" not in page
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert f'value="{listening}" checked' in edit


async def test_the_language_is_picked_by_name_english_and_hindi_first(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("expert",)))
    page = await (await client.get("/events/new")).text()
    picker = re.search(r'<select id="language" name="language"[^>]*>(.*?)</select>', page, re.S)
    assert picker, "the language is chosen from a list, not typed as a code"
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', picker.group(1))
    assert options[:3] == [("en", " selected", "English"), ("hi", "", "Hindi"), ("as", "", "Assamese")]
    assert len(options) == 23 and ("ta", "", "Tamil") in options
    event_id = await _create(client, language="ta")
    assert "<dd>Tamil</dd>" in await (await client.get(f"/events/{event_id}")).text()
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert '<option value="ta" selected>तमिल</option>' in edit
