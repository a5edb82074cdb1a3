"""The "For you" section of the e-mail digest: suggestions the reader has not been told about,
for people who asked for them on their For-you page."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from community.accounts import people
from community.accounts.sessions import actor_for_user
from community.foryou import queries
from community.foryou.suggest import Suggestion, for_you
from community.i18n import gettext as _, lazy_gettext
from community.notifications.digest import DigestItem, DigestSection
from community.profiles import verification
from community.storage.api import Database

MAX_TOLD = 8
"""New suggestions one digest tells at most; the rest wait for the next one."""


def _told(item: Suggestion) -> DigestItem:
    """A suggestion as the digest tells it, in the current language: an expert who offers
    mentoring in the competency links to their request form with it chosen, as For you does."""
    if item.request_url:
        ask = _("Ask for mentoring at this address:")
        return DigestItem(item.key, f"{item.title}: {item.reason} {ask}", item.request_url)
    return DigestItem(item.key, f"{item.title}: {item.reason}", item.url)


def digest_section(rule: verification.EndorsementRule) -> DigestSection:
    async def items(db: Database, user_id: ObjectId, now: datetime) -> list[DigestItem]:
        person = await people.person_by_id(db, user_id)
        if person is None or person["deleted"]:
            return []
        found = (await for_you(db, actor_for_user(person), rule, now)).suggestions()
        told = await queries.already_sent(db, user_id, [item.key for item in found])
        return [_told(item) for item in found if item.key not in told][:MAX_TOLD]

    async def record(db: Database, user_id: ObjectId, sent: list[DigestItem], now: datetime) -> None:
        await queries.record_sent(db, user_id, [item.key for item in sent], now)

    return DigestSection(heading=lazy_gettext("For you: new suggestions for your competency gap"),
                         readers=queries.digest_readers, items=items, record=record)
