"""A member with data in every corner of the server, for export and erasure tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums import categories
from community.karma import service as karma
from community.policy import Actor, Role
from tests.factories import act, bearer_token, make_org, make_user
from tests.profiles.helpers import BUDGET, HEALTH, POSITION, auth, call, image_bytes, small_dictionary

STRINGS = {
    "name": "Kavitha Ramaswamy", "email": "kavitha.ramaswamy@example.gov.in", "mobile": "+919445500011",
    "designation": "Director (Budget)", "bio": "Leads the zero-based budgeting pilot in Chennai",
    "district": "Kancheepuram", "service": "IRS 2011 batch", "expertise": "Zero-based budgeting",
}


@dataclass
class Scene:
    person: dict[str, Any]
    token: str
    expert: dict[str, Any]
    admin: dict[str, Any]
    admin_token: str
    other: dict[str, Any]


async def rich_member(client: TestClient, db: Any) -> Scene:
    await small_dictionary(db)
    org = await make_org(db, name="Ministry of Finance")
    person = await make_user(db, org=org, roles=("expert",), name=STRINGS["name"], email=STRINGS["email"],
                             mobile=STRINGS["mobile"], designation=STRINGS["designation"])
    expert = await make_user(db, roles=("expert",), name="Endorsing Expert")
    admin = await make_user(db, roles=("admin",), name="Platform Admin")
    other = await make_user(db, org=org, name="Colleague")
    token, admin_token = await bearer_token(db, person), await bearer_token(db, admin)
    status, _ = await call(client, "PUT", "/api/v1/profiles/me", token, json={
        "name": STRINGS["name"], "designation": STRINGS["designation"], "service": STRINGS["service"],
        "state": "Tamil Nadu", "district": STRINGS["district"], "languages": ["Tamil", "English"],
        "bio": STRINGS["bio"], "expertise": [STRINGS["expertise"]], "position_id": POSITION})
    assert status == 200
    await call(client, "PUT", "/api/v1/profiles/me/competencies", token,
               json={"competencies": [{"competency_id": HEALTH, "level": 3}, {"competency_id": BUDGET, "level": 4}]})
    await call(client, "PUT", "/api/v1/profiles/me/avatar", token, data=image_bytes(),
               headers={**auth(token), "Content-Type": "image/png"})
    expert_token, other_token = await bearer_token(db, expert), await bearer_token(db, other)
    await call(client, "POST", "/api/v1/profiles/me/competencies", expert_token, json={"competency_id": HEALTH, "level": 5})
    assert (await call(client, "POST", f"/api/v1/profiles/{person['_id']}/endorsements", expert_token,
                       json={"competency_id": HEALTH, "level": 3}))[0] == 201
    await call(client, "POST", "/api/v1/profiles/me/competencies", other_token, json={"competency_id": BUDGET, "level": 2})
    await call(client, "POST", f"/api/v1/profiles/{person['_id']}/verifications", admin_token,
               json={"competency_id": BUDGET, "level": 4, "source": "course", "reference": "iGOT: Budgeting"})
    assert (await call(client, "POST", f"/api/v1/profiles/{other['_id']}/endorsements", token,
                       json={"competency_id": BUDGET, "level": 2}))[0] == 201
    assert (await call(client, "POST", f"/api/v1/network/people/{other['_id']}/connection", token, json={}))[0] == 200
    assert (await call(client, "POST", f"/api/v1/network/people/{person['_id']}/connection/accept", other_token))[0] == 200
    assert (await call(client, "PUT", f"/api/v1/network/people/{other['_id']}/follow", token))[0] == 200
    assert (await call(client, "PUT", f"/api/v1/network/people/{person['_id']}/follow", other_token))[0] == 200
    assert (await call(client, "PUT", f"/api/v1/network/people/{admin['_id']}/block", token))[0] == 200
    assert (await call(client, "POST", f"/api/v1/network/people/{expert['_id']}/connection", token,
                       json={"note": STRINGS["bio"][:100]}))[0] == 200, "a request still waiting, with its expiry job"
    assert (await call(client, "POST", f"/api/v1/network/suggestions/{other['_id']}/dismissal", token))[0] == 201
    assert (await call(client, "POST", f"/api/v1/network/suggestions/{person['_id']}/dismissal", expert_token))[0] == 201
    await db.sessions.insert_one({"_id": "digest-of-a-session", "user_id": person["_id"], "created_at": datetime.now(UTC),
                                  "expires_at": datetime(2100, 1, 1, tzinfo=UTC), "user_agent": "Firefox", "ip": "10.0.0.7"})
    await db.one_time_codes.insert_one({"_id": ObjectId(), "user_id": person["_id"], "purpose": "reset",
                                        "code_hash": "not-a-real-hash", "tries": 0})
    await db.dev_outbox.insert_one({"_id": ObjectId(), "at": datetime.now(UTC), "to": STRINGS["email"],
                                    "subject": "Your code", "body": f"Dear {STRINGS['name']}, your code is 123456"})
    await karma.award(db, user_id=person["_id"], points=15, reason="accepted_answer", object_type="post", object_id=ObjectId())
    await forum_activity(client, db, admin, token, await bearer_token(db, other))
    return Scene(person, token, expert, admin, admin_token, other)


async def forum_activity(client: TestClient, db: Any, admin: dict[str, Any], token: str, other_token: str) -> None:
    """The person starts a thread, the colleague replies, and the person replies in the colleague's thread."""
    category = await act(client.app, Actor(user_id=admin["_id"], roles=frozenset({Role.ADMIN})),
                         categories.create_category, {"name": "Budgeting", "slug": "budgeting"})
    slug = category["slug"]
    status, started = await call(client, "POST", f"/api/v1/forums/categories/{slug}/threads", token, json={
        "title": "Budgeting a whole grant from nothing", "body": "Has anyone tried it for a whole grant?",
        "kind": "question"})
    assert status == 201, started
    status, theirs = await call(client, "POST", f"/api/v1/forums/categories/{slug}/threads", other_token, json={
        "title": "Surrenders at year end", "body": "How do you plan surrenders before March?", "kind": "question"})
    assert status == 201, theirs
    assert (await call(client, "POST", f"/api/v1/forums/threads/{started['thread']['id']}/replies", other_token,
                       json={"body": "We tried it in one division last year."}))[0] == 201
    assert (await call(client, "POST", f"/api/v1/forums/threads/{theirs['thread']['id']}/replies", token,
                       json={"body": "Plan them by December, after the revised estimates."}))[0] == 201
