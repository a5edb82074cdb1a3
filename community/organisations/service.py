"""Creating, renaming and removing organisations (MDOs); each change goes to the audit log.

The hierarchy is ministry > department > office. A department sits under a ministry, an office
under a department or directly under a ministry; a child shares its parent's level (central or
state) and State. State governments are organised by departments at the top (Revenue
Department, Government of Kerala), so a state-level department may stand without a parent. ``path`` lists the ancestors' ids, top first, so "everything under X" is one
indexed query on ``path``.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import audit
from community.actions import Action
from community.errors import Conflict, Invalid, NotFound
from community.i18n import gettext as _
from community.organisations import queries
from community.organisations.schemas import OrganisationChange, OrganisationIn
from community.policy import can_manage_organisations, require
from community.storage.api import Database

ALLOWED_PARENTS = {"ministry": (), "department": ("ministry",), "office": ("department", "ministry")}


async def load(db: Database, org_id: ObjectId | str) -> dict[str, Any]:
    if isinstance(org_id, str):
        if not ObjectId.is_valid(org_id):
            raise NotFound(_("This organisation does not exist."))
        org_id = ObjectId(org_id)
    org = await queries.by_id(db, org_id)
    if org is None:
        raise NotFound(_("This organisation does not exist."))
    return org


async def _check_placement(db: Database, data: OrganisationIn) -> dict[str, Any] | None:
    errors: dict[str, str] = {}
    if data.level == "state" and data.state is None:
        errors["state"] = _("Choose the State or Union Territory.")
    if data.level == "central" and data.state is not None:
        errors["state"] = _("A central organisation has no State; leave this empty.")
    parent = None
    if data.parent_id is not None:
        parent = await queries.by_id(db, ObjectId(data.parent_id))
        if parent is None:
            errors["parent_id"] = _("Choose one of the offered options.")
    top_level_ok = not ALLOWED_PARENTS[data.kind] or (data.kind == "department" and data.level == "state")
    if parent is None and "parent_id" not in errors and not top_level_ok:
        errors["parent_id"] = _("A department or office belongs to a parent organisation; choose it.")
    if parent is not None:
        if parent["kind"] not in ALLOWED_PARENTS[data.kind]:
            errors["parent_id"] = _("A ministry has no parent; a department belongs to a ministry; an office to a department or ministry.")
        elif parent["level"] != data.level or parent.get("state") != data.state:
            errors["parent_id"] = _("The parent must be at the same level (central or the same State).")
    if errors:
        raise Invalid(errors)
    return parent


async def create(tx: Action, data: OrganisationIn) -> dict[str, Any]:
    """A new organisation and its audit entry, in one transaction."""
    db, actor = tx.db, tx.actor
    require(actor, can_manage_organisations(actor))
    parent = await _check_placement(db, data)
    org: dict[str, Any] = {
        "_id": ObjectId(), "name": data.name, "short_name": data.short_name, "kind": data.kind, "level": data.level,
        "state": data.state, "parent_id": parent["_id"] if parent else None,
        "path": [*parent["path"], parent["_id"]] if parent else [], "created_at": tx.now,
    }
    session = await tx.start()
    try:
        await queries.insert(db, org, session=session)
    except DuplicateKeyError:
        raise Invalid({"name": _("An organisation with this name already exists here.")}) from None
    await audit.record(db, actor=actor, action="organisation.create", target_type="organisation", target_id=org["_id"],
                       org_id=org["_id"], details={"name": org["name"], "kind": org["kind"], "level": org["level"]},
                       session=session)
    return org


async def change(tx: Action, org_id: ObjectId | str, data: OrganisationChange) -> dict[str, Any]:
    """The changed fields and their audit entry, in one transaction."""
    db, actor = tx.db, tx.actor
    require(actor, can_manage_organisations(actor))
    org = await load(db, org_id)
    changes = {key: value for key, value in data.model_dump().items() if org.get(key) != value}
    if not changes:
        return org
    session = await tx.start()
    try:
        await queries.update(db, org["_id"], changes, session=session)
    except DuplicateKeyError:
        raise Invalid({"name": _("An organisation with this name already exists here.")}) from None
    await audit.record(db, actor=actor, action="organisation.update", target_type="organisation", target_id=org["_id"],
                       org_id=org["_id"], details={"before": {key: org.get(key) for key in changes}, "after": changes},
                       session=session)
    return {**org, **changes}


async def remove(tx: Action, org_id: ObjectId | str) -> None:
    """Only an empty organisation (no sub-organisations, no members, nobody waiting to join) can be
    removed; its domain claims go with it."""
    db, actor = tx.db, tx.actor
    require(actor, can_manage_organisations(actor))
    org = await load(db, org_id)
    if await queries.child_count(db, org["_id"]):
        raise Conflict(_("Remove or move its sub-organisations first."))
    if await queries.member_count(db, org["_id"]):
        raise Conflict(_("People belong to this organisation; it cannot be removed."))
    if await queries.pending_count(db, org["_id"]):
        raise Conflict(_("People are waiting to join this organisation; decide their requests first."))
    session = await tx.start()
    if await queries.delete(db, org["_id"], session=session):
        await queries.drop_claims(db, org["_id"], session)
        await audit.record(db, actor=actor, action="organisation.delete", target_type="organisation",
                           target_id=org["_id"], org_id=org["_id"], details={"name": org["name"]}, session=session)


def tree(orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest organisations under their parents (alphabetical at each level)."""
    nodes = {org["_id"]: {**org, "children": []} for org in orgs}
    roots: list[dict[str, Any]] = []
    for org in orgs:
        node = nodes[org["_id"]]
        parent = nodes.get(org.get("parent_id"))
        (parent["children"] if parent else roots).append(node)
    return roots


def flattened(orgs: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """The tree depth-first with each organisation's depth, for an indented choice list."""
    out: list[tuple[int, dict[str, Any]]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            out.append((depth, node))
            walk(node["children"], depth + 1)

    walk(tree(orgs), 0)
    return out


async def choices(db: Database) -> list[tuple[int, dict[str, Any]]]:
    return flattened(await queries.everything(db))
