"""The certificates' notification: a certificate issued to the reader, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from community.certificates.service import CERTIFICATE_SUBJECT, ISSUED_NOTICE, stands
from community.i18n import gettext as _, lazy_gettext
from community.notifications import kinds
from community.notifications.intents import subject_type
from community.storage.api import Database

kinds.register(ISSUED_NOTICE, label=lazy_gettext("Certificates issued to you"), url=lambda p: "/certificates",
               text=lambda p, actor: _("Your certificate for \u201c%(title)s\u201d is ready to download.",
                                       title=p["title"]))


@subject_type(CERTIFICATE_SUBJECT)
async def _while_it_stands(db: Database, certificate_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Nobody is told of a certificate revoked before the notifier reached it."""
    return people if await stands(db, certificate_id) else []
