"""Organisations' storage facts: the hierarchy, domain claims and membership requests."""

from __future__ import annotations

from pymongo import IndexModel

from community.organisations.queries import DOMAINS, REQUESTS
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection("organisations", indexes=(
        IndexModel([("parent_id", 1), ("name", 1)], unique=True),  # children of one parent; no twin siblings
        IndexModel([("name", 1), ("_id", 1)]),  # the alphabetical API pages
        IndexModel([("path", 1)]),  # everything under an organisation
    )),
    Collection(DOMAINS, indexes=(IndexModel([("org_id", 1), ("_id", 1)]),)),  # an organisation's claims, in order
    Collection(REQUESTS, label=N_("Requests to join an organisation"), indexes=(
        IndexModel([("org_id", 1), ("status", 1), ("_id", 1)]),  # an organisation's queue, oldest first
        IndexModel([("user_id", 1), ("status", 1)]),  # a person's open request
        IndexModel([("decided_by", 1)], sparse=True),  # decisions an administrator made, for export and erasure
    ), personal=(
        Personal("user_id", "delete", purpose=N_("The organisations you asked to join, and the answers.")),
        Personal("decided_by", "anonymise", replacements={"decided_by": None},
                 purpose=N_("Requests to join your organisation that you decided; the decisions stay, your name goes.")),
    )),
))
