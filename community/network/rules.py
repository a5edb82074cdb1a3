"""The network's numbers, copied from :class:`~community.config.Settings` at start-up (where they
are validated with the other settings)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from community.config import Settings


@dataclass(frozen=True, slots=True)
class NetworkRules:
    request_days: int = 30
    """A request nobody answered is dropped after this many days."""
    requests_per_day: int = 50
    """Requests one person may send in a day."""


def rules_from(settings: Settings) -> NetworkRules:
    return NetworkRules(request_days=settings.connection_request_days,
                        requests_per_day=settings.connection_requests_per_day)


RULES: web.AppKey[NetworkRules] = web.AppKey("network_rules", NetworkRules)
