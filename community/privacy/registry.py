"""Where a person's data lives: each feature registers the collections that hold it.

The data-rights services (export and erasure) never guess: they read this registry. A feature
that stores anything about a person calls :func:`register` once at import time, naming the
collection, the field that holds the person's id, and what erasure does there:

- ``"delete"``: the documents are removed (profiles, private messages, applications, sessions);
- ``"anonymise"``: the documents stay (a forum post, a Karma entry) and the listed ``fields`` are
  replaced by the given values, so the post is shown as from a deleted member;
- ``"keep"``: retained unchanged because the law requires it (the audit log); exported, not erased.

``secret_fields`` are never exported (password hashes, session tokens): they are credentials,
not information about the person.
"""

from __future__ import annotations

import dataclasses
import re
import secrets

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bson import ObjectId

from community.forums.writes import reindex_authored

Action = Literal["delete", "anonymise", "keep"]
Key = Literal["id", "email", "id_in_text"]


@dataclass(frozen=True, slots=True)
class PersonalData:
    collection: str
    field: str
    action: Action
    replacements: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """For ``anonymise``: field -> new value; a callable is called with no arguments for a fresh
    value per person (for fields under a unique index)."""
    secret_fields: tuple[str, ...] = ()
    purpose: str = ""
    """Why the data is held, shown in the person's export (DPDP Act 2023, s. 5)."""
    key: Key = "id"
    """What ``field`` holds: the person's id; their e-mail address (mail kept before an account
    exists); or a text key with the id, or ending in the e-mail address, inside it (rate-limit
    counters, which for sign-in count by address before anyone knows whose it is)."""

    def match(self, user_id: ObjectId, email: str | None) -> dict[str, Any] | None:
        """The filter selecting this person's documents, or None when there is nothing to match on."""
        if self.key == "email":
            return {self.field: email} if email else None
        if self.key == "id_in_text":
            pattern = re.escape(str(user_id)) + (f"|:{re.escape(email)}$" if email else "")
            return {self.field: {"$regex": pattern}}
        return {self.field: user_id}


ErasureHook = Callable[[Any, ObjectId, Any], Awaitable[None]]
"""``async def hook(db, user_id, session)`` for erasure steps a collection rule cannot express
(e.g. telling the search index to drop a document)."""

REGISTRY: dict[tuple[str, str], PersonalData] = {}
ERASURE_HOOKS: dict[str, ErasureHook] = {}


def register(collection: str, field: str, action: Action, *, replacements: Mapping[str, Any] | None = None,
             secret_fields: tuple[str, ...] = (), purpose: str = "", key: Key = "id") -> None:
    """Declare that ``collection.field`` holds a person's id (or e-mail address, ``key="email"``).

    Registering the same pair again replaces the earlier rule.
    """
    REGISTRY[(collection, field)] = PersonalData(collection, field, action, dict(replacements or {}),
                                                 secret_fields, purpose, key)


def register_hook(name: str, hook: ErasureHook) -> None:
    ERASURE_HOOKS[name] = hook


def entries() -> list[PersonalData]:
    """Every registered rule; deletions run last so anonymising rules still find their documents."""
    order = {"keep": 0, "anonymise": 1, "delete": 2}
    return sorted(REGISTRY.values(), key=lambda entry: (order[entry.action], entry.collection, entry.field))


def _erased_address() -> str:
    """A unique, meaningless address: ``users.email`` is unique, so it cannot simply be emptied."""
    return f"erased-{secrets.token_hex(12)}@erased.invalid"


# Accounts (issue 3) own these collections; their rules live here so erasure is complete even
# before the accounts package registers anything itself.
register("users", "_id", "anonymise", replacements={
    "name": None, "email": _erased_address, "email_verified": False, "mobile": None, "designation": None,
    "password_hash": None, "org_id": None, "roles": ["officer"], "deleted": True,
}, secret_fields=("password_hash",), purpose="Your account: who you are and how you sign in.")
register("sessions", "user_id", "delete", secret_fields=("_id",), purpose="Keeping you signed in.")
register("api_tokens", "user_id", "delete", secret_fields=("_id", "token_hash", "hash"),
         purpose="API access you granted to programs.")
register("one_time_codes", "user_id", "delete", secret_fields=("code_hash", "hash"),
         purpose="One-time codes sent to verify your address or reset your password.")
register("dev_outbox", "to", "delete", key="email",
         purpose="Messages to you kept on a development server that has no mail service.")
register("audit_log", "target_id", "keep",
         purpose="Administrative actions about you, kept as an accountability record required of the platform.")
register("audit_log", "actor_id", "keep",
         purpose="Administrative actions you took, kept as an accountability record required of the platform.")
register("karma_ledger", "user_id", "anonymise",
         purpose="Karma Points you earned; kept for leaderboard totals, shown as from a deleted member.")
register("karma_totals", "_id", "delete", purpose="The sum of your Karma Points.")
register("connections", "a", "delete", purpose="People you connected with.")
register("connections", "b", "delete", purpose="People who connected with you.")

# Forums (issue 7): posts and threads stay and show "a deleted member"; what only served the
# person (follows, read positions, votes whose ids embed theirs) goes; flags and moderation keep
# their record without saying who acted. Search re-indexes everything the person wrote, so the
# name leaves the forum documents too.
register("forum_posts", "author_id", "anonymise", purpose="Your forum posts, kept so discussions still make sense.")
register("forum_threads", "author_id", "anonymise", purpose="Threads you started.")
register("forum_threads", "last_poster_id", "anonymise", purpose="Threads where you posted last.")
register("forum_revisions", "editor_id", "anonymise", purpose="Earlier versions of posts you edited.")
register("forum_votes", "user_id", "delete", purpose="Your votes on posts.")
register("forum_follows", "user_id", "delete", purpose="Threads and categories you follow.")
register("forum_reads", "user_id", "delete", purpose="How far you have read each thread.")
register("forum_flags", "reporter_id", "anonymise", replacements={"reporter_id": None},
         purpose="Posts you reported to moderators.")
register("forum_flags", "resolved_by", "anonymise", replacements={"resolved_by": None},
         purpose="Reports you resolved as a moderator.")
register("forum_posts", "hidden_by", "anonymise", replacements={"hidden_by": None},
         purpose="Posts you hid as a moderator.")
register("forum_posts", "deleted_by", "anonymise", replacements={"deleted_by": None},
         purpose="Posts you deleted.")
register_hook("search.forums", reindex_authored)

# Notifications (issues 6, 13): the person's own are deleted; in others' notifications about
# something the person did only the reference goes, because the words are rendered when shown
# (from the account as it is then), never stored.
register("notifications", "user_id", "delete", purpose="Your notifications.")
register("notifications", "actor_id", "anonymise", replacements={"actor_id": None},
         purpose="Notifications others received about what you did; they stay, your name goes.")
register("notification_intents", "actor_id", "anonymise", replacements={"actor_id": None},
         purpose="Notifications of what you did that are still being delivered.")
register("notification_preferences", "_id", "delete", purpose="How you chose to be notified.")
register("notification_digests", "_id", "delete", purpose="When your last e-mail digest was sent.")

# Rate-limit counters (community.ratelimit) are keyed by text that may hold the person's id.
register("rate_limits", "_id", "delete", key="id_in_text", purpose="Counters that stop a request being repeated too often.")
