"""Direct messages' notifications: a new message and a message request. The text names the
sender only (never the message), in the reader's language, and only participants are told."""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from community.i18n import gettext as _, lazy_gettext
from community.messages.queries import CONVERSATIONS
from community.messages.service import SUBJECT
from community.notifications import kinds
from community.notifications.intents import subject_type
from community.storage.api import Database


def _someone(name: str) -> str:
    return name or _("A member")


kinds.register("direct_message", label=lazy_gettext("New direct messages"),
               url=lambda p: f"/messages/{p['conversation_id']}",
               text=lambda p, actor: _("%(person)s sent you a message.", person=_someone(actor)))
kinds.register("message_request", label=lazy_gettext("Message requests"),
               url=lambda p: f"/messages/{p['conversation_id']}",
               text=lambda p, actor: _("%(person)s wants to send you messages.", person=_someone(actor)))


@subject_type(SUBJECT)
async def _participants(db: Database, conversation_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Only people still in the conversation are told of it."""
    found = await db[CONVERSATIONS].find_one({"_id": conversation_id}, {"member_ids": 1})
    inside = set(found["member_ids"]) if found is not None else set()
    return [person for person in people if person in inside]
