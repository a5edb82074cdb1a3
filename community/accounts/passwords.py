"""Password hashing with argon2id, off the event loop (each hash takes tens of milliseconds)."""

from __future__ import annotations

import asyncio
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()
"""argon2-cffi's defaults are RFC 9106's second recommended argon2id profile (64 MiB, t=3)."""

_DUMMY_HASH = HASHER.hash("an account that does not exist")


def _normalise(password: str) -> bytes:
    """NFC so the same password typed on two keyboards (composed or not) is the same bytes."""
    return unicodedata.normalize("NFC", password).encode()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, _normalise(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification, so a
    sign-in for an unknown e-mail takes as long as one with a wrong password."""

    def check() -> bool:
        try:
            return HASHER.verify(password_hash or _DUMMY_HASH, _normalise(password)) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
