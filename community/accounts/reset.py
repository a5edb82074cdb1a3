"""Resetting a forgotten password with a one-time code sent by e-mail."""

from __future__ import annotations

from typing import Any

from community import ratelimit
from community.accounts import otp, queries
from community.accounts.people import PEOPLE_INDEX
from community.accounts.mailer import Mailer, send_code
from community.accounts.passwords import hash_password
from community.accounts.schemas import ResetIn
from community.errors import RateLimited
from community.actions import Action
from community.realtime.emitter import user_room
from community.storage.api import Database

REQUESTS_PER_ADDRESS = 10


async def request_reset(db: Database, mailer: Mailer, secret: str, email: str, ip: str) -> None:
    """Send a reset code if the account exists. The answer is the same either way, so the
    form cannot be used to find out who is registered; a too-early repeat for a real account
    is ignored for the same reason (the earlier code is still valid)."""
    await ratelimit.hit(db, f"reset:address:{ip}", limit=REQUESTS_PER_ADDRESS, window_seconds=3600)
    user = await queries.user_by_email(db, email)
    if user is None:
        return
    try:
        code = await otp.issue(db, secret, user["_id"], otp.RESET)
    except RateLimited:
        return
    await send_code(mailer, user["email"], code, otp.RESET)


async def reset_password(tx: Action, secret: str, data: ResetIn) -> dict[str, Any]:
    """Set the new password and sign the person out everywhere (whoever knew the old one too), in
    one transaction; their sockets close after it commits. Receiving the code also proves the
    e-mail address. The code's tries are counted first, on their own, so a refused code still counts."""
    db = tx.db
    user = await queries.user_by_email(db, data.email)
    await otp.check(db, secret, user["_id"] if user else None, otp.RESET, data.code)
    assert user is not None  # check() refuses every code when there is no such person
    password_hash = await hash_password(data.password)
    session = await tx.start()
    await queries.set_password_hash(db, user["_id"], password_hash, session=session)
    await queries.mark_verified(db, user["_id"], session=session)
    await tx.reindex(PEOPLE_INDEX, user["_id"])
    await queries.delete_user_sessions(db, user["_id"], session=session)
    await queries.delete_user_tokens(db, user["_id"], session=session)
    tx.hang_up(user_room(user["_id"]))
    return user
