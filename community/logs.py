"""Structured logs: one JSON object a line, so a log shipper can index them without parsing."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
SECRET_NAMES = ("password", "secret", "token", "authorization", "cookie")
"""An extra field whose name contains one of these is logged as ``[redacted]``: no code logs one on
purpose, and a slip must not put credentials in a log shipper."""


def _shown(key: str, value: object) -> object:
    return "[redacted]" if any(name in key.lower() for name in SECRET_NAMES) else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
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
