"""Events in search, through the outbox and the embedded engine: found by title, host and
competency, with the audience inside the query (an organisation's event reaches its members and
those of its children, an invitation-only one and a draft nobody but administrators)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.events import service
from community.search_pages.routes import INDEXER
from tests.events.conftest import as_actor, event_in
from tests.factories import act, bearer_token, make_org, make_user


async def _titles(client: TestClient, query: str, user: dict[str, Any] | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {await bearer_token(client, user)}"} if user else {}
    found = await (await client.get("/api/v1/search", params={"q": query, "kind": "events"}, headers=headers)).json()
    return sorted(hit["title"] for hit in found["hits"])


async def test_the_audience_is_enforced_in_the_query(client: TestClient, db: Any) -> None:
    ministry = await make_org(db)
    department = await make_org(db, parent=ministry)
    host = await make_user(db, org=ministry, roles=("expert",), name="Meera Iyer")
    for title, audience in (("Drought planning open", "everyone"), ("Drought planning ministry", "organisation"),
                            ("Drought planning invited", "invitation")):
        event_id = await act(client.app, as_actor(host), service.create, event_in(title=title, audience=audience))
        await act(client.app, as_actor(host), service.publish, event_id)
    await act(client.app, as_actor(host), service.create, event_in(title="Drought planning draft"))
    await client.app[INDEXER].drain()
    assert await _titles(client, "drought") == ["Drought planning open"]
    child = await make_user(db, org=department)
    assert await _titles(client, "drought", child) == ["Drought planning ministry", "Drought planning open"]
    assert await _titles(client, "drought", await make_user(db)) == ["Drought planning open"]
    assert await _titles(client, "meera") == ["Drought planning open"]
    admin = await make_user(db, roles=("admin",))
    assert await _titles(client, "drought", admin) == ["Drought planning invited", "Drought planning ministry",
                                                        "Drought planning open"]
