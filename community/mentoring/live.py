"""Mentoring's live events. A request received, answered or withdrawn, a session scheduled, moved
or cancelled, and a mentorship ended, is pushed as ``mentoring:changed`` (``{mentorship_id, status}``) to the rooms of the people the policy
names (``policy.mentorship_live_audience``: the mentor and the mentee), queued on the action so it
leaves only after the commit and never after a rollback. Their /mentoring and /mentoring/<id> pages
(``static/js/mentoring.js``) fetch themselves again when they hear it; without JavaScript a reload
shows the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from community import policy
from community.actions import Action
from community.realtime.emitter import user_room

CHANGED = "mentoring:changed"


def changed(tx: Action, mentorship: Mapping[str, Any], status: str) -> None:
    data = {"mentorship_id": str(mentorship["_id"]), "status": status}
    for person_id in policy.mentorship_live_audience(mentorship):
        tx.emit(CHANGED, data, room=user_room(person_id))
