"""Granting and revoking roles; allowed or refused by ``policy.can_change_role``, always audited:
the role and its audit entry are written in one transaction, so neither exists without the other."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit
from community.accounts import queries
from community.accounts.schemas import RoleChangeIn
from community.actions import Action
from community.errors import NotFound
from community.i18n import gettext as _
from community.policy import Role, can_change_role, require
from community.storage.api import Database


async def load_person(db: Database, person_id: ObjectId | str) -> dict[str, Any]:
    if isinstance(person_id, str):
        if not ObjectId.is_valid(person_id):
            raise NotFound(_("This person does not exist."))
        person_id = ObjectId(person_id)
    person = await queries.user_by_id(db, person_id)
    if person is None:
        raise NotFound(_("This person does not exist."))
    person.pop("password_hash", None)
    return person


async def change_role(tx: Action, person_id: ObjectId | str, data: RoleChangeIn) -> bool:
    """Return whether anything changed (granting a role someone has is not an error)."""
    db, actor = tx.db, tx.actor
    person = await load_person(db, person_id)
    role = Role(data.role)
    require(actor, can_change_role(actor, person, role), _("You may not change this role for this person."))
    session = await tx.start()
    if data.action == "grant":
        changed = await queries.add_role(db, person["_id"], role.value, session=session)
    else:
        changed = await queries.remove_role(db, person["_id"], role.value, session=session)
    if changed:
        await audit.record(db, actor=actor, action=f"role.{data.action}", target_type="user", target_id=person["_id"],
                           org_id=person.get("org_id"), reason=data.reason, details={"role": role.value},
                           session=session)
    return changed
