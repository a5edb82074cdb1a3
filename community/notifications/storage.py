"""Notifications' storage facts: each person's notifications, the intents still being delivered,
preferences and digest state.

Erasure: the person's own notifications are deleted; in others' notifications about something
the person did only the reference goes, because the words are rendered when shown (from the
account as it is then), never stored.
"""

from __future__ import annotations

from pymongo import IndexModel

from community.notifications.intents import INTENTS
from community.notifications.queries import DIGESTS, NOTIFICATIONS, PREFERENCES
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(NOTIFICATIONS, label=N_("Notifications"), indexes=(
        IndexModel([("user_id", 1), ("read", 1), ("updated_at", -1)]),  # unread count; unread list
        IndexModel([("user_id", 1), ("updated_at", -1), ("_id", -1)]),  # the list, newest activity first
        IndexModel([("open_key", 1)], unique=True, sparse=True),  # one open entry per person, kind and subject
        IndexModel([("digest_pending", 1)], sparse=True),  # the digest job's due work
    ), retired=(
        "open_key_1_intents_1",  # a fold reads its entries by open_key and checks their intents itself
    ), personal=(
        Personal("user_id", "delete", purpose=N_("Your notifications.")),
        Personal("actor_id", "anonymise", replacements={"actor_id": None},
                 purpose=N_("Notifications others received about what you did; they stay, your name goes.")),
        Personal("actors", "anonymise", replacements={"actors": []},
                 purpose=N_("The latest people named in others' grouped notifications; your name goes.")),
    )),
    Collection(INTENTS, label=N_("Notifications"), indexes=(
        IndexModel([("next_attempt_at", 1), ("_id", 1)]),  # the notifier's due intents
        IndexModel([("subject_id", 1), ("kind", 1), ("subject_type", 1), ("attempts", 1),
                    ("next_attempt_at", 1)]),  # due intents alike, delivered together
        IndexModel([("created_at", 1)]),  # readiness: the oldest and the overdue
    ), personal=(
        Personal("actor_id", "anonymise", replacements={"actor_id": None},
                 purpose=N_("Notifications of what you did that are still being delivered.")),
    )),
    Collection(PREFERENCES, label=N_("Notification settings"), personal=(Personal("_id", "delete", purpose=N_("How you chose to be notified.")),)),
    Collection(DIGESTS, label=N_("Notification settings"), personal=(Personal("_id", "delete", purpose=N_("When your last e-mail digest was sent.")),)),
))
