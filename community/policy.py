"""Who may do what: the one place every decision about access is made.

HTTP views, socket handlers and the search layer's filters all ask these functions; nothing
else compares roles or organisations. Each function is pure (the caller loads what it needs)
so the test matrix in ``tests/test_policy.py`` can try every role against every action.
Sections below are per feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

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


# --- competencies -------------------------------------------------------------------------


def can_manage_dictionary(actor: Actor) -> bool:
    """The FRAC dictionary is shared by every organisation, so only platform administrators edit it."""
    return is_platform_admin(actor)


def can_record_verification(actor: Actor) -> bool:
    """Assessment and course results are entered by platform administrators on the platform's behalf."""
    return is_platform_admin(actor)


# --- profiles -----------------------------------------------------------------------------

PRIVACY_LEVELS = ("everyone", "organisation", "connections", "me")
"""Who may see a profile field: every signed-in member, the owner's organisation, the owner's
accepted connections, or the owner alone."""


def can_view_field(viewer: Actor, owner: Mapping[str, Any], privacy: str, connected: bool) -> bool:
    """Whether ``viewer`` may see a field of ``owner``'s profile that has the given privacy.

    ``owner`` is the person's ``users`` document (``_id``, ``org_id``); ``connected`` says whether
    the two have an accepted connection. Visitors who are not signed in see no optional field:
    "everyone" means every member. Administrators get no exception here; their access to a
    person's data goes through the audited data-rights pages.
    """
    if not viewer.is_authenticated or owner.get("deleted"):
        return False
    if viewer.user_id == owner.get("_id"):
        return True
    if privacy == "everyone":
        return True
    if privacy == "organisation":
        return viewer.org_id is not None and viewer.org_id == owner.get("org_id")
    if privacy == "connections":
        return connected
    return False


def can_view_profile(viewer: Actor, owner: Mapping[str, Any]) -> bool:
    """Name and Karma total of a member are visible to every signed-in member."""
    return viewer.is_authenticated and not owner.get("deleted")


def can_edit_profile(actor: Actor, owner_id: ObjectId) -> bool:
    return actor.is_authenticated and not actor.is_suspended() and actor.user_id == owner_id


def can_endorse(actor: Actor, owner_id: ObjectId) -> bool:
    """Experts endorse other people's competencies, never their own."""
    return (actor.is_authenticated and actor.has(Role.EXPERT) and not actor.is_suspended()
            and actor.user_id != owner_id)


# --- privacy ------------------------------------------------------------------------------


def can_view_personal_data(actor: Actor, person_id: ObjectId) -> bool:
    """A person sees their own data; platform administrators may too, and every such view is audited."""
    return actor.is_authenticated and (actor.user_id == person_id or is_platform_admin(actor))


def can_erase_account(actor: Actor, person_id: ObjectId) -> bool:
    """Only the person asks for their own erasure (DPDP Act 2023, s. 12)."""
    return actor.is_authenticated and actor.user_id == person_id
