"""The e-mail domains whose verified addresses join an organisation without an administrator.

The rule, stated once: an organisation claims a domain, and that claim covers the domain itself
and every subdomain of it (``meity.gov.in`` covers ``a@meity.gov.in`` and ``a@dit.meity.gov.in``).
There are no other wildcards. A domain is claimed by at most one organisation (its stored form
is the key of ``organisation_domains``). When claims nest (``kerala.gov.in`` by one organisation,
``health.kerala.gov.in`` by another) the most specific claim wins: an address belongs to the
organisation whose claimed domain is the longest suffix of the address's domain.

Domains are stored in their ASCII form (IDNA 2008 with UTS #46 mapping, so ``मंत्रालय.भारत``
is stored as ``xn--...``), lower-case, without a trailing dot. Shared domains that many
organisations' people use (``gov.in``, ``nic.in``, webmail) cannot be claimed, because a claim
would admit all of them to one organisation; their subdomains can.

Only platform administrators change claims: a claim lets people in without a human looking, so
the platform vouches for it.
"""

from __future__ import annotations

import re
from typing import Any

import idna
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from community import audit
from community.actions import Action
from community.errors import Invalid
from community.i18n import gettext as _
from community.organisations import queries
from community.policy import can_manage_organisations, require
from community.storage.api import Database

MAX_DOMAINS = 20
SHARED_DOMAINS = frozenset({
    "gov.in", "nic.in", "ac.in", "edu.in", "res.in", "org.in", "co.in", "net.in", "mil.in", "ernet.in",
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.in", "outlook.com", "hotmail.com", "live.com",
    "rediffmail.com", "icloud.com", "proton.me", "protonmail.com", "zoho.com",
})
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise(raw: str) -> str:
    """The stored form of a domain an administrator typed; ``ValueError`` with the reason when it
    is not one. A leading ``@`` is accepted (people copy it from an address)."""
    value = raw.strip().lower().removeprefix("@").rstrip(".")
    if "*" in value:
        raise ValueError(_("Write the domain without *: every subdomain of it is included."))
    if not value:
        raise ValueError(_("Enter a domain such as ministry.gov.in."))
    try:
        ascii_form = idna.encode(value, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValueError(_("%(domain)s is not a valid domain.", domain=raw.strip()[:80])) from None
    labels = ascii_form.split(".")
    if (len(labels) < 2 or len(ascii_form) > 253 or not all(LABEL.match(label) for label in labels)
            or labels[-1].isdigit()):
        raise ValueError(_("%(domain)s is not a valid domain.", domain=raw.strip()[:80]))
    if ascii_form in SHARED_DOMAINS:
        raise ValueError(_("%(domain)s is shared by many organisations; claim a subdomain of it.", domain=ascii_form))
    return ascii_form


def address_domain(email: str) -> str | None:
    """The ASCII domain of an e-mail address, or None when it has none that IDNA accepts."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    try:
        return idna.encode(domain, uts46=True).decode("ascii") if domain else None
    except (idna.IDNAError, UnicodeError):
        return None


def display(domain: str) -> str:
    """The domain as people read it (``xn--`` labels shown in their own script)."""
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        return domain


def _suffixes(domain: str) -> list[str]:
    labels = domain.split(".")
    return [".".join(labels[start:]) for start in range(len(labels) - 1)]


async def of_organisation(db: Database, org_id: ObjectId) -> list[str]:
    return (await of_organisations(db, [org_id]))[org_id]


async def of_organisations(db: Database, org_ids: list[ObjectId]) -> dict[ObjectId, list[str]]:
    claimed: dict[ObjectId, list[str]] = {org_id: [] for org_id in org_ids}
    for row in await queries.domain_claims(db, org_ids=org_ids):
        claimed[row["org_id"]].append(row["_id"])
    return claimed


async def owner_of_address(db: Database, email: str) -> ObjectId | None:
    """The organisation whose claim covers ``email`` (the most specific claim), or None."""
    domain = address_domain(email)
    if domain is None:
        return None
    claims = await queries.domain_claims(db, domains=_suffixes(domain))
    if not claims:
        return None
    return max(claims, key=lambda claim: len(claim["_id"]))["org_id"]


async def set_domains(tx: Action, org: dict[str, Any], domains: list[str]) -> list[str]:
    """Replace ``org``'s claims with ``domains`` (already normalised); returns the stored list.

    A domain another organisation claims is refused, naming that organisation; nothing is
    written then. The claims and the audit entry are written together."""
    db, actor = tx.db, tx.actor
    require(actor, can_manage_organisations(actor))
    wanted = sorted(set(domains))
    if len(wanted) > MAX_DOMAINS:
        raise Invalid({"domains": _("Claim at most %(n)s domains.", n=MAX_DOMAINS)})
    taken = await queries.domain_claims(db, domains=wanted, not_of=org["_id"])
    if taken:
        await _refuse_taken(db, taken[0])
    current = await of_organisation(db, org["_id"])
    added, removed = [d for d in wanted if d not in current], [d for d in current if d not in wanted]
    if not added and not removed:
        return current
    session = await tx.start()
    try:
        await queries.replace_claims(db, org["_id"], added=added, removed=removed, at=tx.now, session=session)
    except DuplicateKeyError:  # claimed by another organisation between the check and the write
        claims = await queries.domain_claims(db, domains=added, not_of=org["_id"])
        await _refuse_taken(db, claims[0] if claims else {"_id": added[0], "org_id": None})
    await audit.record(db, actor=actor, action="organisation.domains", target_type="organisation",
                       target_id=org["_id"], org_id=org["_id"], details={"added": added, "removed": removed},
                       session=session)
    return wanted


async def _refuse_taken(db: Database, claim: dict[str, Any]) -> None:
    other = await queries.by_id(db, claim["org_id"]) if claim["org_id"] else None
    raise Invalid({"domains": _("%(domain)s is already claimed by %(organisation)s.", domain=claim["_id"],
                                organisation=(other or {}).get("name", "?"))})


