"""Who reads a person's data, and the audit trail when it is not the person themselves."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit, policy, ratelimit
from community.accounts import people
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.policy import Actor
from community.privacy.erase import erase_person
from community.privacy.export import personal_data
from community.storage.api import Database


EXPORTS_PER_HOUR = 60
"""An export reads every collection about a person; this bounds what one account can make the server do."""


async def data_of(db: Database, actor: Actor, person_id: ObjectId, *, reason: str | None = None) -> dict[str, Any]:
    """The person's full export. An administrator's view of someone else's data is audited first,
    so a failure after the read can never leave an unrecorded view."""
    policy.require(actor, policy.can_view_personal_data(actor, person_id), _("You can only see your own data."))
    await ratelimit.hit(db, f"personal-data:{actor.user_id}", limit=EXPORTS_PER_HOUR, window_seconds=3600)
    person = await people.person_by_id(db, person_id)
    if person is None:
        raise NotFound(_("There is no such member."))
    if actor.user_id != person_id:
        await audit.record(db, actor=actor, action="privacy.view_personal_data", target_type="user",
                           target_id=person_id, org_id=person["org_id"], reason=reason)
    return await personal_data(db, person_id, own=actor.user_id == person_id)


async def erase_own_account(db: Database, actor: Actor, person_id: ObjectId, confirmation: str) -> dict[str, int]:
    """Erase at the person's own request; they confirm by typing their e-mail address."""
    policy.require(actor, policy.can_erase_account(actor, person_id), _("Only you can ask for your account to be erased."))
    email = await people.email_of(db, person_id)
    if email is None:
        raise NotFound(_("There is no such member."))
    if confirmation.strip().casefold() != email.casefold():
        raise Invalid({"confirm": _("Type your e-mail address exactly to confirm.")})
    return await erase_person(db, person_id, actor=actor)
