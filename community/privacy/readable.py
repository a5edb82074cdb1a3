"""A member's data as an administrator reads it on a page: each kind of record under its plain
label, each record's fields named in words, people, organisations and competencies by name,
times in IST. Internal references (ids of threads, sessions, jobs) are left to the JSON download,
which holds every field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.accounts.views import ROLE_LABELS
from community.audit import ACTIONS
from community.competencies import queries as dictionary
from community.i18n import N_
from community.i18n import gettext as _
from community.organisations import queries as organisations
from community.storage.api import Database
from community.timezones import local_time

RECORDS_SHOWN = 50
"""Per kind of record; the rest are counted and left to the download."""

FIELDS: dict[str, str] = {
    "name": N_("Name"), "email": N_("E-mail address"), "mobile": N_("Mobile number"), "designation": N_("Designation"),
    "org_id": N_("Organisation"), "roles": N_("Roles"), "email_verified": N_("E-mail address verified"),
    "locale": N_("Language"), "language": N_("Language"), "bio": N_("About"), "service": N_("Service"),
    "state": N_("State"), "district": N_("District"), "languages": N_("Languages"), "expertise": N_("Expertise"),
    "position_id": N_("Position"), "competencies": N_("Competencies"), "competency_id": N_("Competency"),
    "level": N_("Level"), "source": N_("Source"), "reference": N_("Reference"), "status": N_("Status"),
    "note": N_("Note"), "title": N_("Title"), "body": N_("Text"), "text": N_("Text"), "subject": N_("Subject"),
    "statement": N_("Statement"), "reason": N_("Reason"), "points": N_("Points"), "votes": N_("Votes"),
    "number": N_("Number"), "user_agent": N_("Browser"), "ip": N_("Network address"), "purpose": N_("Purpose"),
    "kind": N_("Kind"), "a": N_("Asked by"), "b": N_("Asked of"), "author_id": N_("Author"),
    "endorser_id": N_("Endorsed by"), "recorded_by": N_("Recorded by"), "follower_id": N_("Follower"),
    "followed_id": N_("Followed"), "blocker_id": N_("Blocked by"), "blocked_id": N_("Blocked"),
    "actor_id": N_("By"), "host_id": N_("Host"), "to": N_("To"), "action": N_("Action"),
    "created_at": N_("Created"), "updated_at": N_("Updated"), "at": N_("When"), "edited_at": N_("Edited"),
    "expires_at": N_("Expires"), "start_at": N_("Starts"), "end_at": N_("Ends"), "joined_at": N_("Joined"),
    "left_at": N_("Left"), "decided_at": N_("Decided"), "issued_at": N_("Issued"), "attended": N_("Attended"),
    "hidden": N_("Hidden"), "deleted": N_("Deleted"),
}
"""The fields the page shows, in words; any other field is an internal one, kept for the download."""

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
COMPETENCY = re.compile(r"^(beh|fun|dom)(\.[a-z0-9]+(-[a-z0-9]+)*)+$")


@dataclass(frozen=True, slots=True)
class Kind:
    label: str
    purposes: list[str]
    records: list[list[tuple[str, str]]]
    """Each shown record as (field, value) pairs in words."""
    more: int
    """Records of this kind not shown (see :data:`RECORDS_SHOWN`)."""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


class _Names:
    """People, organisations and competencies named in the data, looked up once."""

    def __init__(self, found: dict[str, str]) -> None:
        self.found = found

    @classmethod
    async def load(cls, db: Database, data: dict[str, Any]) -> _Names:
        texts = set(_strings(data["collections"]))
        ids = [ObjectId(text) for text in texts if ObjectId.is_valid(text) and len(text) == 24]
        found: dict[str, str] = {str(key): name for key, name in (await people.names_by_id(db, ids)).items() if name}
        found.update({str(key): name for key, name in (await organisations.names(db, ids)).items()})
        found.update(await dictionary.names_of(db, [text for text in texts if COMPETENCY.match(text)]))
        return cls(found)

    def value(self, value: Any) -> str | None:
        """The value in words, or None for an internal one (an id nobody reads, a token)."""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            if value in self.found:
                return self.found[value]
            if ObjectId.is_valid(value) and len(value) == 24:
                return None
            if TIME.match(value):
                return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
            return value
        if isinstance(value, dict) and "base64" in value:
            return _("A file")
        if isinstance(value, dict):
            shown = [f"{_(FIELDS[key])}: {text}" for key, item in value.items()
                     if key in FIELDS and (text := self.value(item)) is not None]
            return "; ".join(shown) or None
        if isinstance(value, list):
            parts = [text for item in value if (text := self.value(item)) is not None]
            return (" · " if any(isinstance(item, dict) for item in value) else ", ").join(parts) or None
        return None


def _coded(key: str, value: Any) -> str | None:
    """A stored code in words: an audited action, a person's roles."""
    if key == "action" and isinstance(value, str) and value in ACTIONS:
        return _(ACTIONS[value])
    if key == "roles" and isinstance(value, list):
        return ", ".join(str(ROLE_LABELS.get(role, role)) for role in value)
    return None


async def readable(db: Database, data: dict[str, Any]) -> list[Kind]:
    """``data`` (an export from ``community.privacy.export``) grouped by kind, in words."""
    names = await _Names.load(db, data)
    grouped: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
    for section in data["collections"].values():
        purposes, documents = grouped.setdefault(section["label"], ([], []))
        purposes.extend(purpose for purpose in section["purposes"] if purpose not in purposes)
        documents.extend(section["documents"])
    kinds = []
    for label, (purposes, documents) in grouped.items():
        records = [[(_(FIELDS[key]), text) for key, value in document.items()
                    if key in FIELDS and (text := _coded(key, value) or names.value(value)) not in (None, "")]
                   for document in documents[:RECORDS_SHOWN]]
        kinds.append(Kind(label=_(label), purposes=[_(purpose) for purpose in purposes], records=records,
                          more=max(0, len(documents) - RECORDS_SHOWN)))
    return sorted(kinds, key=lambda kind: kind.label)
