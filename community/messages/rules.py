"""The numbers of direct messages. Tests may put other rules in ``app[RULES]``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web


@dataclass(frozen=True, slots=True)
class MessageRules:
    group_size: int = 20
    """The most people in a group conversation, its starter included."""
    max_length: int = 4000
    """The longest message, in characters of Markdown."""
    per_minute: int = 20
    """Messages one person may send in a minute, over all their conversations."""
    starts_per_day: int = 50
    """Conversations one person may start in a day."""
    edit_window: timedelta = timedelta(minutes=15)
    """How long after sending its author may edit a message."""
    delete_window: timedelta = timedelta(hours=1)
    """How long after sending its author may delete a message for everyone."""


RULES: web.AppKey[MessageRules] = web.AppKey("message_rules", MessageRules)
