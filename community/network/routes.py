"""The network: connections, follows and blocks between people."""

from __future__ import annotations

from aiohttp import web

from community import keys
from community.network import connections, notices, storage
from community.network.rules import RULES, rules_from
from community.storage.facts import declare

__all__ = ["connections", "notices"]


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app[RULES] = rules_from(app[keys.SETTINGS])
