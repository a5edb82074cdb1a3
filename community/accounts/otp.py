"""One-time codes for e-mail verification and password reset.

Six digits, valid for ten minutes, at most five tries, one live code per person and purpose.
Only an HMAC of the code (under the server secret) is stored: a million possible codes are
trivial to brute-force from a plain hash, but not without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from community import ratelimit
from community.accounts import queries
from community.errors import Invalid, RateLimited
from community.i18n import gettext as _
from community.storage.api import Database

VERIFY = "verify"
RESET = "reset"
LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
SENDS_PER_HOUR = 5


def _hash(secret: str, user_id: ObjectId, purpose: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def issue(db: Database, secret: str, user_id: ObjectId, purpose: str, *, now: datetime | None = None) -> str:
    """Make a new code (replacing any earlier one) and return it for sending.

    Raises :class:`RateLimited` when the last code went out less than a minute ago or the
    person has had five codes this hour, so nobody can flood a mailbox through us.
    """
    now = now or datetime.now(UTC)
    previous = await queries.current_code(db, user_id, purpose)
    if previous is not None:
        wait = queries.as_utc(previous["sent_at"]) + RESEND_AFTER - now
        if wait > timedelta(0):
            raise RateLimited(int(wait.total_seconds()) + 1,
                              _("A code was sent a moment ago. Wait a minute before asking for another."))
    await ratelimit.hit(db, f"otp:{purpose}:{user_id}", limit=SENDS_PER_HOUR, window_seconds=3600, now=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    await queries.put_code(db, {
        "user_id": user_id, "purpose": purpose, "code_hash": _hash(secret, user_id, purpose, code),
        "tries": 0, "sent_at": now, "expires_at": now + LIFETIME, "purge_at": now + timedelta(days=1),
    })
    return code


async def check(db: Database, secret: str, user_id: ObjectId | None, purpose: str, code: str, *,
                now: datetime | None = None) -> None:
    """Accept the code (and use it up) or raise :class:`Invalid` on the ``code`` field."""
    now = now or datetime.now(UTC)
    stored = await queries.current_code(db, user_id, purpose) if user_id is not None else None
    if user_id is None or stored is None:
        raise Invalid({"code": _("This code is not right. Check the latest e-mail or ask for a new code.")})
    if queries.as_utc(stored["expires_at"]) <= now:
        raise Invalid({"code": _("This code has expired. Ask for a new one.")})
    spent = await queries.spend_try(db, stored["_id"], MAX_TRIES)
    if spent is None:
        raise Invalid({"code": _("Too many wrong tries. Ask for a new code.")})
    if not hmac.compare_digest(stored["code_hash"], _hash(secret, user_id, purpose, code)):
        left = MAX_TRIES - spent["tries"]
        if left <= 0:
            raise Invalid({"code": _("Too many wrong tries. Ask for a new code.")})
        raise Invalid({"code": _("This code is not right. You have %(n)s more tries.", n=left)})
    if not await queries.delete_code(db, stored["_id"]):
        raise Invalid({"code": _("This code has already been used. Ask for a new one.")})
