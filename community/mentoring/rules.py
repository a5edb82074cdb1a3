"""Mentoring's numbers: one place to read them, kept on the app so a test can change them."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True, slots=True)
class MentoringRules:
    requests_per_day: int = 10
    """Mentoring requests one person may send in a day."""
    request_days: int = 30
    """A request the mentor has not answered expires after this many days, freeing its place."""
    sessions: int = 20
    """Sessions one mentorship may hold."""
    changes_per_hour: int = 60
    """Answers, sessions, endings, feedback and offer changes one person may make in an hour."""
    mentor_points: int = 25
    """Karma Points to the mentor for a completed mentorship: one that ended after a session took place."""
    mentee_points: int = 10
    """Karma Points to the mentee for the same."""


RULES: web.AppKey[MentoringRules] = web.AppKey("mentoring_rules", MentoringRules)
