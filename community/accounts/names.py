"""A display name must not pass for a member of staff's: the check that needs the store.

The text rules (normalisation, invisible characters, mark floods) are ``validation.DisplayName``;
here a name is refused when it reads the same (``validation.confusable``) as an administrator's or
moderator's, so nobody can post as "Аdmin" with a Cyrillic А. The staff member's own name is
theirs to keep.
"""

from __future__ import annotations


from bson import ObjectId

from community.accounts import queries
from community.errors import Invalid
from community.i18n import gettext as _
from community.storage.api import Database
from community.validation import confusable


async def check_display_name(db: Database, name: str, *, person_id: ObjectId | None, field: str = "name") -> None:
    """Raise :class:`Invalid` on ``field`` when ``name`` can be mistaken for a staff member's."""
    for staff in await queries.staff_names(db, other_than=person_id):
        if confusable(staff.get("name") or "", name):
            raise Invalid({field: _("This name can be mistaken for an administrator's or a moderator's. "
                                    "Choose a name that is clearly yours.")})
