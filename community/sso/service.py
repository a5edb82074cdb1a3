"""Who a provider's ID token is here: an account found by its link, a new member, or an
existing account that the person must first prove is theirs.

- A linked identity (``sso_links``: issuer and ``sub``) signs in its account, whose name,
  organisation and provider-granted roles follow the claims; a change of organisation is
  audited, and moves the person like an approved request does (organisation roles end, sockets
  reconnect into the new organisation's rooms).
- An identity with no link and no account under its e-mail address becomes a new member: the
  address is verified (the provider verified it), the organisation is the mapped one
  (``OIDC_ORG_MAP``), else the one whose domain claims the address, else none; the account and
  its link are one transaction.
- An identity whose address belongs to an existing account is linked only after the person
  enters that account's password once (:func:`link_with_password`): otherwise whoever controls
  an identity at the provider with someone's address would take over their account here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pydantic import TypeAdapter, ValidationError
from pymongo.errors import DuplicateKeyError

from community import actions, audit, keys
from community.accounts import login, queries as accounts, sessions
from community.accounts.names import check_display_name
from community.accounts.people import PEOPLE_INDEX
from community.accounts.schemas import EmailIn, LoginIn
from community.accounts.sessions import actor_for_user
from community.config import SSO_ROLES, OidcSettings
from community.errors import Invalid
from community.i18n import gettext as _
from community.organisations import domains, queries as organisations
from community.organisations.membership import ORGANISATION_ROLES
from community.policy import ANONYMOUS
from community.realtime.emitter import user_room
from community.sso import queries
from community.sso.oidc import Refused
from community.storage.api import Database
from community.validation import DisplayName

PENDING_MINUTES = 15
_NAME: TypeAdapter[str] = TypeAdapter(DisplayName)


@dataclass(frozen=True, slots=True)
class Identity:
    """What the provider says about the person, read through the configured claim names."""

    issuer: str
    subject: str
    email: str
    name: str | None
    org_claim: str | None
    roles: frozenset[str]
    """The server roles the roles claim grants (``OIDC_ROLE_MAP``)."""

    def as_record(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "subject": self.subject, "email": self.email, "name": self.name,
                "org_claim": self.org_claim, "roles": sorted(self.roles)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Identity:
        return cls(issuer=record["issuer"], subject=record["subject"], email=record["email"], name=record["name"],
                   org_claim=record["org_claim"], roles=frozenset(record["roles"]))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def identity(settings: OidcSettings, claims: Mapping[str, Any]) -> Identity:
    """The person the claims describe; refused without a usable e-mail address, or with one the
    provider itself says it has not verified."""
    try:
        email = EmailIn.model_validate({"email": claims.get(settings.email_claim)}).email
    except ValidationError:
        raise Refused(_("The sign-in service did not send your e-mail address, which this server needs.")) from None
    if claims.get("email_verified") is False:
        raise Refused(_("The sign-in service has not verified your e-mail address. Verify it there, then sign in again."))
    try:
        name: str | None = _NAME.validate_python(claims.get(settings.name_claim))
    except ValidationError:
        name = None
    granted = dict(settings.role_map)
    organisation = _strings(claims.get(settings.org_claim))
    return Identity(issuer=settings.issuer, subject=str(claims["sub"]), email=email, name=name,
                    org_claim=organisation[0] if organisation else None,
                    roles=frozenset(granted[role] for role in _strings(claims.get(settings.roles_claim)) if role in granted))


async def mapped_organisation(db: Database, settings: OidcSettings, person: Identity) -> ObjectId | None:
    """The server's organisation that ``OIDC_ORG_MAP`` gives the organisation claim, if any."""
    short_name = dict(settings.org_map).get(person.org_claim or "")
    org = await organisations.by_name(db, short_name) if short_name is not None else None
    return org["_id"] if org is not None else None


