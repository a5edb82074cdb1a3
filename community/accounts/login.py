"""Checking a password, throttled so that a stranger's guesses never lock the owner out.

Three limits, from narrow to wide:

- per (address, account) pair, a growing delay: after ``FREE_FAILURES_PER_PAIR`` wrong
  passwords from one address for one account, that pair waits ``FIRST_WAIT_SECONDS``, doubled
  after every further failure (at most ``LONGEST_WAIT_SECONDS``). Only the guesser waits; the
  owner signing in from their own address is not affected.
- per address, ``ATTEMPTS_PER_ADDRESS`` attempts in ``WINDOW_SECONDS`` across all accounts, so
  one address cannot try one password on many accounts.
- per account across all addresses, a generous ceiling (``ACCOUNT_CEILING`` attempts in
  ``WINDOW_SECONDS``) for guessing spread over many addresses. Past it the account is slowed,
  not locked: one attempt every ``SLOW_SECONDS`` still goes through.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from community import ratelimit
from community.accounts import queries
from community.accounts.passwords import hash_password, needs_rehash, verify_password
from community.accounts.schemas import LoginIn
from community.errors import Invalid, RateLimited
from community.i18n import gettext as _
from community.storage.api import Database

WINDOW_SECONDS = 15 * 60
ATTEMPTS_PER_ADDRESS = 30
FREE_FAILURES_PER_PAIR = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 60 * 60
FORGET_FAILURES_SECONDS = 24 * 60 * 60
ACCOUNT_CEILING = 100
SLOW_SECONDS = 10


async def authenticate(db: Database, data: LoginIn, ip: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Return the verified person whose password this is, or raise :class:`Invalid` or
    :class:`RateLimited` (see the module's limits). A successful sign-in forgets the pair's
    failures. Unknown e-mail and wrong password give the same message and take the same time.
    """
    now = now or datetime.now(UTC)
    pair = f"login:pair:{ip}:{data.email}"
    await ratelimit.check_backoff(db, pair, now=now)
    await ratelimit.hit(db, f"login:address:{ip}", limit=ATTEMPTS_PER_ADDRESS, window_seconds=WINDOW_SECONDS, now=now)
    try:
        await ratelimit.hit(db, f"login:account:{data.email}", limit=ACCOUNT_CEILING, window_seconds=WINDOW_SECONDS,
                            now=now)
    except RateLimited:
        await ratelimit.hit(db, f"login:account-slow:{data.email}", limit=1, window_seconds=SLOW_SECONDS, now=now)
    user = await queries.user_by_email(db, data.email)
    if not await verify_password(user.get("password_hash") if user else None, data.password) or user is None:
        await ratelimit.penalise(db, pair, free=FREE_FAILURES_PER_PAIR, base_seconds=FIRST_WAIT_SECONDS,
                                 max_seconds=LONGEST_WAIT_SECONDS, forget_seconds=FORGET_FAILURES_SECONDS, now=now)
        raise Invalid({"password": _("The e-mail address or the password is not right.")})
    if not user.get("email_verified"):
        raise Invalid({"email": _("Verify your e-mail address first: enter the code we sent, or ask for a new one.")})
    await ratelimit.clear(db, pair)
    if needs_rehash(user["password_hash"]):
        await queries.set_password_hash(db, user["_id"], await hash_password(data.password))
    user.pop("password_hash", None)
    return user
