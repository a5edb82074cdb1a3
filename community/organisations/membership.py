"""Membership of an organisation is earned, never declared.

A person's organisation is ``users.org_id`` and nothing else: every permission, search filter,
room, mention list and leaderboard reads that one field (``policy.Actor.org_id``). It is set
only here, in three ways:

1. a **verified** address under a domain the organisation claims (``domains``) joins directly;
2. an administrator of that organisation (or a platform administrator) **approves** a request;
3. (single sign-on's organisation claim, when that arrives, calls :func:`join` the same way).

Anything else is a *request* in ``membership_requests``: ``unverified`` until the person proves
their address, then ``pending`` until decided (``approved``, ``rejected``, or ``withdrawn`` by the
person). While a request is open the person is a member of no organisation they asked for: at
registration ``org_id`` stays None, so they see only public content.

Changing one's organisation follows the same rule. Until the change is approved the person
keeps their present organisation: that membership was earned, and the request grants nothing
new, so keeping it opens nothing; dropping it would only punish people for declaring a
transfer. On approval the move is one write, and roles that belong to the old organisation
(``mdo_admin``) are dropped, so nobody carries administration from one organisation to another.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community import audit, ratelimit
from community.accounts import queries as accounts
from community.accounts.people import PEOPLE_INDEX
from community.actions import Action
from community.errors import Invalid, NotFound
from community.i18n import gettext as _
from community.notifications import intents
from community.organisations import domains, notices, queries
from community.policy import Actor, Role, can_decide_membership, can_request_membership, require
from community.realtime.emitter import user_room
from community.storage.api import Database

REQUESTS_PER_DAY = 5
"""Each request notifies an organisation's administrators, so a person may ask a few times a day."""
ORGANISATION_ROLES = (Role.MDO_ADMIN.value,)
"""Roles that hold only within the person's organisation and end when they move."""


async def _organisation(db: Database, org_id: ObjectId | str, field: str = "org_id") -> dict[str, Any]:
    org = await queries.by_id(db, ObjectId(org_id)) if ObjectId.is_valid(org_id) else None
    if org is None:
        raise Invalid({field: _("Choose one of the offered options.")})
    return org


async def ask_at_registration(tx: Action, user: dict[str, Any], org_id: ObjectId) -> None:
    """Record the organisation a new, unverified account asked for; decided once it is verified."""
    await queries.insert_request(tx.db, {"_id": ObjectId(), "user_id": user["_id"], "org_id": org_id,
                                         "previous_org_id": None, "status": "unverified", "created_at": tx.now},
                                 session=await tx.start())


async def on_verified(tx: Action, user: dict[str, Any]) -> dict[str, Any] | None:
    """The person (the action's actor) has just proved their address: decide their registration's request."""
    request = await queries.open_request(tx.db, user["_id"])
    if request is None or request["status"] != "unverified":
        return request
    return await _settle(tx, user, request)


async def ask_to_change(tx: Action, user: dict[str, Any], org_id: str) -> dict[str, Any]:
    """A signed-in person asks for another organisation; any earlier open request is withdrawn,
    in the same transaction that records (and settles) the new one."""
    db, actor = tx.db, tx.actor
    require(actor, can_request_membership(actor, user["_id"]))
    org = await _organisation(db, org_id)
    if org["_id"] == user.get("org_id"):
        raise Invalid({"org_id": _("You already belong to this organisation.")})
    await ratelimit.hit(db, f"membership:{user['_id']}", limit=REQUESTS_PER_DAY, window_seconds=86400)
    request = {"_id": ObjectId(), "user_id": user["_id"], "org_id": org["_id"], "previous_org_id": user.get("org_id"),
               "status": "unverified", "created_at": tx.now}
    session = await tx.start()
    await queries.withdraw_open(db, user["_id"], tx.now, session=session)
    await queries.insert_request(db, request, session=session)
    return await _settle(tx, user, request)


async def withdraw(tx: Action) -> bool:
    """The person takes back their own open request."""
    require(tx.actor, tx.actor.is_authenticated)
    assert tx.actor.user_id is not None
    return await queries.withdraw_open(tx.db, tx.actor.user_id, tx.now, session=await tx.start()) > 0


