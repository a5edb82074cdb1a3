"""Live rooms' storage facts: everything said in a room, and who was there when.

A person's chat messages, questions, upvotes, raised hands, sanctions and attendance are theirs:
export lists them and erasure deletes them (a question's vote count is an aggregate and stays).
"""

from __future__ import annotations

from pymongo import IndexModel

from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

MESSAGES = "room_messages"
QUESTIONS = "room_questions"
VOTES = "room_question_votes"
HANDS = "room_hands"
SANCTIONS = "room_sanctions"
SETTINGS = "room_settings"
ATTENDANCE = "room_attendance"
CORRECTIONS = "room_attendance_corrections"

_ROOM = [("kind", 1), ("subject_id", 1)]

STORAGE = StorageFacts(collections=(
    Collection(MESSAGES, label=N_("Live rooms"), indexes=(
        IndexModel([*_ROOM, ("_id", 1)]),
        IndexModel([*_ROOM, ("user_id", 1), ("_id", -1)]),  # slow mode: a person's last message here
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("What you said in the chat of live rooms.")),)),
    Collection(QUESTIONS, label=N_("Live rooms"), indexes=(
        IndexModel([*_ROOM, ("votes", -1), ("_id", 1)]),
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("Questions you asked in live rooms.")),)),
    Collection(VOTES, label=N_("Live rooms"), indexes=(
        IndexModel([("question_id", 1), ("user_id", 1)], unique=True),  # one upvote per person
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("Questions you upvoted in live rooms.")),)),
    Collection(HANDS, label=N_("Live rooms"), indexes=(
        IndexModel([*_ROOM, ("user_id", 1)], unique=True),  # one raised hand per person and room
        IndexModel([*_ROOM, ("at", 1)]),
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("Hands you raised in live rooms.")),)),
    Collection(SANCTIONS, label=N_("Live rooms"), indexes=(
        IndexModel([*_ROOM, ("user_id", 1), ("type", 1)], unique=True),
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("A host muting you in, or removing you from, a live room.")),)),
    Collection(SETTINGS),
    Collection(ATTENDANCE, label=N_("Attendance at live events"), indexes=(
        IndexModel([*_ROOM, ("user_id", 1), ("joined_at", 1)]),
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("When you joined and left live rooms, for attendance.")),)),
    Collection(CORRECTIONS, label=N_("Attendance at live events"), indexes=(
        IndexModel([*_ROOM, ("user_id", 1)], unique=True),
        IndexModel([("user_id", 1)]),
    ), personal=(Personal("user_id", "delete", purpose=N_("A host's correction of your attendance.")),)),
))
