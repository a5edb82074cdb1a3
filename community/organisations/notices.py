"""The organisations' notification: membership requests and their answers (kind ``membership``).

The stored parameters are the event (``asked``, ``approved``, ``declined``), the organisation
and the reason given; the words are rendered when shown, in the reader's language, with the
asking person's current name (once they are erased, "Deleted member").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community.accounts import queries as accounts
from community.i18n import gettext as _, lazy_gettext
from community.notifications import kinds
from community.notifications.intents import Recipients, recipient_set, subject_type
from community.policy import Role
from community.storage.api import Database

ASKED, APPROVED, DECLINED = "asked", "approved", "declined"


def request_params(event: str, org: Mapping[str, Any], reason: str | None = None) -> dict[str, Any]:
    return {"event": event, "org_id": str(org["_id"]), "organisation": org["name"], "reason": reason or ""}


def _text(params: Mapping[str, Any], actor_name: str) -> str:
    if params["event"] == ASKED:
        return _("%(name)s asked to join %(organisation)s.", name=actor_name or _("Deleted member"),
                 organisation=params["organisation"])
    if params["event"] == APPROVED:
        return _("You are now a member of %(organisation)s.", organisation=params["organisation"])
    if params["reason"]:
        return _("Your request to join %(organisation)s was declined: %(reason)s", organisation=params["organisation"],
                 reason=params["reason"])
    return _("Your request to join %(organisation)s was declined.", organisation=params["organisation"])


def _url(params: Mapping[str, Any]) -> str:
    return f"/admin/organisations/{params['org_id']}/requests" if params["event"] == ASKED else "/account"


kinds.register("membership", label=lazy_gettext("Requests to join your organisation, and answers to yours"),
               text=_text, url=_url)


def administrators(org_id: ObjectId) -> Recipients:
    """The organisation's administrators, or the platform administrators while it has none."""
    return Recipients("organisation.administrators", {"org_id": org_id})


@recipient_set("organisation.administrators")
async def _administrators(db: Database, *, org_id: ObjectId) -> list[ObjectId]:
    return await accounts.ids_with_role(db, Role.MDO_ADMIN.value, org_id) or \
        await accounts.ids_with_role(db, Role.ADMIN.value)


@subject_type("membership_request")
async def _who_sees_request(db: Database, request_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Only the person who asked and those who decide are ever told of a request."""
    return people