async def _settle(tx: Action, user: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """A verified person's request (they are the actor): straight in when their address is under
    the organisation's claim, otherwise waiting for an administrator, who is told."""
    db = tx.db
    if await domains.owner_of_address(db, user["email"]) == request["org_id"]:
        await join(tx, request, via="domain")
        return {**request, "status": "approved", "via": "domain"}
    org = await queries.by_id(db, request["org_id"])
    if await queries.close_request(db, request["_id"], "pending", {"asked_at": tx.now}, from_status=("unverified",),
                                   session=await tx.start()) and org is not None:
        await _tell(tx, notices.administrators(org["_id"]), request, notices.request_params(notices.ASKED, org))
    return {**request, "status": "pending"}


async def join(tx: Action, request: dict[str, Any], *, via: str, reason: str | None = None) -> bool:
    """Make the request's organisation the person's, closing the request; False when it had been
    decided meanwhile. An administrator's approval (``via="administrator"``, the actor deciding)
    is audited and the person told. A person who moves has their sockets closed after the commit:
    the rooms they had joined were the old organisation's, and the reconnect joins the new one's."""
    db, actor = tx.db, tx.actor
    by_administrator = via == "administrator"
    org = await queries.by_id(db, request["org_id"]) if by_administrator else None
    session = await tx.start()
    changes = {"decided_at": tx.now, "decided_by": actor.user_id if by_administrator else None, "via": via,
               "reason": reason}
    if not await queries.close_request(db, request["_id"], "approved", changes, session=session):
        return False
    moving = request.get("previous_org_id") is not None
    await accounts.set_organisation(db, request["user_id"], request["org_id"],
                                    drop_roles=ORGANISATION_ROLES if moving else (), session=session)
    await tx.reindex(PEOPLE_INDEX, request["user_id"])
    if by_administrator:
        await audit.record(db, actor=actor, action="membership.approve", target_type="user",
                           target_id=request["user_id"], org_id=request["org_id"], reason=reason,
                           details={"request_id": request["_id"], "previous_org_id": request.get("previous_org_id")},
                           session=session)
        await _tell_person(tx, request, org, notices.APPROVED, reason)
    if moving:
        tx.hang_up(user_room(request["user_id"]))
    return True


async def load_request(db: Database, request_id: str) -> dict[str, Any]:
    request = await queries.request_by_id(db, ObjectId(request_id)) if ObjectId.is_valid(request_id) else None
    if request is None:
        raise NotFound(_("This membership request does not exist."))
    return request


async def decide(tx: Action, request_id: str, *, approve: bool, reason: str | None) -> dict[str, Any]:
    """Approve or reject a pending request (its organisation's administrators, platform
    administrators; never one's own). Deciding twice is refused, and then nothing is written."""
    request = await load_request(tx.db, request_id)
    require(tx.actor, can_decide_membership(tx.actor, request),
            _("Only this organisation's administrators decide who joins it."))
    if request["status"] != "pending":
        raise Invalid({"request": _("This request has already been decided or withdrawn.")})
    if approve:
        done = await join(tx, request, via="administrator", reason=reason)
    else:
        done = await _reject(tx, request, reason)
    if not done:
        raise Invalid({"request": _("This request has already been decided or withdrawn.")})
    return {**request, "status": "approved" if approve else "rejected", "reason": reason}


async def _reject(tx: Action, request: dict[str, Any], reason: str | None) -> bool:
    db, actor = tx.db, tx.actor
    org = await queries.by_id(db, request["org_id"])
    session = await tx.start()
    changes = {"decided_at": tx.now, "decided_by": actor.user_id, "reason": reason}
    if not await queries.close_request(db, request["_id"], "rejected", changes, from_status=("pending",),
                                       session=session):
        return False
    await audit.record(db, actor=actor, action="membership.reject", target_type="user", target_id=request["user_id"],
                       org_id=request["org_id"], reason=reason, details={"request_id": request["_id"]},
                       session=session)
    await _tell_person(tx, request, org, notices.DECLINED, reason)
    return True


async def queue(db: Database, actor: Actor, org_id: ObjectId, *, after: ObjectId | None, limit: int) -> list[dict[str, Any]]:
    """An organisation's pending requests, each with the person and their present organisation."""
    require(actor, can_decide_membership(actor, {"org_id": org_id}),
            _("Only this organisation's administrators decide who joins it."))
    rows = await queries.pending_page(db, org_id, after=after, limit=limit)
    people = await accounts.users_by_ids(db, [row["user_id"] for row in rows])
    orgs = await queries.names(db, [row["previous_org_id"] for row in rows if row.get("previous_org_id")])
    return [{**row, "person": people.get(row["user_id"], {}), "previous_org_name": orgs.get(row["previous_org_id"]) if row.get("previous_org_id") else None}
            for row in rows]


async def state_of(db: Database, user: dict[str, Any]) -> dict[str, Any] | None:
    """The person's open request with its organisation's name, for their own account page."""
    request = await queries.open_request(db, user["_id"])
    if request is None:
        return None
    org = await queries.by_id(db, request["org_id"])
    return {**request, "org_name": org["name"] if org else ""}


# --- who is told: a notice recorded in the deciding write's transaction ------------------------


async def _tell(tx: Action, to: intents.Recipients, request: dict[str, Any], params: dict[str, Any]) -> None:
    await tx.notify("membership", to=to, subject=("membership_request", request["_id"]), params=params)


async def _tell_person(tx: Action, request: dict[str, Any], org: dict[str, Any] | None, event: str,
                       reason: str | None) -> None:
    if org is not None:
        await _tell(tx, intents.person(request["user_id"]), request, notices.request_params(event, org, reason))
