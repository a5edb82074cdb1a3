"""The network's storage facts: connections (the collection profile privacy reads), follows of
people, blocks and dismissed suggestions of people you may know. Every one is personal data of both people it names, exported to each and
deleted when either is erased."""

from __future__ import annotations

from pymongo import IndexModel

from community.network.queries import BLOCKS, CONNECTIONS, DISMISSALS, FOLLOWS
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(CONNECTIONS, label=N_("Connections"), indexes=(
        IndexModel([("a", 1), ("status", 1), ("requested_at", -1)]),  # requests sent; connections one way
        IndexModel([("b", 1), ("status", 1), ("requested_at", -1)]),  # requests received; connections the other
        IndexModel([("request_id", 1)], sparse=True),  # whether a notified request still stands
    ), personal=(
        Personal("a", "delete", purpose=N_("Connections you asked for, and your requests still waiting.")),
        Personal("b", "delete", purpose=N_("Connections others asked you for, and their requests waiting for you.")),
    )),
    Collection(FOLLOWS, label=N_("People you follow and who follow you"), indexes=(
        IndexModel([("followed_id", 1), ("at", 1)]),  # followers when a thread is started
        IndexModel([("follower_id", 1), ("at", -1)]),  # whom a person follows
    ), personal=(
        Personal("follower_id", "delete", purpose=N_("People you follow, so their new threads reach you.")),
        Personal("followed_id", "delete", purpose=N_("People who follow you.")),
    )),
    Collection(BLOCKS, label=N_("Blocked people"), indexes=(
        IndexModel([("blocked_id", 1), ("blocker_id", 1)]),  # who blocked a person (mentions, requests)
        IndexModel([("blocker_id", 1), ("at", -1)]),  # a person's blocked list
    ), personal=(
        Personal("blocker_id", "delete", purpose=N_("People you blocked.")),
        Personal("blocked_id", "delete", purpose=N_("That someone blocked you; kept only so they stay undisturbed.")),
    )),
    Collection(DISMISSALS, label=N_("People you may know"), indexes=(
        IndexModel([("user_id", 1), ("at", -1)]),  # whom a person asked not to be suggested again
    ), personal=(
        Personal("user_id", "delete", purpose=N_("People you asked not to be suggested to you again.")),
        Personal("person_id", "delete",
                 purpose=N_("That someone asked not to have you suggested to them again; kept only so you are not.")),
    )),
))
