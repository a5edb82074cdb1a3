"""Registering a new account: checked in full before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import ratelimit
from community.accounts import otp, queries
from community.accounts.mailer import Mailer, send_code
from community.accounts.passwords import hash_password
from community.accounts.schemas import RegisterIn
from community.errors import Invalid
from community.i18n import gettext as _
from community.organisations import membership, queries as org_queries


REGISTRATIONS_PER_ADDRESS = 20


def _taken() -> Invalid:
    return Invalid({"email": _("An account with this e-mail address already exists. Sign in, or reset your password.")})


async def register(db: Any, mailer: Mailer, secret: str, data: RegisterIn, ip: str) -> dict[str, Any]:
    """Create an unverified account and send its verification code. One address may register
    twenty accounts an hour (a training room shares one address; a script does not need more).

    The chosen organisation is only asked for: the account belongs to none until its address is
    verified and the organisation's domain or an administrator admits it (``membership``)."""
    await ratelimit.hit(db, f"register:address:{ip}", limit=REGISTRATIONS_PER_ADDRESS, window_seconds=3600)
    org = await org_queries.by_id(db, ObjectId(data.org_id))
    if org is None:
        raise Invalid({"org_id": _("Choose one of the offered options.")})
    if await db.users.find_one({"email": data.email}, {"_id": 1}) is not None:
        raise _taken()
    user = {
        "_id": ObjectId(), "name": data.name, "email": data.email, "email_verified": False, "mobile": data.mobile,
        "org_id": None, "designation": data.designation, "roles": ["officer"], "suspended_until": None,
        "password_hash": await hash_password(data.password), "created_at": datetime.now(UTC), "deleted": False,
    }
    try:
        await queries.insert_user(db, user)
    except DuplicateKeyError:
        raise _taken() from None
    await membership.ask_at_registration(db, user, org["_id"])
    code = await otp.issue(db, secret, user["_id"], otp.VERIFY)
    await send_code(mailer, user["email"], code, otp.VERIFY)
    return user
