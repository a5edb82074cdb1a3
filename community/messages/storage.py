"""Direct messages' storage facts. Conversations, memberships and messages are personal data of
the people in them: a person's export holds their conversations and what they wrote (an
administrator's audited view of their data leaves the words out, ``private_fields``); erasure
deletes their memberships and settings, empties their messages (which stay as "deleted" so the
replies around them keep their place) and takes them out of every conversation."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import IndexModel

from community.messages.queries import CONVERSATIONS, MEMBERS, MESSAGES, REPORTS, SETTINGS
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts


async def _leave_every_conversation(db: Any, user_id: ObjectId, session: Any) -> None:
    """Take the person out of the conversations they were in; a direct one loses its pair key,
    which was computed from both ids."""
    await db[CONVERSATIONS].update_many({"member_ids": user_id, "kind": "direct"}, {"$unset": {"pair": ""}},
                                        session=session)
    await db[CONVERSATIONS].update_many({"member_ids": user_id}, {"$pull": {"member_ids": user_id}}, session=session)


STORAGE = StorageFacts(collections=(
    Collection(CONVERSATIONS, label=N_("Direct messages"), indexes=(
        IndexModel([("pair", 1)], unique=True, sparse=True),  # two people's one direct conversation
        IndexModel([("member_ids", 1)]),  # erasure, export
    ), personal=(
        # Taken out by the erasure hook below (an update of the list, which a rule cannot express).
        Personal("member_ids", "anonymise", purpose=N_("The conversations you are in."), private_fields=("title",)),
        Personal("created_by", "anonymise", purpose=N_("Conversations you started."), private_fields=("title",),
                 replacements={"created_by": None}),
    )),
    Collection(MEMBERS, label=N_("Direct messages"), indexes=(
        IndexModel([("user_id", 1), ("state", 1), ("last_at", -1), ("_id", -1)]),  # a person's list
        IndexModel([("conversation_id", 1)]),  # the participants of a conversation
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Your place in each conversation: unread count and what you have read.")),
    )),
    Collection(MESSAGES, label=N_("Direct messages"), indexes=(
        IndexModel([("conversation_id", 1), ("created_at", -1), ("_id", -1)]),  # a conversation's pages
        IndexModel([("author_id", 1)]),  # erasure, export
    ), personal=(
        Personal("author_id", "anonymise", purpose=N_("The messages you sent."), private_fields=("body", "html"),
                 replacements={"author_id": None, "body": "", "html": "", "deleted": True}),
    )),
    Collection(REPORTS, label=N_("Reports of direct messages"), indexes=(
        IndexModel([("status", 1), ("created_at", -1)]),  # the moderators' queue
        IndexModel([("message_id", 1), ("reporter_id", 1)]),  # one open report per person and message
    ), personal=(
        Personal("reporter_id", "anonymise", purpose=N_("Messages you reported to the moderators."),
                 replacements={"reporter_id": None}),
        Personal("closed_by", "anonymise", purpose=N_("Reports you closed as a moderator."), replacements={"closed_by": None}),
    )),
    Collection(SETTINGS, label=N_("Direct messages"), personal=(
        Personal("_id", "delete", purpose=N_("Whether you show and see read receipts.")),
    )),
), erasure_hooks=(_leave_every_conversation,))
