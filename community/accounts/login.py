"""Checking a password, throttled per account and per address."""

from __future__ import annotations

from typing import Any

from community import ratelimit
from community.accounts import queries
from community.accounts.passwords import hash_password, needs_rehash, verify_password
from community.accounts.schemas import LoginIn
from community.errors import Invalid
from community.i18n import gettext as _

WINDOW_SECONDS = 15 * 60
ATTEMPTS_PER_ACCOUNT = 5
ATTEMPTS_PER_ADDRESS = 30


async def authenticate(db: Any, data: LoginIn, ip: str) -> dict[str, Any]:
    """Return the verified person whose password this is, or raise.

    ``RateLimited`` after five tries on one account or thirty from one address in fifteen
    minutes; a successful sign-in clears the account's count. Unknown e-mail and wrong
    password give the same message and take the same time.
    """
    await ratelimit.hit(db, f"login:address:{ip}", limit=ATTEMPTS_PER_ADDRESS, window_seconds=WINDOW_SECONDS)
    await ratelimit.hit(db, f"login:account:{data.email}", limit=ATTEMPTS_PER_ACCOUNT, window_seconds=WINDOW_SECONDS)
    user = await queries.user_by_email(db, data.email)
    if not await verify_password(user.get("password_hash") if user else None, data.password) or user is None:
        raise Invalid({"password": _("The e-mail address or the password is not right.")})
    if not user.get("email_verified"):
        raise Invalid({"email": _("Verify your e-mail address first: enter the code we sent, or ask for a new one.")})
    await ratelimit.clear(db, f"login:account:{data.email}", window_seconds=WINDOW_SECONDS)
    if needs_rehash(user["password_hash"]):
        await queries.set_password_hash(db, user["_id"], await hash_password(data.password))
    user.pop("password_hash", None)
    return user
