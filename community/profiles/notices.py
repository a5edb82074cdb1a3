"""The profiles' notifications: an endorsement, rendered with the expert's current name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community.competencies.names import name_in
from community.i18n import gettext as _, lazy_gettext
from community.notifications import kinds
from community.notifications.intents import subject_type
from community.storage.api import Database


def endorsement_params(user_id: ObjectId, competency_id: str, competency: str, level: int) -> dict[str, Any]:
    return {"user_id": str(user_id), "competency_id": competency_id, "competency": competency, "level": level}


def _endorsement_text(params: Mapping[str, Any], actor_name: str) -> str:
    return _("%(expert)s endorsed your %(competency)s at level %(level)s.", expert=actor_name or _("An expert"),
             competency=name_in(params["competency_id"], params["competency"]), level=params["level"])


kinds.register("endorsement", label=lazy_gettext("Endorsements of your competencies"), text=_endorsement_text,
               url=lambda p: f"/people/{p['user_id']}#competencies")


@subject_type("competency")
async def _who_sees_competency(db: Database, competency_id: str, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """A competency of the dictionary is no secret: everyone told may see it."""
    return people
