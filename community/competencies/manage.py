"""Administrators' changes to the dictionary: create, replace and delete competencies and positions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from community import policy
from community.competencies import queries
from community.competencies.dictionary import Competency, Position
from community.competencies.seed import competency_document, position_document
from community.errors import Conflict, Invalid, NotFound
from community.i18n import gettext as _
from community.policy import Actor
from community.profiles import queries as profile_queries
from community.storage.api import Database
from community.validation import validate


def _require_admin(actor: Actor) -> None:
    policy.require(actor, policy.can_manage_dictionary(actor), _("Only administrators manage the dictionary."))


async def unknown_requirements(db: Database, position: Position, also_known: set[str] | None = None,
                               session: Any = None) -> list[str]:
    wanted = {item.competency for role in position.roles for activity in role.activities for item in activity.competencies}
    known = await queries.existing_competency_ids(db, wanted, session=session) | (also_known or set())
    return sorted(wanted - known)


async def save_competency(db: Database, actor: Actor, data: Mapping[str, Any], *, creating: bool) -> Competency:
    """Create a competency (``creating``) or replace the stored one with the same id."""
    _require_admin(actor)
    competency = validate(Competency, data)
    exists = await queries.competency(db, competency.id) is not None
    if creating and exists:
        raise Conflict(_("A competency with the id %(id)s already exists.", id=competency.id))
    if not creating and not exists:
        raise NotFound(_("There is no competency %(id)s.", id=competency.id))
    document = competency_document(competency, datetime.now(UTC))
    await db[queries.COMPETENCIES].replace_one({"_id": document["_id"]}, document, upsert=True)
    return competency


async def delete_competency(db: Database, actor: Actor, competency_id: str) -> None:
    """Refused while a position requires it or a member holds it, so nothing is left pointing nowhere."""
    _require_admin(actor)
    if await queries.competency(db, competency_id) is None:
        raise NotFound(_("There is no competency %(id)s.", id=competency_id))
    using = await queries.positions_requiring(db, competency_id)
    if using:
        raise Conflict(_("Positions still require this competency: %(titles)s.",
                         titles=", ".join(row["title"] for row in using)))
    if await profile_queries.anyone_holds(db, competency_id):
        raise Conflict(_("Members still list this competency on their profiles."))
    await db[queries.COMPETENCIES].delete_one({"_id": competency_id})


async def save_position(db: Database, actor: Actor, data: Mapping[str, Any], *, creating: bool) -> Position:
    _require_admin(actor)
    position = validate(Position, data)
    missing = await unknown_requirements(db, position)
    if missing:
        raise Invalid({"roles": _("There is no competency %(id)s in the dictionary.", id=", ".join(missing))})
    exists = await queries.position(db, position.id) is not None
    if creating and exists:
        raise Conflict(_("A position with the id %(id)s already exists.", id=position.id))
    if not creating and not exists:
        raise NotFound(_("There is no position %(id)s.", id=position.id))
    document = position_document(position, datetime.now(UTC))
    await db[queries.POSITIONS].replace_one({"_id": document["_id"]}, document, upsert=True)
    return position


async def delete_position(db: Database, actor: Actor, position_id: str) -> None:
    _require_admin(actor)
    if await queries.position(db, position_id) is None:
        raise NotFound(_("There is no position %(id)s.", id=position_id))
    if await profile_queries.anyone_in_position(db, position_id):
        raise Conflict(_("Members still hold this position on their profiles."))
    await db[queries.POSITIONS].delete_one({"_id": position_id})
