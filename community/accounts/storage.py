"""Accounts' storage facts: people, their sign-in sessions, API tokens and one-time codes, and
the development outbox of mail to them."""

from __future__ import annotations

import secrets

from pymongo import IndexModel

from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts


def _erased_address() -> str:
    """A unique, meaningless address: ``users.email`` is unique, so it cannot simply be emptied."""
    return f"erased-{secrets.token_hex(12)}@erased.invalid"


STORAGE = StorageFacts(collections=(
    Collection("users", label=N_("Account"), indexes=(
        IndexModel([("email", 1)], unique=True),  # sign-in, duplicate registration
        IndexModel([("org_id", 1), ("_id", -1)]),  # an organisation's people, newest first (admin list)
        IndexModel([("roles", 1), ("name", 1), ("_id", 1)]),  # the people holding a role, in name order
    ), personal=(
        Personal("_id", "anonymise", replacements={
            "name": None, "email": _erased_address, "email_verified": False, "mobile": None, "designation": None,
            "password_hash": None, "org_id": None, "roles": ["officer"], "deleted": True,
        }, secret_fields=("password_hash",), purpose=N_("Your account: who you are and how you sign in.")),
    )),
    Collection("sessions", label=N_("Signed-in sessions"), indexes=(IndexModel([("user_id", 1)]), IndexModel([("expires_at", 1)], expireAfterSeconds=0)),
               personal=(Personal("user_id", "delete", secret_fields=("_id",), purpose=N_("Keeping you signed in.")),)),
    Collection("api_tokens", label=N_("API access"), indexes=(IndexModel([("user_id", 1)]), IndexModel([("expires_at", 1)], expireAfterSeconds=0)),
               personal=(Personal("user_id", "delete", secret_fields=("_id", "token_hash", "hash"),
                                  purpose=N_("API access you granted to programs.")),)),
    Collection("one_time_codes", label=N_("Verification and password-reset codes"), indexes=(
        IndexModel([("user_id", 1), ("purpose", 1)], unique=True),  # one live code per person and purpose
        IndexModel([("purge_at", 1)], expireAfterSeconds=0),  # kept a day past expiry to say "expired"
    ), personal=(Personal("user_id", "delete", secret_fields=("code_hash", "hash"),
                          purpose=N_("One-time codes sent to verify your address or reset your password.")),)),
    Collection("dev_outbox", label=N_("E-mail kept on a development server"), indexes=(IndexModel([("at", -1)]),), personal=(
        Personal("to", "delete", key="email",
                 purpose=N_("Messages to you kept on a development server that has no mail service.")),
    )),
))
