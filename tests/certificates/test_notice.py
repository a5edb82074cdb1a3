"""The person is told when their certificate is first issued, in their language; not of one revoked
before the notifier reached it, nor again when it is issued again."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from community import actions
from community.accounts.sessions import actor_for_user
from community.certificates import service
from community.notifications.routes import NOTIFIER
from tests.certificates.conftest import KIND, Sessions
from tests.certificates.helpers import issue
from tests.factories import act, bearer_token, make_user
from tests.profiles.helpers import call


async def test_the_person_is_told_once_in_their_language(client: TestClient, app: web.Application, db: Any,
                                                         sessions: Sessions, captured_effects: actions.Effects) -> None:
    host, person = await make_user(db, name="Asha Menon"), await make_user(db)
    session_id = sessions.add(title="Outcome budgeting", attendees=(person,))
    issued = await issue(app, host, person, session_id)
    await issue(app, host, person, session_id)
    [intent] = captured_effects.notifications
    assert (intent["kind"], intent["to"]["args"]["user_id"]) == (service.ISSUED_NOTICE, person["_id"])

    await client.app[NOTIFIER].drain()
    token = await bearer_token(db, person)
    status, listed = await call(client, "GET", "/api/v1/notifications", token)
    [told] = listed["items"]
    assert told["text"] == "Your certificate for \u201cOutcome budgeting\u201d is ready to download."
    assert told["url"] == "/certificates"
    status, listed = await call(client, "GET", "/api/v1/notifications", token, headers={"Accept-Language": "hi"})
    assert listed["items"][0]["text"] == "\u201cOutcome budgeting\u201d का आपका प्रमाणपत्र डाउनलोड के लिए तैयार है।"
    assert issued.code not in str(listed)


async def test_nobody_is_told_of_a_certificate_revoked_before_the_notifier_came(
        client: TestClient, app: web.Application, db: Any, sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db)
    session_id = sessions.add(attendees=(person,))
    await issue(app, host, person, session_id)
    await act(app, actor_for_user(host), service.revoke, person["_id"], KIND, session_id)
    await client.app[NOTIFIER].drain()
    status, listed = await call(client, "GET", "/api/v1/notifications", await bearer_token(db, person))
    assert status == 200 and listed["items"] == []
