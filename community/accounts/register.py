"""Registering a new account: checked in full before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import actions, keys, ratelimit
from community.accounts import otp, queries
from community.accounts.names import check_display_name
from community.accounts.mailer import Mailer, send_code, send_message
from community.accounts.passwords import hash_password
from community.accounts.schemas import RegisterIn
from community.errors import Invalid, RateLimited
from community.i18n import gettext as _
from community.organisations import membership, queries as org_queries
from community.policy import ANONYMOUS
from community.storage.api import Database


REGISTRATIONS_PER_ADDRESS = 20


async def register(app: Mapping[Any, Any], mailer: Mailer, secret: str, data: RegisterIn, ip: str) -> str:
    """Create an unverified account, send its verification code and return the address.

    An address that already has an account gets the same answer (so the form cannot tell who
    is registered) and its owner an e-mail saying someone tried; both paths hash the password
    and send one e-mail, so they take the same time. One address may register twenty accounts
    an hour (a training room shares one address; a script does not need more).

    The chosen organisation is only asked for: the account belongs to none until its address is
    verified and the organisation's domain or an administrator admits it (``membership``).
    """
    db = app[keys.DB]
    await ratelimit.hit(db, f"register:address:{ip}", limit=REGISTRATIONS_PER_ADDRESS, window_seconds=3600)
    org = await org_queries.by_id(db, ObjectId(data.org_id))
    if org is None:
        raise Invalid({"org_id": _("Choose one of the offered options.")})
    await check_display_name(db, data.name, person_id=None)
    password_hash = await hash_password(data.password)
    if await db.users.find_one({"email": data.email}, {"_id": 1}) is not None:
        await _tell_the_owner(db, mailer, data.email)
        return data.email
    user: dict[str, Any] = {
        "_id": ObjectId(), "name": data.name, "email": data.email, "email_verified": False, "mobile": data.mobile,
        "org_id": None, "designation": data.designation, "roles": ["officer"], "suspended_until": None,
        "password_hash": password_hash, "created_at": datetime.now(UTC), "deleted": False,
    }
    try:
        await actions.run(app, ANONYMOUS, _create, user, org["_id"])
    except DuplicateKeyError:
        await _tell_the_owner(db, mailer, data.email)
        return data.email
    code = await otp.issue(db, secret, user["_id"], otp.VERIFY)
    await send_code(mailer, user["email"], code, otp.VERIFY)
    return data.email


async def _create(tx: actions.Action, user: dict[str, Any], org_id: ObjectId) -> None:
    """The account and the organisation it asks for, in one transaction: never one without the other."""
    await queries.insert_user(tx.db, user, session=await tx.start())
    await membership.ask_at_registration(tx, user, org_id)


async def _tell_the_owner(db: Database, mailer: Mailer, email: str) -> None:
    """At most one such e-mail an hour, so the form cannot be used to flood someone's mailbox."""
    try:
        await ratelimit.hit(db, f"register:notice:{email}", limit=1, window_seconds=3600)
    except RateLimited:
        return
    await send_message(mailer, email, _("Someone tried to register with your e-mail address"),
                       _("Someone tried to register a new Karmayogi Community account with this e-mail address, "
                         "which already has one.\n\nIf it was you, sign in, or reset your password if you have "
                         "forgotten it. If it was not you, ignore this e-mail; nothing changes."))
