"""Shared steps for network tests: people as actors, and a service run in its own action."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from community.accounts.sessions import actor_for_user
from community.network import connections
from community.network.schemas import ConnectionRequestIn
from tests.factories import act


async def ask(app: web.Application, asker: dict[str, Any], other: dict[str, Any], note: str = "") -> str:
    return await act(app, actor_for_user(asker), connections.request_connection, other["_id"],
                     ConnectionRequestIn(note=note))


async def connect(app: web.Application, one: dict[str, Any], other: dict[str, Any]) -> None:
    await ask(app, one, other)
    await act(app, actor_for_user(other), connections.accept, one["_id"])


async def block(app: web.Application, blocker: dict[str, Any], other: dict[str, Any]) -> bool:
    return await act(app, actor_for_user(blocker), connections.set_blocked, other["_id"], True)


async def follow(app: web.Application, follower: dict[str, Any], other: dict[str, Any]) -> bool:
    return await act(app, actor_for_user(follower), connections.set_following, other["_id"], True)
