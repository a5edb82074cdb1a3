"""The Network directory: experts, optionally only those who hold a given competency."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.i18n import gettext as _
from community.policy import Actor
from community.profiles import queries
from community.profiles.show import visible_profiles
from community.profiles.verification import EndorsementRule
from community.storage.api import Database


async def experts(db: Database, viewer: Actor, rule: EndorsementRule, *, competency_id: str | None = None,
                  after: str | None = None, limit: int = 30) -> tuple[list[dict[str, Any]], str | None]:
    """A page of experts as the viewer may see them, and the cursor for the next page.

    With a competency, an expert appears only if the viewer may see their competencies: a
    hidden list must not be revealed by a filter either.
    """
    policy.require(viewer, viewer.is_authenticated, _("Sign in to see the expert network."))
    among = None
    if competency_id:
        if not await dictionary.existing_competency_ids(db, [competency_id]):
            raise Invalid({"competency": _("There is no competency %(id)s in the dictionary.", id=competency_id)})
        among = await queries.holders_of(db, competency_id)
    cursor = None
    if after:
        try:
            last = await people.person_by_id(db, ObjectId(after))
        except (InvalidId, TypeError):
            raise Invalid({"after": _("This cursor is not valid; start again from the first page.")}) from None
        if last is not None:
            cursor = (last.get("name") or "", last["_id"])
    rows = await people.experts_page(db, among=among, after=cursor, limit=limit)
    shown = await visible_profiles(db, viewer, [row["_id"] for row in rows], rule)
    if competency_id:
        shown = [person for person in shown
                 if any(item["competency_id"] == competency_id for item in person.get("competencies", []))]
    next_after = str(rows[-1]["_id"]) if len(rows) == limit else None
    return shown, next_after
