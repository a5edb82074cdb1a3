"""Joining through the real pages: register, read the code from the development outbox, verify."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from community.forums import categories
from community.policy import Actor, Role
from tests.conftest import csrf_token
from tests.factories import act, make_user

CODE = re.compile(r"\b([0-9]{6})\b")


async def post(client: TestClient, path: str, data: dict[str, str], page: str) -> Any:
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, page)}, allow_redirects=False)


async def register_and_verify(client: TestClient, db: Any, org: dict[str, Any], email: str,
                              name: str = "Kavita Iyer") -> dict[str, Any]:
    """Register at ``org`` with ``email`` and verify it, as a person would; the client is then
    signed in as them. Returns their stored document."""
    registered = await post(client, "/register", {"name": name, "email": email, "org_id": str(org["_id"]),
                                                  "designation": "Section Officer", "password": "a long enough secret"},
                            "/register")
    assert registered.status == 303, await registered.text()
    message = await db.dev_outbox.find_one({"to": email.lower()})
    code = CODE.search(message["body"])
    assert code is not None
    verified = await post(client, "/verify", {"email": email, "code": code.group(1)}, "/verify")
    assert verified.status == 303 and verified.headers["Location"].startswith("/account")
    return await db.users.find_one({"email": email.lower()})


async def private_category(db: Any, org: dict[str, Any], slug: str) -> dict[str, Any]:
    admin = await make_user(db, roles=("admin",))
    return await act(db, Actor(user_id=admin["_id"], roles=frozenset({Role.ADMIN})), categories.create_category,
                     {"name": slug.title(), "slug": slug, "org_id": str(org["_id"])})
