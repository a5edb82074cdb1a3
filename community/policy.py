"""Who may do what: the one place every decision about access is made.

HTTP views, socket handlers and the search layer's filters all ask these functions; nothing
else compares roles or organisations. Each function is pure (the caller loads what it needs)
so the test matrix in ``tests/test_policy.py`` can try every role against every action.
Sections below are per feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bson import ObjectId

from community.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    OFFICER = "officer"
    EXPERT = "expert"
    MDO_ADMIN = "mdo_admin"
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The person making a request, as far as permissions are concerned."""

    user_id: ObjectId | None
    org_id: ObjectId | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    suspended_until: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, role: Role) -> bool:
        return role in self.roles

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or datetime.now(UTC))


ANONYMOUS = Actor(user_id=None)


def require(actor: Actor, allowed: bool, message: str = "You are not allowed to do that.") -> None:
    """Raise the right error when ``allowed`` is false: sign in first, or plain refusal."""
    if allowed:
        return
    if not actor.is_authenticated:
        raise Unauthenticated("Please sign in to continue.")
    raise Forbidden(message)


# --- platform -----------------------------------------------------------------------------


def is_platform_admin(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has(Role.ADMIN)


def can_view_dev_outbox(actor: Actor) -> bool:
    """The development outbox shows one-time codes, so only administrators may open it."""
    return is_platform_admin(actor)
