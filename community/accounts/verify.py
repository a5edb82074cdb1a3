"""Proving an e-mail address with the code sent to it, and asking for a new code."""

from __future__ import annotations

from typing import Any

from community.accounts import otp, queries
from community.accounts.mailer import Mailer, send_code
from community.accounts.schemas import VerifyIn
from community.organisations import membership


async def verify_email(db: Any, secret: str, data: VerifyIn, emitter: Any = None) -> dict[str, Any]:
    """Mark the address verified, settle the organisation asked for at registration, and return
    the person; raises ``Invalid`` on the code field."""
    user = await queries.user_by_email(db, data.email)
    await otp.check(db, secret, user["_id"] if user else None, otp.VERIFY, data.code)
    assert user is not None  # check() refuses every code when there is no such person
    await queries.mark_verified(db, user["_id"])
    user["email_verified"] = True
    await membership.on_verified(db, emitter, user)
    return await queries.user_by_id(db, user["_id"]) or user


async def resend(db: Any, mailer: Mailer, secret: str, email: str) -> None:
    """Send a fresh code to an unverified account. Says nothing about whether the address is
    registered; the resend throttle (``RateLimited``) still applies to real accounts."""
    user = await queries.user_by_email(db, email)
    if user is None or user.get("email_verified"):
        return
    code = await otp.issue(db, secret, user["_id"], otp.VERIFY)
    await send_code(mailer, user["email"], code, otp.VERIFY)