async def organisation_for(db: Database, settings: OidcSettings, person: Identity) -> ObjectId | None:
    """A new member's organisation: the mapped one; else the one whose domain claims the address."""
    return await mapped_organisation(db, settings, person) or await domains.owner_of_address(db, person.email)


def _roles(current: list[str], settings: OidcSettings, person: Identity) -> list[str]:
    """The provider decides the roles it may grant (those ``OIDC_ROLE_MAP`` names); the others stay."""
    managed = {ours for _theirs, ours in settings.role_map} & set(SSO_ROLES)
    return sorted((set(current) - managed) | person.roles | {"officer"})


async def _name_or(db: Database, person: Identity, fallback: str | None, person_id: ObjectId | None) -> str | None:
    if person.name is None:
        return fallback
    try:
        await check_display_name(db, person.name, person_id=person_id)
    except Invalid:
        return fallback
    return person.name


async def _create(tx: actions.Action, settings: OidcSettings, person: Identity, org_id: ObjectId | None) -> dict[str, Any]:
    name = await _name_or(tx.db, person, None, None)
    if name is None:
        raise Refused(_("The sign-in service sent a name this server cannot show. Correct your name there, "
                        "then sign in again."))
    user: dict[str, Any] = {
        "_id": ObjectId(), "name": name, "email": person.email, "email_verified": True, "mobile": None,
        "org_id": org_id, "designation": None, "roles": _roles([], settings, person), "suspended_until": None,
        "password_hash": None, "created_at": tx.now, "deleted": False,
    }
    session = await tx.start()
    await accounts.insert_user(tx.db, user, session=session)
    await queries.insert_link(tx.db, {"_id": ObjectId(), "issuer": person.issuer, "subject": person.subject,
                                      "user_id": user["_id"], "linked_at": tx.now}, session=session)
    await tx.reindex(PEOPLE_INDEX, user["_id"])
    return user


async def _refresh(tx: actions.Action, settings: OidcSettings, user: dict[str, Any], person: Identity) -> dict[str, Any]:
    """Bring the account in line with the claims: name, roles, and the organisation (audited).
    ``user`` is the account as stored before this action."""
    db = tx.db
    org_id = await mapped_organisation(db, settings, person)  # an unmapped claim leaves the organisation as it is
    name = await _name_or(db, person, user.get("name"), user["_id"])
    previous = user.get("org_id")
    roles = list(user.get("roles", []))
    session = await tx.start()
    if org_id is not None and org_id != previous:
        dropped = ORGANISATION_ROLES if previous else ()
        await accounts.set_organisation(db, user["_id"], org_id, drop_roles=dropped, session=session)
        roles = [role for role in roles if role not in dropped]
        await audit.record(db, actor=tx.actor, action="membership.sso", target_type="user", target_id=user["_id"],
                           org_id=org_id, details={"previous_org_id": previous, "claim": person.org_claim},
                           session=session)
        tx.hang_up(user_room(user["_id"]))
    else:
        org_id = previous
    roles = _roles(roles, settings, person)
    if name != user.get("name") or roles != sorted(user.get("roles", [])):
        await accounts.set_name_and_roles(db, user["_id"], name=name, roles=roles, session=session)
    if name != user.get("name") or org_id != previous:
        await tx.reindex(PEOPLE_INDEX, user["_id"])
    if roles != sorted(user.get("roles", [])):
        tx.hang_up(user_room(user["_id"]))
    return {**user, "name": name, "roles": roles, "org_id": org_id}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A sign-in's result: the account to sign in, or (``user`` None) a link waiting for the password."""

    user: dict[str, Any] | None


