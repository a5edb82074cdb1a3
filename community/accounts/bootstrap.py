"""The first administrator: how a new installation gets one, and the command that makes one.

Registration needs an organisation and organisations are made by administrators, so the first
administrator comes from the command line (``run.py make-admin EMAIL``), run by whoever has
the server's shell: it promotes an existing account, or asks for the details and creates a
verified administrator account (and, on an empty store, their ministry).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pydantic import BaseModel, ConfigDict

from community import audit
from community.accounts import queries
from community.accounts.passwords import hash_password
from community.accounts.people import PEOPLE_INDEX
from community.accounts.schemas import Designation, Email, Name, NewPassword, PersonName
from community.config import Settings
from community.errors import Invalid
from community.organisations import queries as org_queries
from community.policy import ANONYMOUS, Role
from community.storage import in_transaction
from community.validation import validate
from search import outbox
from community.storage.api import Database

Ask = Callable[[str, bool], str]
"""``ask(prompt, secret)`` returns what the person typed (``secret``: do not echo it)."""


class AdminDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    email: Email
    organisation: Name
    designation: Designation
    password: NewPassword


def first_run_message(settings: Settings) -> str:
    return "\n".join([
        "",
        "This is a new installation: there are no accounts yet. To become the first administrator:",
        "",
        "  1. In a terminal, run:   .venv/bin/python run.py make-admin you@example.gov.in",
        "     It asks for your name, your ministry, your designation and a password, and creates",
        "     a verified platform administrator account.",
        f"  2. Sign in at {settings.base_url}/login with that e-mail address and password.",
        f"  3. Add ministries, departments and offices at {settings.base_url}/admin/organisations;",
        "     then colleagues can register themselves.",
        "",
        "To see a lively demo community instead, stop the server and start it with",
        "  .venv/bin/python run.py --demo",
        "",
    ])


async def needs_first_admin(db: Database) -> bool:
    return await queries.count_users(db) == 0


def _ask_until_valid(ask: Ask, email: str) -> AdminDetails:
    answers: dict[str, str] = {"email": email}
    prompts = {"name": ("Your full name: ", False), "organisation": ("Your ministry or organisation: ", False),
               "designation": ("Your designation: ", False), "password": ("A password (at least 10 characters): ", True)}
    while True:
        for field, (prompt, secret) in prompts.items():
            if field not in answers:
                answers[field] = ask(prompt, secret)
        try:
            return validate(AdminDetails, answers)
        except Invalid as error:
            if "email" in error.errors:
                raise
            for field, message in error.errors.items():
                print(f"{field}: {message}")
                answers.pop(field, None)


async def make_admin(db: Database, email: str, ask: Ask) -> dict[str, Any]:
    """Make ``email``'s account a platform administrator, creating it when there is none.

    Raises ``Invalid`` (on ``email``) for a malformed address. The change is audited with no
    actor: it was made from the server's command line.
    """
    checked = _email_only(email)
    user = await queries.user_by_email(db, checked)
    if user is None:
        details = _ask_until_valid(ask, checked)
        org = await org_queries.by_name(db, details.organisation)
        if org is None:
            org = {"_id": ObjectId(), "name": details.organisation, "short_name": _initials(details.organisation),
                   "kind": "ministry", "level": "central", "state": None, "parent_id": None, "path": [],
                   "created_at": datetime.now(UTC)}
            await org_queries.insert(db, org)
            await audit.record(db, actor=ANONYMOUS, action="organisation.create", target_type="organisation",
                               target_id=org["_id"], org_id=org["_id"], reason="run.py make-admin",
                               details={"name": org["name"], "kind": "ministry", "level": "central"})
        # Stored unverified, then verified below like any account, so search learns of the person.
        user = {"_id": ObjectId(), "name": details.name, "email": checked, "email_verified": False, "mobile": None,
                "org_id": org["_id"], "designation": details.designation, "roles": ["officer"], "suspended_until": None,
                "password_hash": await hash_password(details.password), "created_at": datetime.now(UTC), "deleted": False}
        await queries.insert_user(db, user)
        await audit.record(db, actor=ANONYMOUS, action="person.create", target_type="user", target_id=user["_id"],
                           org_id=org["_id"], reason="run.py make-admin")

    async def verify_and_grant(session: Any) -> None:
        if not user.get("email_verified"):
            await queries.mark_verified(db, user["_id"], session=session)
            await outbox.record(db, session, PEOPLE_INDEX, user["_id"])
        if await queries.add_role(db, user["_id"], Role.ADMIN.value, session=session):
            await audit.record(db, actor=ANONYMOUS, action="role.grant", target_type="user", target_id=user["_id"],
                               org_id=user.get("org_id"), reason="run.py make-admin", details={"role": Role.ADMIN.value},
                               session=session)

    await in_transaction(db, verify_and_grant)
    return await queries.user_by_id(db, user["_id"]) or user


class _EmailOnly(BaseModel):
    email: Email


def _email_only(email: str) -> str:
    return validate(_EmailOnly, {"email": email}).email


def _initials(name: str) -> str:
    letters = "".join(word[0] for word in name.split() if word[:1].isalpha() and word.lower() not in ("of", "and", "the"))
    return (letters or name)[:30]
