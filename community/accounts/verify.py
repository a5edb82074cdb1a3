"""Proving an e-mail address with the code sent to it, and asking for a new code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from community import actions, keys, ratelimit
from community.accounts import otp, queries
from community.accounts.people import PEOPLE_INDEX
from community.accounts.sessions import actor_for_user
from community.accounts.mailer import Mailer, send_code
from community.accounts.schemas import VerifyIn
from community.errors import RateLimited
from community.organisations import membership
from community.storage.api import Database

RESENDS_PER_ADDRESS = 20


async def verify_email(app: Mapping[Any, Any], secret: str, data: VerifyIn) -> dict[str, Any]:
    """Mark the address verified, settle the organisation asked for at registration, and return
    the person; raises ``Invalid`` on the code field. The code proves who is acting, so the
    action that follows is the person's own (an administrator told of their request is told
    who asked); the code's tries are counted before it, so a refused code still counts."""
    db = app[keys.DB]
    user = await queries.user_by_email(db, data.email)
    await otp.check(db, secret, user["_id"] if user else None, otp.VERIFY, data.code)
    assert user is not None  # check() refuses every code when there is no such person
    async with actions.begin(app, actor_for_user(user)) as tx:
        await queries.mark_verified(db, user["_id"], session=await tx.start())
        await tx.reindex(PEOPLE_INDEX, user["_id"])
        user["email_verified"] = True
        await membership.on_verified(tx, user)
    return await queries.user_by_id(db, user["_id"]) or user


async def resend(db: Database, mailer: Mailer, secret: str, email: str, ip: str) -> None:
    """Send a fresh code to an unverified account.

    The answer says nothing about whether the address is registered: the throttle (per client
    address, and per e-mail address as strict as the code's own) counts by the text asked for,
    so an unknown address is refused exactly when a registered one would be, and the code's
    own limit, which only a registered address has, is then never what refuses.
    """
    await ratelimit.hit(db, f"resend:address:{ip}", limit=RESENDS_PER_ADDRESS, window_seconds=3600)
    await ratelimit.hit(db, f"resend:minute:{email}", limit=1, window_seconds=int(otp.RESEND_AFTER.total_seconds()))
    await ratelimit.hit(db, f"resend:hour:{email}", limit=otp.SENDS_PER_HOUR, window_seconds=3600)
    user = await queries.user_by_email(db, email)
    if user is None or user.get("email_verified"):
        return
    try:
        code = await otp.issue(db, secret, user["_id"], otp.VERIFY)
    except RateLimited:
        return
    await send_code(mailer, user["email"], code, otp.VERIFY)
