"""Ending a sign-in closes its sockets at once: signing out (one session or one token), signing
out everywhere, a password reset, a suspension; and a socket whose session runs out (idle or
absolute) is closed too. Each test then sends to the person's room and checks the closed socket
hears nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.accounts.sessions import digest
from community.app import create_app
from community.config import Settings
from community.realtime.server import NAMESPACE
from tests.accounts.conftest import another_browser  # noqa: F401 - a fixture, used by name
from tests.conftest import csrf_token
from community.organisations.queries import REQUESTS
from tests.factories import bearer_token, make_org, make_user, sent_to_sign_in, sign_in
from tests.realtime.probe import SocketProbe, server_url, session_cookie

Probes = Callable[[], SocketProbe]


class ManualClock:
    """The app's clock, moved on by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> web.Application:
    made = create_app(settings)
    made[keys.CLOCK] = clock
    return made


async def closed(probe: SocketProbe, within: float = 1.0) -> None:
    await asyncio.wait_for(probe.disconnected.wait(), within)


async def still_open(client: TestClient, probe: SocketProbe) -> bool:
    """Run the expiry check now (rather than waiting for its next round) and say whether the
    server still holds the socket."""
    await client.app[NAMESPACE].close_expired()
    return client.app[keys.SIO].manager.is_connected(probe.sio.get_sid("/"), "/")


async def hears_only(client: TestClient, user: dict[str, Any], live: list[SocketProbe], gone: list[SocketProbe]) -> None:
    await client.app[keys.EMITTER].emit("ping", {"n": 1}, room=f"user:{user['_id']}")
    for probe in live:
        assert await probe.next("ping") == {"n": 1}
    for probe in gone:  # closed, so it can hear nothing more; no round trip is possible on it
        await closed(probe)
        assert probe.heard["ping"].empty(), "heard before it was closed"


async def test_signing_out_closes_that_sessions_sockets_and_no_other(client: TestClient, another_browser: Any,
                                                                     db: Any, probes: Probes) -> None:
    user = await make_user(db)
    second = another_browser()
    await sign_in(client, user)
    await sign_in(second, user)
    leaving = await probes().connect(server_url(client), cookie=session_cookie(client))
    staying = await probes().connect(server_url(client), cookie=session_cookie(second))
    response = await client.post("/logout", data={"csrf_token": await csrf_token(client, "/account")},
                                 allow_redirects=False)
    assert response.status == 303
    await closed(leaving)
    assert staying.sio.connected
    await hears_only(client, user, live=[staying], gone=[leaving])


