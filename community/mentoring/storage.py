"""Mentoring's storage facts. An offer and its monthly places are the expert's; a mentorship is
personal data of both people in it, exported to each and deleted when either is erased (its
conversation is the messages feature's, which erasure handles there). What the two wrote to each
other (goal, notes, sessions' places, feedback) is shown to the person alone, never in an
administrator's audited view of their data."""

from __future__ import annotations

from pymongo import IndexModel

from community.i18n import N_
from community.mentoring.queries import MENTORSHIPS, OFFERS, PLACES
from community.storage.facts import Collection, Personal, StorageFacts

PRIVATE = ("goal", "note", "sessions", "feedback")

STORAGE = StorageFacts(collections=(
    Collection(OFFERS, label=N_("Your mentoring offer"), indexes=(
        IndexModel([("open", 1)]),  # who is available for mentoring
        IndexModel([("competencies", 1), ("open", 1)]),  # who offers mentoring in a competency
    ), personal=(
        Personal("_id", "delete", purpose=N_("The topics, offer and availability you publish as a mentor.")),
    )),
    Collection(MENTORSHIPS, label=N_("Mentorships"), indexes=(
        IndexModel([("open_key", 1)], unique=True, sparse=True),  # one open mentorship per mentee and mentor
        IndexModel([("mentor_id", 1), ("status", 1), ("requested_at", -1)]),  # a mentor's requests and mentees
        IndexModel([("mentee_id", 1), ("status", 1), ("requested_at", -1)]),  # a mentee's mentorships
    ), personal=(
        Personal("mentor_id", "delete", purpose=N_("Mentorships you give: requests, sessions and feedback."),
                 private_fields=PRIVATE),
        Personal("mentee_id", "delete", purpose=N_("Mentorships you asked for: your goal, sessions and feedback."),
                 private_fields=PRIVATE),
    )),
    Collection(PLACES, label=N_("Your mentoring offer"), indexes=(
        IndexModel([("mentor_id", 1)]),  # erasure, export
    ), personal=(
        Personal("mentor_id", "delete", purpose=N_("How many mentees you took each month, so your cap holds.")),
    )),
))
