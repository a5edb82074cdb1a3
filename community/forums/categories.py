"""Create and change categories: a hierarchy, each public or private to one organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import audit, policy
from community.actions import Action
from community.accounts import people
from community.accounts import queries as accounts
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.forums import queries
from community.forums.queries import CATEGORIES
from community.forums.schemas import CategoryIn
from community.i18n import gettext as _
from community.organisations import queries as org_queries
from community.validation import validate
from community.storage.api import Database

MAX_DEPTH = 3


async def _check_references(db: Database, form: CategoryIn, category_id: ObjectId | None) -> list[ObjectId]:
    """The new category's ancestor path; a private category's parent must be public or the same
    organisation's, so a private space never nests inside another organisation's."""
    path: list[ObjectId] = []
    if form.parent_id is not None:
        parent = await queries.category(db, form.parent_id)
        if parent is None or parent["_id"] == category_id or category_id in parent.get("path", []):
            raise Invalid({"parent_id": _("Choose an existing category that is not inside this one.")})
        if parent.get("org_id") not in (None, form.org_id):
            raise Invalid({"parent_id": _("A category can only sit inside a public one or one of its own organisation.")})
        path = [*parent.get("path", []), parent["_id"]]
        if len(path) >= MAX_DEPTH:
            raise Invalid({"parent_id": _("Categories nest at most %(n)s levels deep.", n=MAX_DEPTH)})
    if form.org_id is not None and await org_queries.by_id(db, form.org_id) is None:
        raise Invalid({"org_id": _("This organisation does not exist.")})
    await check_competencies(db, form.competency_tags)
    if form.moderator_ids:
        found = await people.people_by_id(db, form.moderator_ids)
        if len(found) != len(set(form.moderator_ids)):
            raise Invalid({"moderator_ids": _("Every moderator must be an existing member.")})
    return path


async def create_category(tx: Action, data: Mapping[str, Any]) -> dict[str, Any]:
    db, actor = tx.db, tx.actor
    form = validate(CategoryIn, data)
    policy.require(actor, policy.can_manage_categories(actor, form.org_id), _("You cannot create categories here."))
    path = await _check_references(db, form, None)
    category = {
        "_id": ObjectId(), "slug": form.slug, "name": form.name, "description": form.description,
        "parent_id": form.parent_id, "path": path, "org_id": form.org_id, "moderator_ids": form.moderator_ids,
        "competency_tags": form.competency_tags, "position": form.position, "thread_count": 0, "post_count": 0,
        "last_activity_at": None, "created_at": tx.now,
    }

    session = await tx.start()
    try:
        await db[CATEGORIES].insert_one(category, session=session)
    except DuplicateKeyError:
        raise Invalid({"slug": _("Another category already uses this short name.")}) from None
    await audit.record(db, actor=actor, action="forum.category.create", target_type="forum_category",
                       target_id=category["_id"], org_id=form.org_id, details={"slug": form.slug}, session=session)
    return category


async def check_competencies(db: Database, tags: list[str], field: str = "competency_tags") -> None:
    """Every competency tag must name a competency in the dictionary."""
    if not tags:
        return
    known = await dictionary.existing_competency_ids(db, tags)
    unknown = [tag for tag in tags if tag not in known]
    if unknown:
        raise Invalid({field: _("Not in the competency dictionary: %(tags)s", tags=", ".join(unknown))})


MAX_MODERATORS = 20


async def moderators_by_email(db: Database, text: str, field: str = "moderators") -> list[str]:
    """The ids of the members whose e-mail addresses ``text`` lists (separated by commas, spaces
    or lines), for a form where people are named by address rather than by an id."""
    addresses = list(dict.fromkeys(part.lower() for part in text.replace(",", " ").split()))
    if len(addresses) > MAX_MODERATORS:
        raise Invalid({field: _("Name at most %(n)s moderators; you named %(given)s.", n=MAX_MODERATORS,
                                given=len(addresses))})
    found: list[str] = []
    unknown: list[str] = []
    for address in addresses:
        user = await accounts.user_by_email(db, address)
        if user is None:
            unknown.append(address)
        else:
            found.append(str(user["_id"]))
    if unknown:
        raise Invalid({field: _("Nobody here has the address %(emails)s.", emails=", ".join(unknown))})
    return found