async def test_revoking_an_api_token_closes_its_socket(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    other_token = await bearer_token(db, user)
    leaving = await probes().connect(server_url(client), token=token)
    staying = await probes().connect(server_url(client), token=other_token)
    response = await client.post("/api/v1/accounts/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    await closed(leaving)
    await hears_only(client, user, live=[staying], gone=[leaving])


async def test_signing_out_everywhere_closes_every_socket_of_the_person(client: TestClient, db: Any,
                                                                        probes: Probes) -> None:
    user, other = await make_user(db), await make_user(db)
    await sign_in(client, user)
    by_cookie = await probes().connect(server_url(client), cookie=session_cookie(client))
    by_token = await probes().connect(server_url(client), token=await bearer_token(db, user))
    someone_else = await probes().connect(server_url(client), token=await bearer_token(db, other))
    response = await client.post("/account/sign-out-everywhere",
                                 data={"csrf_token": await csrf_token(client, "/account")}, allow_redirects=False)
    assert response.status == 303
    await closed(by_cookie)
    await closed(by_token)
    assert someone_else.sio.connected
    await hears_only(client, user, live=[], gone=[by_cookie, by_token])


async def test_a_password_reset_closes_every_socket_of_the_person(client: TestClient, db: Any, probes: Probes) -> None:
    user = await make_user(db)
    probe = await probes().connect(server_url(client), token=await bearer_token(db, user))
    await client.post("/reset", data={"email": user["email"], "csrf_token": await csrf_token(client, "/reset")})
    message = await db.dev_outbox.find_one({"to": user["email"]})
    code = re.search(r"\b([0-9]{6})\b", message["body"]).group(1)
    done = await client.post("/reset/confirm", allow_redirects=False,
                             data={"email": user["email"], "code": code, "password": "a brand new secret",
                                   "csrf_token": await csrf_token(client, "/reset/confirm")})
    assert done.status == 303
    await closed(probe)
    await hears_only(client, user, live=[], gone=[probe])


async def test_a_suspension_closes_the_persons_sockets(client: TestClient, db: Any, probes: Probes) -> None:
    member = await make_user(db)
    moderator = await make_user(db, roles=("moderator",))
    probe = await probes().connect(server_url(client), token=await bearer_token(db, member))
    response = await client.post(f"/api/v1/forums/members/{member['_id']}/suspend", json={"reason": "Abuse", "days": 3},
                                 headers={"Authorization": f"Bearer {await bearer_token(db, moderator)}"})
    assert response.status == 200
    await closed(probe)
    await hears_only(client, member, live=[], gone=[probe])


async def test_a_session_idle_too_long_is_refused_and_its_socket_closed(client: TestClient, db: Any, probes: Probes,
                                                                        clock: ManualClock) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    probe = await probes().connect(server_url(client), cookie=session_cookie(client))
    clock.advance(minutes=client.app[keys.SETTINGS].session_idle_minutes - 1)
    assert await still_open(client, probe), "within the idle limit the socket stays"
    clock.advance(minutes=2)
    refused = await asyncio.wait_for(probe.next("refused"), 2.5)
    assert refused["status"] == 401
    await closed(probe)
    await hears_only(client, user, live=[], gone=[probe])
    assert await sent_to_sign_in(client, "/account")


async def test_use_moves_the_idle_limit_on_and_writes_at_most_once_a_minute(client: TestClient, db: Any,
                                                                            probes: Probes, clock: ManualClock) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    stored = {"_id": digest(session_cookie(client))}
    idle = client.app[keys.SETTINGS].session_idle_minutes
    probe = await probes().connect(server_url(client), cookie=session_cookie(client))
    clock.advance(minutes=idle - 10)
    assert (await client.get("/account")).status == 200
    seen = (await db.sessions.find_one(stored))["seen_at"]
    clock.advance(seconds=30)
    assert (await client.get("/account")).status == 200
    assert (await db.sessions.find_one(stored))["seen_at"] == seen, "a second request within the minute writes nothing"
    clock.advance(minutes=20)
    assert await still_open(client, probe), "the page's use kept the socket's session alive"
    assert (await client.get("/account")).status == 200
    clock.advance(minutes=idle + 1)
    assert (await asyncio.wait_for(probe.next("refused"), 2.5))["status"] == 401


async def test_a_session_past_its_absolute_end_closes_its_socket(client: TestClient, db: Any, probes: Probes,
                                                                 clock: ManualClock) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    await db.sessions.update_one({"_id": digest(session_cookie(client))},
                                 {"$set": {"expires_at": clock.now + timedelta(minutes=1)}})
    probe = await probes().connect(server_url(client), cookie=session_cookie(client))
    clock.advance(minutes=2)
    assert (await asyncio.wait_for(probe.next("refused"), 2.5))["status"] == 401
    await hears_only(client, user, live=[], gone=[probe])


async def test_erasing_ones_account_closes_every_socket_of_the_person(client: TestClient, another_browser: Any,
                                                                       db: Any, probes: Probes) -> None:
    user = await make_user(db)
    second = another_browser()
    await sign_in(client, user)
    await sign_in(second, user)
    here = await probes().connect(server_url(client), cookie=session_cookie(client))
    elsewhere = await probes().connect(server_url(client), cookie=session_cookie(second))
    response = await client.post("/privacy/erase", data={"csrf_token": await csrf_token(client, "/privacy"),
                                                         "confirm": user["email"]})
    assert response.status == 200, await response.text()
    await closed(here)
    await closed(elsewhere)


async def test_moving_to_another_organisation_closes_the_persons_sockets(client: TestClient, db: Any,
                                                                          probes: Probes) -> None:
    """The rooms a socket joined were the old organisation's; the reconnect joins the new one's."""
    old, new = await make_org(db, name="Ministry A"), await make_org(db, name="Ministry B")
    person = await make_user(db, org=old, email="mover@example.org")
    new_admin = await make_user(db, org=new, roles=("mdo_admin",))
    await sign_in(client, person)
    socket = await probes().connect(server_url(client), cookie=session_cookie(client))
    asked = await client.post("/api/v1/me/membership", headers={"Authorization": f"Bearer {await bearer_token(db, person)}"},
                              json={"org_id": str(new["_id"])})
    assert asked.status == 200 and (await asked.json())["status"] == "pending"
    assert socket.sio.connected, "asking changes nothing yet"
    request = await db[REQUESTS].find_one({"user_id": person["_id"], "status": "pending"})
    approved = await client.post(f"/api/v1/membership-requests/{request['_id']}/approve", json={},
                                 headers={"Authorization": f"Bearer {await bearer_token(db, new_admin)}"})
    assert approved.status == 200
    await closed(socket)
