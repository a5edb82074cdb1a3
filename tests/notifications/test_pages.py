"""The notifications page, the header badge, marking read, preferences, and the same through the API."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.notifications.queries import NOTIFICATIONS, PREFERENCES
from tests.conftest import csrf_token, post_form
from tests.factories import bearer_token, make_user, sent_to_sign_in, sign_in
from tests.notifications.conftest import NOTE, tell

BADGE = re.compile(r'<span(?: class="badge"| hidden) data-unread-count>(\d+)</span>')


async def _notify(client: TestClient, user: dict[str, Any], text: str, *, by: ObjectId | None = None) -> None:
    await tell(client.app, user, text, by=by)


async def _badge(client: TestClient) -> int:
    match = BADGE.search(await (await client.get("/")).text())
    assert match, "no notification badge in the header"
    return int(match.group(1))


async def test_the_page_lists_notifications_escaped_and_the_badge_counts_unread(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    await sign_in(client, asha)
    assert await _badge(client) == 0
    await _notify(client, asha, "Ravi mentioned you in <script>alert(1)</script>")
    await _notify(client, asha, "Meena mentioned you")
    assert await _badge(client) == 2
    html = await (await client.get("/notifications")).text()
    assert "Meena mentioned you" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'src="/static/vendor/socket.io/socket.io.min.js' in html and 'src="/static/js/realtime.js' in html


async def test_mark_one_read_then_all_read_through_the_forms(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    await sign_in(client, asha)
    for n in range(3):
        await _notify(client, asha, f"Mention {n}")
    first = await db[NOTIFICATIONS].find_one({"user_id": asha["_id"]})
    response = await post_form(client, f"/notifications/{first['_id']}/read", {"next": "/notifications?unread=1"},
                               from_page="/notifications", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/notifications?unread=1"
    assert await _badge(client) == 2
    unread_page = await (await client.get("/notifications?unread=1")).text()
    assert first["params"]["text"] not in unread_page
    response = await post_form(client, "/notifications/read-all", {"next": "https://evil.example/"},
                               from_page="/notifications", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/notifications"
    assert await _badge(client) == 0


async def test_nobody_marks_someone_elses_notification(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    await _notify(client, ravi, "For Ravi")
    theirs = await db[NOTIFICATIONS].find_one({"user_id": ravi["_id"]})
    await sign_in(client, asha)
    response = await post_form(client, f"/notifications/{theirs['_id']}/read", {}, from_page="/notifications")
    assert response.status == 404
    assert (await db[NOTIFICATIONS].find_one({"_id": theirs["_id"]}))["read"] is False


async def test_signed_out_visitors_are_asked_to_sign_in(client: TestClient) -> None:
    assert await sent_to_sign_in(client, "/notifications")
    assert (await client.get("/api/v1/notifications")).status == 401


async def test_preferences_are_saved_and_a_bad_choice_changes_nothing(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    await sign_in(client, asha)
    page = await (await client.get("/notifications/preferences")).text()
    assert 'name="reply" value="in_app" checked' in page
    offered = set(re.findall(r'<input type="radio" name="([a-z_]+)"', page))
    assert offered == {"reply", "mention", "accepted_answer", "new_thread", "endorsement", "membership",
                       "connection_request", "connection_accepted", "followed_thread", "certificate_issued",
                       "event_invited", "event_cohost_added", "event_changed", "event_cancelled", "event_promoted",
                       "event_reminder", "event_recording",
                       "vacancy_changed", "vacancy_closed", "vacancy_status", "vacancy_alert", "direct_message",
                       "message_request", "mentoring_request", "mentoring_answer", "mentoring_session",
                       "mentoring_ended", NOTE}, \
        "only kinds some feature sends are offered"
    response = await post_form(client, "/notifications/preferences", {"reply": "email_digest", "mention": "off"},
                               from_page="/notifications/preferences", allow_redirects=False)
    assert response.status == 303
    stored = await db[PREFERENCES].find_one({"_id": asha["_id"]})
    assert stored["kinds"]["reply"] == "email_digest" and stored["kinds"]["mention"] == "off"
    assert stored["kinds"]["new_thread"] == "in_app" and set(stored["kinds"]) <= offered
    response = await post_form(client, "/notifications/preferences", {"reply": "sms", "mention": "in_app"},
                               from_page="/notifications/preferences")
    assert response.status == 422
    html = await response.text()
    assert 'id="error-reply"' in html and "Choose one of the offered options." in html
    assert (await db[PREFERENCES].find_one({"_id": asha["_id"]}))["kinds"]["mention"] == "off"


async def test_the_api_pages_with_a_cursor_and_marks_read(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db), await make_user(db)
    for n in range(5):
        await _notify(client, asha, f"Mention {n}")
    await _notify(client, ravi, "For Ravi")
    headers = {"Authorization": f"Bearer {await bearer_token(db, asha)}"}
    first = await (await client.get("/api/v1/notifications?limit=3", headers=headers)).json()
    assert [item["text"] for item in first["items"]] == ["Mention 4", "Mention 3", "Mention 2"]
    assert first["unread"] == 5 and first["next_cursor"]
    rest = await (await client.get(f"/api/v1/notifications?limit=3&cursor={first['next_cursor']}", headers=headers)).json()
    assert [item["text"] for item in rest["items"]] == ["Mention 1", "Mention 0"] and rest["next_cursor"] is None

    response = await client.post(f"/api/v1/notifications/{first['items'][0]['id']}/read", headers=headers)
    assert await response.json() == {"changed": 1, "unread": 4}
    response = await client.post(f"/api/v1/notifications/{first['items'][0]['id']}/read", headers=headers)
    assert await response.json() == {"changed": 0, "unread": 4}
    assert (await client.post(f"/api/v1/notifications/{ObjectId()}/read", headers=headers)).status == 404
    assert (await client.post("/api/v1/notifications/not-an-id/read", headers=headers)).status == 404
    assert await (await client.post("/api/v1/notifications/read-all", headers=headers)).json() == {"changed": 4, "unread": 0}
    assert await (await client.get("/api/v1/notifications/unread", headers=headers)).json() == {"unread": 0}
    unread = await (await client.get("/api/v1/notifications?unread=true", headers=headers)).json()
    assert unread["items"] == []


async def test_bad_api_input_is_a_problem_with_the_field_named(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    headers = {"Authorization": f"Bearer {await bearer_token(db, asha)}"}
    response = await client.put("/api/v1/notifications/preferences", json={"reply": "pigeon", "telepathy": "off"},
                                headers=headers)
    assert response.status == 422 and response.content_type == "application/problem+json"
    assert {error["field"] for error in (await response.json())["errors"]} == {"reply", "telepathy"}
    response = await client.get("/api/v1/notifications?cursor=%%%", headers=headers)
    assert response.status == 422 and (await response.json())["errors"][0]["field"] == "cursor"
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("unread=maybe", "unread")):
        response = await client.get(f"/api/v1/notifications?{query}", headers=headers)
        assert response.status == 422 and response.content_type == "application/problem+json", query
        assert [error["field"] for error in (await response.json())["errors"]] == [field], query
    response = await client.put("/api/v1/notifications/preferences", data="[1]", headers={
        **headers, "Content-Type": "application/json"})
    assert response.status == 422
    assert await db[PREFERENCES].count_documents({}) == 0


async def test_the_browser_api_needs_the_csrf_header(client: TestClient, db: Any) -> None:
    asha = await make_user(db)
    await sign_in(client, asha)
    await _notify(client, asha, "Mention")
    assert (await client.post("/api/v1/notifications/read-all")).status == 403
    token = await csrf_token(client, "/notifications")
    response = await client.post("/api/v1/notifications/read-all", headers={"X-CSRF-Token": token})
    assert await response.json() == {"changed": 1, "unread": 0}


async def test_the_live_update_scripts_are_served_from_this_server(client: TestClient, db: Any) -> None:
    """No CDN: the Socket.IO client and its licence come from static/, so a closed network works."""
    await sign_in(client, await make_user(db))
    html = await (await client.get("/")).text()
    scripts = re.findall(r'<script src="(/static/[^"]+)"', html)
    bare = [path.split("?")[0] for path in scripts]
    assert bare.index("/static/vendor/socket.io/socket.io.min.js") < bare.index("/static/js/realtime.js")
    for path in scripts:
        response = await client.get(path)
        assert response.status == 200 and "javascript" in response.content_type, path
    licence = await client.get("/static/vendor/socket.io/LICENSE")
    assert licence.status == 200 and "Permission is hereby granted" in await licence.text()