async def sign_in(app: Mapping[Any, Any], person: Identity, browser_hash: str, next_path: str) -> Outcome:
    """The account this identity signs in (created or updated), or a pending link when its
    address is an existing account's."""
    db, settings = app[keys.DB], app[keys.SETTINGS].oidc
    assert settings is not None
    link = await queries.link_of(db, person.issuer, person.subject)
    if link is not None:
        user = await accounts.user_by_id(db, link["user_id"])
        if user is None:
            raise Refused(_("The account linked to your sign-in has been closed."))
        if not user.get("email_verified"):
            raise Refused(_("The account linked to your sign-in cannot be used yet."))
        async with actions.begin(app, actor_for_user(user)) as tx:
            return Outcome(await _refresh(tx, settings, user, person))
    existing = await accounts.user_by_email(db, person.email)
    if existing is not None:
        now = app[keys.CLOCK]()
        await queries.put_pending(db, {"_id": browser_hash, "user_id": existing["_id"], "identity": person.as_record(),
                                       "next": next_path, "created_at": now,
                                       "expires_at": now + timedelta(minutes=PENDING_MINUTES)})
        return Outcome(None)
    org_id = await organisation_for(db, settings, person)
    try:
        async with actions.begin(app, ANONYMOUS) as tx:
            return Outcome(await _create(tx, settings, person, org_id))
    except DuplicateKeyError:
        raise Refused(_("This sign-in was completed in another window meanwhile. Sign in again.")) from None


async def link_with_password(app: Mapping[Any, Any], browser_hash: str, password: str, ip: str) -> tuple[dict[str, Any], str]:
    """Link the waiting identity to its account once the account's password is right; the
    account (updated from the claims) and the return path. The password check is the sign-in
    form's, with its limits; a wrong password raises :class:`Invalid` and links nothing."""
    db, settings = app[keys.DB], app[keys.SETTINGS].oidc
    assert settings is not None
    waiting = await queries.pending(db, browser_hash, app[keys.CLOCK]())
    if waiting is None:
        raise Refused(_("This link has expired or was started in another browser. Sign in again."))
    user = await accounts.user_by_id(db, waiting["user_id"])
    if user is None or user.get("email") is None:
        raise Refused(_("This link has expired or was started in another browser. Sign in again."))
    checked = await login.authenticate(db, LoginIn(email=user["email"], password=password), ip)
    person = Identity.from_record(waiting["identity"])
    try:
        async with actions.begin(app, actor_for_user(checked)) as tx:
            session = await tx.start()
            if not await queries.delete_pending(db, browser_hash, session=session):
                raise Refused(_("This link has expired or was started in another browser. Sign in again."))
            await queries.insert_link(db, {"_id": ObjectId(), "issuer": person.issuer, "subject": person.subject,
                                           "user_id": user["_id"], "linked_at": tx.now}, session=session)
            return await _refresh(tx, settings, checked, person), waiting["next"]
    except DuplicateKeyError:
        raise Refused(_("This account is already linked to another identity of the sign-in service.")) from None


async def waiting_link(db: Database, browser_hash: str, now: datetime) -> dict[str, Any] | None:
    """The link this browser is asked to confirm, with the account's address; None when none waits."""
    waiting = await queries.pending(db, browser_hash, now)
    if waiting is None:
        return None
    user = await accounts.user_by_id(db, waiting["user_id"])
    return None if user is None else {"email": user["email"], "next": waiting["next"]}


async def end_for(app: Mapping[Any, Any], claims: Mapping[str, Any]) -> int:
    """A back-channel logout: end every local session and token of the person the provider
    names (by ``sub``, else by the provider session ``sid``); how many ended."""
    db = app[keys.DB]
    user_ids: list[Any] = []
    if isinstance(claims.get("sub"), str):
        link = await queries.link_of(db, claims["iss"], claims["sub"])
        user_ids = [link["user_id"]] if link is not None else []
    elif isinstance(claims.get("sid"), str):
        user_ids = list(dict.fromkeys(await queries.users_of_provider_session(db, claims["sid"])))
    ended = 0
    for user_id in user_ids:
        async with actions.begin(app, ANONYMOUS) as tx:
            ended += await sessions.end_all(tx, user_id)
            await queries.delete_sso_sessions(db, user_id, session=await tx.start())
    return ended
