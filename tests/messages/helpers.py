"""Shared steps for direct-message tests: services run as a person, in their own action."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.messages import service
from tests.factories import act


async def start(app: web.Application, sender: dict[str, Any], *to: dict[str, Any], body: str = "Hello",
                title: str = "") -> ObjectId:
    return await act(app, actor_for_user(sender), service.start, [person["_id"] for person in to], body, title)


async def send(app: web.Application, sender: dict[str, Any], conversation_id: ObjectId, body: str) -> dict[str, Any]:
    return await act(app, actor_for_user(sender), service.send, conversation_id, body)
