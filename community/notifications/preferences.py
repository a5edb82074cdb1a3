"""Read and change how a person wants each kind of notification delivered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from community import policy
from community.notifications import queries
from community.notifications.kinds import DEFAULT_DELIVERY, KINDS
from community.notifications.schemas import PreferencesIn
from community.policy import Actor
from community.validation import validate


async def preferences_of(db: Any, actor: Actor) -> dict[str, str]:
    """Every known kind with the actor's choice, the default where they made none."""
    policy.require(actor, actor.is_authenticated)
    stored = await queries.preferences(db, actor.user_id)
    return {kind: stored.get(kind, DEFAULT_DELIVERY.value) for kind in KINDS}


async def set_preferences(db: Any, actor: Actor, data: Mapping[str, Any]) -> dict[str, str]:
    """Validate and save the whole set at once; a bad value changes nothing (``Invalid``)."""
    policy.require(actor, actor.is_authenticated)
    chosen = validate(PreferencesIn, data)
    kinds = {kind: getattr(chosen, kind).value for kind in KINDS}
    await queries.save_preferences(db, actor.user_id, kinds, datetime.now(UTC))
    return kinds
