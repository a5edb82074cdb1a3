"""A reported message reaches the moderators with only the messages before it that the reporter
chose; a moderator's view is audited and shows nothing else of the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.errors import Conflict, Forbidden
from community.messages import queries, reports
from tests.conftest import csrf_token
from tests.factories import act, make_user, sign_in
from tests.messages.helpers import send, start
from tests.network.helpers import connect


async def test_a_reported_message_reaches_moderators_with_the_chosen_context_only(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db, name="Asha Menon"), await make_user(db, name="Ravi Kumar")
    admin = await make_user(db, roles=("officer", "admin"))
    await connect(client.app, asha, ravi)
    conversation_id = await start(client.app, asha, ravi, body="Early chat, unrelated")
    await send(client.app, ravi, conversation_id, "Context line")
    await send(client.app, ravi, conversation_id, "An abusive line")
    abusive = await db[queries.MESSAGES].find_one({"body": "An abusive line"})
    mine = await db[queries.MESSAGES].find_one({"body": "Early chat, unrelated"})

    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(asha), reports.report, conversation_id, mine["_id"], 0, "")
    await sign_in(client, asha)
    path = f"/messages/{conversation_id}"
    page = await (await client.get(path)).text()
    assert f'/m/{abusive["_id"]}/report' in page and f'/m/{mine["_id"]}/report' not in page
    sent = await client.post(f"{path}/m/{abusive['_id']}/report", allow_redirects=False, data={
        "csrf_token": await csrf_token(client, path), "context": "1", "note": "Insulting"})
    assert sent.status == 303
    with pytest.raises(Conflict):
        await act(client.app, actor_for_user(asha), reports.report, conversation_id, abusive["_id"], 0, "")

    client.session.cookie_jar.clear()
    await sign_in(client, ravi)
    assert (await client.get("/admin/message-reports")).status == 403
    client.session.cookie_jar.clear()
    await sign_in(client, admin)
    assert (await client.get(path)).status == 404, "a moderator still cannot read the conversation"
    listing = await (await client.get("/admin/message-reports")).text()
    report = await db[queries.REPORTS].find_one({})
    assert f"/admin/message-reports/{report['_id']}" in listing and "Insulting" in listing
    assert await db.audit_log.count_documents({"action": "messages.view_report"}) == 0
    shown = await (await client.get(f"/admin/message-reports/{report['_id']}")).text()
    assert "An abusive line" in shown and "Context line" in shown and "Early chat" not in shown
    assert await db.audit_log.count_documents({"action": "messages.view_report", "target_id": report["_id"]}) == 1
    token = await csrf_token(client, f"/admin/message-reports/{report['_id']}")
    closed = await client.post(f"/admin/message-reports/{report['_id']}/close", data={"csrf_token": token},
                               allow_redirects=False)
    assert closed.status == 303
    assert "No open reports." in await (await client.get("/admin/message-reports")).text()
