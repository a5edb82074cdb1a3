"""Per-connection limits: message size, a token-bucket rate, and strikes that end a connection.

Each socket gets its own :class:`ConnectionGuard`, kept in its Socket.IO session (never on the
shared namespace). Every refused message is a strike; a connection that collects
``max_strikes`` is disconnected, so a misbehaving client cannot keep the server busy refusing it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from community.errors import Invalid, RateLimited
from community.i18n import N_


@dataclass(frozen=True, slots=True)
class SocketLimits:
    max_message_bytes: int = 8 * 1024
    """Largest event payload (JSON-encoded) the handlers accept."""
    engine_max_bytes: int = 64 * 1024
    """Engine.IO refuses and closes on anything larger, before it is even decoded."""
    rate_per_second: float = 5.0
    burst: int = 20
    max_strikes: int = 5


class ConnectionGuard:
    def __init__(self, limits: SocketLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.tokens = float(limits.burst)
        self.updated = clock()
        self.strikes = 0

    def admit(self, payload: tuple[Any, ...]) -> None:
        """Charge one message; raise :class:`RateLimited` or :class:`Invalid` when it must be refused."""
        now = self.clock()
        self.tokens = min(float(self.limits.burst), self.tokens + (now - self.updated) * self.limits.rate_per_second)
        self.updated = now
        if self.tokens < 1:
            raise RateLimited(retry_after=1, detail=N_("You are sending messages too fast; slow down."))
        self.tokens -= 1
        try:
            size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
        except (TypeError, ValueError):
            raise Invalid({"data": N_("Send a JSON object.")}) from None
        if size > self.limits.max_message_bytes:
            raise Invalid({"data": N_("This message is too large.")})

    def strike(self) -> bool:
        """Count a refused message; True when the connection has used up its strikes."""
        self.strikes += 1
        return self.strikes >= self.limits.max_strikes
