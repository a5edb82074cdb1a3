"""Read and change how a person wants each kind of notification delivered.

Only the kinds that features have registered are offered and accepted; the form's model is
built from the registry when first needed, after every feature has registered its kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from community import policy
from community.notifications import queries
from community.notifications.kinds import DEFAULT_DELIVERY, KINDS, Delivery
from community.policy import Actor
from community.storage.api import Database
from community.validation import validate

_models: dict[tuple[str, ...], type[BaseModel]] = {}
"""Per process, not per app: keyed by the kinds registered (at import, the same for every app)."""


def preferences_model() -> type[BaseModel]:
    """One field per registered kind, each defaulting to in-app; unknown names refused."""
    names = tuple(KINDS)
    if names not in _models:
        fields: dict[str, Any] = {kind: (Delivery, DEFAULT_DELIVERY) for kind in names}
        _models[names] = create_model("NotificationPreferences", __config__=ConfigDict(extra="forbid"), **fields)
    return _models[names]


async def preferences_of(db: Database, actor: Actor) -> dict[str, str]:
    """Every registered kind with the actor's choice, the default where they made none."""
    actor = policy.require_member(actor)
    stored = await queries.preferences(db, actor.user_id)
    return {kind: stored.get(kind, DEFAULT_DELIVERY.value) for kind in KINDS}


async def set_preferences(db: Database, actor: Actor, data: Mapping[str, Any]) -> dict[str, str]:
    """Validate and save the whole set at once; a bad value changes nothing (``Invalid``)."""
    actor = policy.require_member(actor)
    chosen = validate(preferences_model(), data)
    kinds = {kind: getattr(chosen, kind).value for kind in KINDS}
    await queries.save_preferences(db, actor.user_id, kinds, datetime.now(UTC))
    return kinds
