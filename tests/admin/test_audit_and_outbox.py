from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token
from tests.factories import bearer_token, make_org, make_user, sent_to_sign_in, sign_in


async def test_viewing_a_person_is_audited_and_the_log_pages(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",), name="Asha Admin")
    people = [await make_user(db, name=f"Person {n}") for n in range(3)]
    await sign_in(client, admin)
    for person in people:
        assert (await client.get(f"/admin/people/{person['_id']}")).status == 200
    html = await (await client.get("/admin/audit")).text()
    assert html.count("Opened a member&#39;s page") == 3 and "Asha Admin" in html and "Person 2" in html
    assert "person.view" not in html
    auth = {"Authorization": f"Bearer {await bearer_token(db, admin)}"}
    first = await (await client.get("/api/v1/admin/audit", params={"limit": "2"}, headers=auth)).json()
    second = await (await client.get("/api/v1/admin/audit", params={"limit": "2", "cursor": first["next_cursor"]},
                                     headers=auth)).json()
    assert [e["target_id"] for e in first["items"] + second["items"]] == [str(p["_id"]) for p in reversed(people)]
    assert second["next_cursor"] is None


async def test_development_outbox_shows_codes_to_administrators_only(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    token = await csrf_token(client, "/register")
    await client.post("/register", data={"name": "Outbox Person", "email": "outbox@example.gov.in", "org_id": str(org["_id"]),
                                         "designation": "SO", "password": "long enough secret", "csrf_token": token})
    assert await sent_to_sign_in(client, "/admin/outbox")
    officer = await make_user(db)
    await sign_in(client, officer)
    assert (await client.get("/admin/outbox")).status == 403
    admin = await make_user(db, roles=("admin",))
    await sign_in(client, admin)
    html = await (await client.get("/admin/outbox")).text()
    message = await db.dev_outbox.find_one({"to": "outbox@example.gov.in"})
    assert "outbox@example.gov.in" in html and message["body"].split("is ")[1][:6] in html
    assert re.search(r"<time datetime=\"[^\"]+\">\d+ \w+ \d{4}, \d\d:\d\d IST</time>", html), "sent at, in IST"
    assert " UTC " not in html and 'class="prose mail-body"' in html
    assert '<a href="/admin/outbox" aria-current="page">Development outbox</a>' in html, "the page shown is marked"
    assert html.count('aria-current="page"') == 1


async def test_header_links_follow_the_signed_in_state(client: TestClient, db: Any) -> None:
    signed_out = await (await client.get("/forums?sort=top")).text()
    assert 'href="/login?next=/forums?sort%3Dtop"' in signed_out, "signing in comes back here"
    assert 'href="/login?next=' not in await (await client.get("/login")).text()
    assert 'href="/register"' in signed_out and 'href="/register"' in signed_out and 'action="/logout"' not in signed_out
    admin = await make_user(db, roles=("admin",), name="<b>Not bold</b>")
    await sign_in(client, admin)
    signed_in = await (await client.get("/")).text()
    assert 'action="/logout"' in signed_in and 'href="/admin"' in signed_in
    menu = signed_in.split('<details class="user-menu">')[1].split("</details>")[0]
    links = re.findall(r'<a href="([^"]+)"', menu)
    assert links == ["/profile", "/for-you", "/mentoring", "/profile/edit", "/account", "/notifications/preferences", "/certificates", "/privacy",
                     "/admin"], \
        "the person's own pages, profile first"
    assert f'src="/people/{admin["_id"]}/avatar"' in menu
    assert "&lt;b&gt;Not bold&lt;/b&gt;" in signed_in and "<b>Not bold</b>" not in signed_in


async def test_the_log_says_what_was_done_on_what_by_name_at_indian_time(client: TestClient, db: Any) -> None:
    from datetime import UTC, datetime

    from bson import ObjectId

    admin = await make_user(db, roles=("admin",), name="Asha Admin")
    thread_id = ObjectId()
    await db.forum_threads.insert_one({"_id": thread_id, "title": "Single bids on GeM"})
    await db.audit_log.insert_many([
        {"_id": ObjectId(), "at": datetime(2026, 11, 22, 8, 35, tzinfo=UTC), "actor_id": admin["_id"],
         "action": "forum.thread.lock", "target_type": "forum_thread", "target_id": thread_id, "org_id": None,
         "reason": "Off topic", "details": {"title": "Single bids on GeM"}},
        {"_id": ObjectId(), "at": datetime(2026, 11, 22, 20, 0, tzinfo=UTC), "actor_id": admin["_id"],
         "action": "forum.post.hide", "target_type": "forum_post", "target_id": ObjectId(), "org_id": None,
         "reason": "Spam", "details": {"thread_id": str(thread_id), "number": 4}},
    ])
    await sign_in(client, admin)
    html = await (await client.get("/admin/audit")).text()
    assert "22 Nov 2026, 14:05 IST" in html and "23 Nov 2026, 01:30 IST" in html
    assert f'<a href="/forums/t/{thread_id}">Single bids on GeM</a>' in html
    assert f'<a href="/forums/t/{thread_id}/p/4">Post 4 in “Single bids on GeM”</a>' in html
    assert "Locked a thread" in html and "Hid a post" in html
    for raw in ("forum.thread.lock", "forum_post", str(thread_id) + "<", "(UTC)"):
        assert raw not in html, raw
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    hindi = await (await client.get("/admin/audit")).text()
    assert "IST" in hindi and "Locked a thread" not in hindi


def test_every_action_the_code_records_has_a_name() -> None:
    """The source is read for the codes handed to ``audit.record``, so a new action cannot reach
    the log without words for it."""
    import re as regex
    from pathlib import Path

    from community.audit import ACTIONS

    root = Path(__file__).resolve().parents[2] / "community"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in regex.finditer(r"audit\.record\((.*?)\)\n", text, regex.S):
            found.update(regex.findall(r'"((?:[a-z_]+\.)+[a-z_]+)"', call.group(1)))
        found.update(f"role.{action}" for action in ("grant", "revoke") if 'f"role.{data.action}"' in text)
        found.update(regex.findall(r'action="(forum\.thread\.[a-z]+)"', text))
    assert found and found - set(ACTIONS) == set()
