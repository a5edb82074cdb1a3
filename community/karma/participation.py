"""Karma Points for taking part in what another feature runs (an event): attending and hosting.

The feature calls these from its own write, with its action, once it knows who attended or
hosted; an award for the same person and subject counts once (the ledger's award key), and
``withdraw_*`` takes it back when the feature corrects itself (attendance corrected by the host).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.actions import Action
from community.karma import service

ATTENDED_REASON = "attended"
HOSTED_REASON = "hosted"
ATTENDED_POINTS = 5
HOSTED_POINTS = 20
"""Hosting is prepared work for many people; attending is an hour of one person's."""


async def award_attended(tx: Action, person_id: ObjectId, subject_type: str, subject_id: Any) -> bool:
    """Points for attending ``subject_id``; returns whether anything was written."""
    return await service.award(tx.db, user_id=person_id, points=ATTENDED_POINTS, reason=ATTENDED_REASON,
                               object_type=subject_type, object_id=subject_id, session=await tx.start())


async def award_hosted(tx: Action, person_id: ObjectId, subject_type: str, subject_id: Any) -> bool:
    """Points for hosting ``subject_id``; returns whether anything was written."""
    return await service.award(tx.db, user_id=person_id, points=HOSTED_POINTS, reason=HOSTED_REASON,
                               object_type=subject_type, object_id=subject_id, session=await tx.start())


async def withdraw_attended(tx: Action, person_id: ObjectId, subject_type: str, subject_id: Any) -> bool:
    """Take back the points for attending; returns whether there were any."""
    return await service.reverse(tx.db, user_id=person_id, reason=ATTENDED_REASON, object_type=subject_type,
                                 object_id=subject_id, session=await tx.start())


async def withdraw_hosted(tx: Action, person_id: ObjectId, subject_type: str, subject_id: Any) -> bool:
    """Take back the points for hosting; returns whether there were any."""
    return await service.reverse(tx.db, user_id=person_id, reason=HOSTED_REASON, object_type=subject_type,
                                 object_id=subject_id, session=await tx.start())
