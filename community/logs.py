"""Structured logs: one JSON object a line, so a log shipper can index them without parsing."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
SECRET_NAMES = ("password", "secret", "token", "authorization", "cookie")
"""An extra field whose name contains one of these is logged as ``[redacted]``: no code logs one on
purpose, and a slip must not put credentials in a log shipper."""


def _shown(key: str, value: object) -> object:
    return "[redacted]" if any(name in key.lower() for name in SECRET_NAMES) else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: _shown(key, value) for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class Throttled:
    """One WARNING line, without a traceback, for something any client can cause (a malformed
    request line, a garbage socket frame): at most ``per_minute`` lines a minute, so nobody can
    flood the log; the first line after a suppressed spell says how many were left out.

    ``seen`` counts every occurrence, logged or not."""

    def __init__(self, logger: logging.Logger, message: str, *, per_minute: int = 10,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.message = message
        self.per_minute = per_minute
        self.clock = clock
        self.window_start = clock()
        self.logged = 0
        self.suppressed = 0
        self.seen = 0

    def __call__(self, **fields: object) -> None:
        now = self.clock()
        if now - self.window_start >= 60:
            self.window_start, self.logged = now, 0
        self.seen += 1
        if self.logged >= self.per_minute:
            self.suppressed += 1
            return
        self.logged += 1
        if self.suppressed:
            fields["suppressed"] = self.suppressed
            self.suppressed = 0
        self.logger.warning(self.message, extra=fields)
