"""Abuse limits for posting, as settings: defaults here, overridable from ``FORUM_*`` variables.

New members (a young account, or few posts yet) are held to tighter limits than people who
have taken part for a while; flood control and duplicate detection apply to everyone. The
Karma Points posting earns are part of :class:`~community.config.Settings` and are copied in
from there, so they are validated at start-up with the other settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from aiohttp import web

from community.config import ConfigError, Settings
from community.validation import whole_number


@dataclass(frozen=True, slots=True)
class ForumLimits:
    new_member_days: int = 3
    """An account younger than this is a new member..."""
    new_member_min_posts: int = 3
    """...and so is one with fewer visible posts than this."""
    new_member_posts_per_hour: int = 5
    new_member_links_per_post: int = 2
    posts_per_hour: int = 60
    links_per_post: int = 25
    flood_seconds: int = 10
    """At most one post per this many seconds from one person."""
    duplicate_window_seconds: int = 3600
    """The same body posted again by the same person within this window is refused."""
    accepted_answer_points: int = 15
    upvote_points: int = 2
    upvote_points_per_day: int = 40
    """Karma Points from upvotes received are capped per person per day."""


KARMA_FIELDS = ("accepted_answer_points", "upvote_points", "upvote_points_per_day")
"""The fields taken from :class:`~community.config.Settings` (same names) rather than read here."""


def limits_from_env(settings: Settings, env: Mapping[str, str] | None = None) -> ForumLimits:
    """The Karma Points from ``settings``, and the limits from ``FORUM_<FIELD>`` overrides
    (e.g. ``FORUM_FLOOD_SECONDS=0``); a bad value names itself."""
    env = os.environ if env is None else env
    changes = {name: getattr(settings, name) for name in KARMA_FIELDS}
    for item in fields(ForumLimits):
        if item.name in KARMA_FIELDS:
            continue
        name = f"FORUM_{item.name.upper()}"
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        number = whole_number(raw)
        if number is None or number < 0:
            raise ConfigError(name, f"must be a whole number of 0 or more, got {raw!r}")
        changes[item.name] = number
    return replace(ForumLimits(), **changes)


LIMITS: web.AppKey[ForumLimits] = web.AppKey("forum_limits", ForumLimits)
