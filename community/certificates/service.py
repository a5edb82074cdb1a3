"""Issuing and revoking certificates, inside the caller's transaction.

A feature issues a certificate from its own write (the host confirming attendance), passing its
action: ``await certificates.service.issue(tx, person_id, "event", event_id)``. The caller has
decided that its actor may cause this; the subject's kind decides whether the person may receive
one. A unique index on (person, kind, subject) makes one certificate per person and subject, so
issuing again returns the one already issued. The person is told when theirs is first issued.
The embedded engine runs one writer at a time, so a second issue sees the first; on MongoDB two
first issues for the same pair at once meet the index, and the one that does not commit fails
its action like any conflicting write (``actions.run_once_more_after_a_conflict`` runs it again,
and it then returns the committed one).

What the certificate states (the person's name as they wrote it, and the subject's facts) is
stored when it is issued; the verification code is random (128 bits), so nobody finds a
certificate they were not given.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.actions import Action
from community.certificates.subjects import KINDS
from community.errors import Forbidden, NotFound
from community.i18n import gettext as _
from community.notifications import intents
from community.storage.api import Database
from community.timezones import as_utc as _utc

CERTIFICATES = "certificates"

WITHDRAWN = "withdrawn"
"""Revoked by the feature that issued it (attendance corrected); issuing again restores it."""
ERASED = "erased"
"""Revoked because the person's account was erased; the name is gone and it stays revoked."""

ISSUED_NOTICE = "certificate_issued"
CERTIFICATE_SUBJECT = "certificate"
"""The subject of its notification: the certificate itself (``community.certificates.notices``)."""

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
"""What :func:`new_code` makes: 16 random bytes in URL-safe base64."""


def new_code() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True, slots=True)
class Certificate:
    """One certificate as issued: what the pages, the API and the PDF show."""

    id: ObjectId
    code: str
    person_id: ObjectId
    kind: str
    subject_id: Any
    name: str | None
    """The person's name as they wrote it when it was issued; None once their account is erased."""
    title: str
    held_at: datetime
    hours: float
    host_name: str
    url: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Certificate:
        return cls(id=row["_id"], code=row["code"], person_id=row["person_id"], kind=row["kind"],
                   subject_id=row["subject_id"], name=row.get("name"), title=row["title"],
                   held_at=_utc(row["held_at"]), hours=float(row["hours"]),
                   host_name=row["host_name"], url=row["url"], issued_at=_utc(row["issued_at"]),
                   revoked_at=_utc(row["revoked_at"]) if row.get("revoked_at") else None, revoked_reason=row.get("revoked_reason"))


async def by_code(db: Database, code: str) -> Certificate | None:
    """The certificate with this verification code; None for an unknown or malformed one."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    row = await db[CERTIFICATES].find_one({"code": code})
    return Certificate.from_row(row) if row is not None else None


async def of_person(db: Database, person_id: ObjectId) -> list[Certificate]:
    """A person's certificates, the most recently held first."""
    rows = db[CERTIFICATES].find({"person_id": person_id}, sort=[("held_at", -1), ("_id", -1)])
    return [Certificate.from_row(row) async for row in rows]


async def stands(db: Database, certificate_id: ObjectId) -> bool:
    """Whether the certificate exists and is not revoked."""
    return await db[CERTIFICATES].count_documents({"_id": certificate_id, "revoked_at": None}, limit=1) == 1


async def issue(tx: Action, person_id: ObjectId, kind: str, subject_id: Any) -> Certificate:
    """The person's certificate for the subject: issued now, or the one issued before (restored
    if it had been withdrawn). Raises NotFound for an unknown or erased person or subject, and
    Forbidden when the kind says the person may not receive one (they did not attend)."""
    registered = KINDS.get(kind)
    if registered is None:
        raise LookupError(f"no certificate subject {kind!r} is registered")
    db, session = tx.db, await tx.start()
    person = await people.person_by_id(db, person_id, session=session)
    if person is None or person["deleted"]:
        raise NotFound(_("There is no such member."))
    if not await registered.may_receive(db, person_id, subject_id, session):
        raise Forbidden(_("This member cannot be given a certificate for it."))
    key = {"person_id": person_id, "kind": kind, "subject_id": subject_id}
    existing = await db[CERTIFICATES].find_one(key, session=session)
    if existing is not None:
        if existing.get("revoked_at") is not None:
            await db[CERTIFICATES].update_one({"_id": existing["_id"]},
                                              {"$set": {"revoked_at": None, "revoked_reason": None}}, session=session)
            existing |= {"revoked_at": None, "revoked_reason": None}
        return Certificate.from_row(existing)
    facts = await registered.facts(db, subject_id, session)
    if facts is None:
        raise NotFound(_("We could not find what this certificate would be for."))
    row = {"_id": ObjectId(), "code": new_code(), **key, "name": person["name"], "title": facts.title,
           "held_at": facts.held_at.astimezone(UTC), "hours": facts.hours, "host_name": facts.host_name,
           "url": facts.url, "issued_at": tx.now, "revoked_at": None, "revoked_reason": None}
    await db[CERTIFICATES].insert_one(row, session=session)
    await tx.notify(ISSUED_NOTICE, to=intents.person(person_id), subject=(CERTIFICATE_SUBJECT, row["_id"]),
                    params={"title": facts.title})
    return Certificate.from_row(row)


async def revoke(tx: Action, person_id: ObjectId, kind: str, subject_id: Any) -> bool:
    """Withdraw the person's certificate for the subject (its page then says it was revoked);
    returns whether one was standing."""
    changed = await tx.db[CERTIFICATES].update_one(
        {"person_id": person_id, "kind": kind, "subject_id": subject_id, "revoked_at": None},
        {"$set": {"revoked_at": tx.now, "revoked_reason": WITHDRAWN}}, session=await tx.start())
    return changed.modified_count == 1


async def revoke_erased(db: Database, user_id: ObjectId, session: Any) -> None:
    """Erasure hook: the person's standing certificates are revoked (their rule has removed the name)."""
    await db[CERTIFICATES].update_many({"person_id": user_id, "revoked_at": None},
                                       {"$set": {"revoked_at": datetime.now(UTC), "revoked_reason": ERASED}},
                                       session=session)
