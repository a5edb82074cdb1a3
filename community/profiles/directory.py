"""The Network directory: people filtered by competency and level, organisation, state, language,
role and free text, a page at a time however many profiles there are.

Each person has rows in the ``directory`` collection (``rebuild``, run whenever the people search
index learns of a change to them, so the same outbox keeps both): one with an empty competency
for the unfiltered list, and per held competency one for the level held on any evidence and one,
when verified, for the verified level. A row's ``key`` sorts by level (highest first), then name,
then id, so a filter is an index range on (competency, basis, key) and the cursor is the last
key shown: page 10 is one range read, like page 1.

Each card says whether the person is available for mentoring and in what
(``mentoring.availability.offers_among``, one batched read per page): an offer is published to
be found (the profile page shows it to every member), so its topics show even where the card
hides the competencies the person holds.

Privacy: a row keeps, for each filtered field, the person's privacy choice; a row counts as a
match only if the viewer may see every field the filter reads (``policy.can_view_field``), so a
filter never reveals what a card would hide. The cards themselves come from
``show.visible_profiles``.

People you may know (``community.network.suggestions``) read where people work and are posted
from the same rows, the same checks applied: ``placed`` for named people, ``placed_with`` for a
bounded sample of one organisation or state.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from community import policy
from community.accounts import people
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.i18n import gettext as _
from community.mentoring import availability
from community.policy import Actor
from community.network import queries as network
from community.profiles import queries, verification
from community.profiles.fields import privacy_of
from community.profiles.show import endorser_standings, visible_profiles
from community.storage.api import Database
from search.engine import MAX_PER_PAGE, SearchEngine

DIRECTORY = "directory"
ANY, VERIFIED = "any", "verified"
TEXT_MATCHES = MAX_PER_PAGE
"""Free text narrows the directory to the people search index's best this many matches."""
MAX_SCANNED = 2000
"""Rows one request reads at most; a page that hit it is short and its ``next`` goes on from there."""
FILTERED_FIELDS = ("competencies", "organisation", "location", "languages")
LEVEL_LISTENERS: list[Callable[[Database, ObjectId], Awaitable[None]]] = []
"""Called with a person's id after their rows changed (not when a rebuild found them as they
were), for features that keep something worked out from their levels (vacancies keep each
application's match score)."""
HELD_BY_PERSON = 50
"""Up to this many people, ``held_levels`` reads by person; beyond, by competency."""


@dataclass(frozen=True, slots=True)
class Filters:
    competency: str | None = None
    min_level: int | None = None
    basis: str = ANY
    """``any``: the level held on any evidence, declared or verified; ``verified``: verified only."""
    org_id: ObjectId | None = None
    state: str | None = None
    language: str | None = None
    role: str | None = None
    """``expert``, ``officer`` (everyone who is not an expert) or ``None``."""
    mentoring: bool = False
    """Only people available for mentoring (``community.mentoring.availability``): an offer is
    published to be found, so this filter reads no private field."""
    text: str = ""


def _key(level: int, name: str, person_id: ObjectId) -> str:
    """Level 0-5 as one digit (highest first), the name, and the person's id after the last NUL
    (``held_levels`` reads the level and the person back from it)."""
    return f"{5 - level}{name.casefold()}\x00{person_id}"


def rows_for(user: people.Person, profile: dict[str, Any], verified: dict[str, int]) -> list[dict[str, Any]]:
    """A person's directory rows, from their account, profile and the level the endorsement
    rule verifies in each competency (``verification.verify``)."""
    uid, name = user["_id"], user["name"] or ""
    privacy = privacy_of(profile)
    common = {"person_id": uid, "name": name, "org_id": user["org_id"],
              "state": profile.get("state") or None, "languages": list(profile.get("languages") or []),
              "privacy": {field: privacy[field] for field in FILTERED_FIELDS}}
    rows = [{"_id": f"{uid}::{ANY}", "competency": "", "basis": ANY, "level": 0, "verified": False,
             "key": _key(0, name, uid), **common}]
    declared = {item["competency_id"]: item["level"] for item in profile.get("competencies", [])}
    for competency_id in sorted(set(declared) | set(verified)):
        level = verified.get(competency_id) or 0
        best = max(level, declared.get(competency_id, 0))
        if not best:
            continue
        rows.append({"_id": f"{uid}:{competency_id}:{ANY}", "competency": competency_id, "basis": ANY, "level": best,
                     "verified": level >= best, "key": _key(best, name, uid), **common})
        if level:
            rows.append({"_id": f"{uid}:{competency_id}:{VERIFIED}", "competency": competency_id, "basis": VERIFIED,
                         "level": level, "verified": True, "key": _key(level, name, uid), **common})
    return rows


_rule = verification.EndorsementRule(2, 1)
"""The endorsement rule ``rebuild`` builds rows by: the app's (``use_rule``, at start-up), since
the search indexer that calls it has the store alone; pages pass the app's rule to ``search``."""


def use_rule(rule: verification.EndorsementRule) -> None:
    global _rule
    _rule = rule


async def rebuild(db: Database, user_id: ObjectId) -> None:
    """Bring one person's rows in line with storage (none for an unknown or erased account).

    Only rows that differ are written, and ``LEVEL_LISTENERS`` are called only when a row did:
    the search indexer calls this for every change to a person, and most (their Karma Points
    after a vote on their post) leave the rows as they were."""
    user = await people.person_by_id(db, user_id)
    rows: list[dict[str, Any]] = []
    if user is not None and not user["deleted"]:
        evidence = await queries.verified_levels(db, [user_id])
        standings = await endorser_standings(db, evidence)
        verified = {cid: verification.verify(proofs, {endorser: standing for (endorser, c), standing in standings.items()
                                                       if c == cid}, _rule).level or 0
                    for cid, proofs in evidence[user_id].items()}
        rows = rows_for(user, await queries.profile(db, user_id), verified)
    held = {row["_id"]: row async for row in db[DIRECTORY].find({"person_id": user_id})}
    changed = [row for row in rows if held.pop(row["_id"], None) != row]
    if held:
        await db[DIRECTORY].delete_many({"_id": {"$in": list(held)}})
    for row in changed:
        await db[DIRECTORY].replace_one({"_id": row["_id"]}, row, upsert=True)
    if held or changed:
        for listener in LEVEL_LISTENERS:
            await listener(db, user_id)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key a cursor holds; :class:`Invalid` naming ``after`` for anything this module did not make."""
    try:
        key = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        level, rest = key[0], key[1:]
        ObjectId(rest.rsplit("\x00", 1)[1])
        if level not in "012345":
            raise ValueError(level)
    except (binascii.Error, UnicodeDecodeError, ValueError, IndexError, InvalidId):
        raise Invalid({"after": _("This cursor is not valid; start again from the first page.")}) from None
    return key


def _matches(row: dict[str, Any], wanted: Filters) -> bool:
    if wanted.org_id is not None and row["org_id"] != wanted.org_id:
        return False
    if wanted.state is not None and row["state"] != wanted.state:
        return False
    return wanted.language is None or wanted.language in row["languages"]


async def _in_role(db: Database, person_ids: set[ObjectId], role: str | None) -> set[ObjectId]:
    """Those of ``person_ids`` in the role, read from the accounts (a role granted today counts today)."""
    if role is None:
        return person_ids
    found = await people.people_by_id(db, person_ids)
    return {pid for pid, person in found.items() if ("expert" in person["roles"]) == (role == "expert")}


def _read_fields(wanted: Filters) -> list[str]:
    """The profile fields a filter reads: the viewer must be allowed to see each of them."""
    read = [("competencies", wanted.competency), ("organisation", wanted.org_id), ("location", wanted.state),
            ("languages", wanted.language)]
    return [field for field, value in read if value is not None]


async def text_matches(engine: SearchEngine, viewer: Actor, text: str) -> list[ObjectId]:
    """The people the search index finds for ``text`` among the copies the viewer may search."""
    result = await engine.search(people.PEOPLE_INDEX, text, policy.search_visibility(viewer), per_page=TEXT_MATCHES,
                                 highlight=False)
    return [ObjectId(hit.document["person_id"]) for hit in result.hits if ObjectId.is_valid(hit.document.get("person_id"))]


async def search(db: Database, viewer: Actor, wanted: Filters, rule: verification.EndorsementRule, *,
                 engine: SearchEngine | None = None,
                 after: str | None = None, limit: int = 20) -> tuple[list[dict[str, Any]], str | None]:
    """A page of people as the viewer may see them, each with the level that matched, and the
    cursor for the next page (``None`` on the last)."""
    policy.require(viewer, viewer.is_authenticated, _("Sign in to see the network."))
    if wanted.competency and not await dictionary.existing_competency_ids(db, [wanted.competency]):
        raise Invalid({"competency": _("There is no competency %(id)s in the dictionary.", id=wanted.competency)})
    start = decode_cursor(after) if after else None
    query: dict[str, Any] = {"competency": wanted.competency or "", "basis": wanted.basis if wanted.competency else ANY}
    bounds: dict[str, Any] = {}
    if start is not None:
        bounds["$gt"] = start
    if wanted.competency and wanted.min_level:
        bounds["$lt"] = str(6 - wanted.min_level)
    if bounds:
        query["key"] = bounds
    if wanted.text.strip():
        if engine is None:
            raise ValueError("free text needs the search engine")
        query["person_id"] = {"$in": await text_matches(engine, viewer, wanted.text.strip())}
    checked = _read_fields(wanted)
    kept: list[dict[str, Any]] = []
    scanned, last_key, exhausted = 0, start, False
    chunk = max(limit * 2, 40)
    while len(kept) <= limit and scanned < MAX_SCANNED:
        if last_key is not None:
            query["key"] = {**bounds, "$gt": last_key}
        rows = await db[DIRECTORY].find(query).sort("key", 1).limit(chunk).to_list(None)
        scanned += len(rows)
        candidates = await _in_role(db, {row["person_id"] for row in rows if _matches(row, wanted)}, wanted.role)
        if wanted.mentoring:
            candidates = await availability.available_among(db, candidates)
        connected = await network.connected_among(db, viewer.user_id, candidates)
        for row in rows:
            last_key = row["key"]
            if row["person_id"] in candidates and all(
                    policy.can_view_field(viewer, {"_id": row["person_id"], "org_id": row["org_id"]},
                                          row["privacy"][field], row["person_id"] in connected) for field in checked):
                kept.append(row)
                if len(kept) > limit:
                    break
        if len(rows) < chunk:
            exhausted = True
            break
    page = kept[:limit]
    if len(kept) > limit:
        next_key = page[-1]["key"]
    else:
        next_key = None if exhausted or last_key == start else last_key
    shown = {person["id"]: person for person in await visible_profiles(db, viewer, [row["person_id"] for row in page], rule)}
    offers = await availability.offers_among(db, [row["person_id"] for row in page if str(row["person_id"]) in shown])
    topic_names = await dictionary.names_of(db, [cid for offer in offers.values() for cid in offer.topics])
    cards = []
    for row in page:
        person = shown.get(str(row["person_id"]))
        if person is not None:
            offer = offers.get(row["person_id"])
            person["mentoring"] = offer is not None
            person["mentoring_topics"] = [{"id": cid, "name": topic_names[cid]} for cid in (offer.topics if offer else ())
                                          if cid in topic_names]
            if wanted.competency:
                person["match"] = {"competency_id": wanted.competency, "level": row["level"],
                                   "basis": VERIFIED if row["verified"] else "declared"}
            cards.append(person)
    return cards, encode_cursor(next_key) if next_key is not None else None


async def verified_holders(db: Database, viewer: Actor, competency_id: str, min_level: int,
                           limit: int, among: list[ObjectId] | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` people holding the competency verified at ``min_level`` or above whom the
    viewer may see holding it, experts first, then by level (highest first) and name; without
    their cards (``search`` gives those): ``{person_id, name, level, expert, state, languages}``,
    ``state`` and ``languages`` empty unless the viewer may see them. Erased accounts never.
    With ``among``, only those people (one index point each, not the competency's range)."""
    policy.require(viewer, viewer.is_authenticated, _("Sign in to see the network."))
    bound = {"key": {"$lt": str(6 - min_level)}}
    if among is not None:
        rows = await db[DIRECTORY].find({"_id": {"$in": [f"{uid}:{competency_id}:{VERIFIED}" for uid in among]},
                                         **bound}).sort("key", 1).to_list(None)
    else:
        rows = await db[DIRECTORY].find({"competency": competency_id, "basis": VERIFIED,
                                         **bound}).sort("key", 1).limit(limit * 4).to_list(None)
    found = await people.people_by_id(db, {row["person_id"] for row in rows})
    connected = await network.connected_among(db, viewer.user_id, found)
    held = []
    for row in rows:
        person = found.get(row["person_id"])
        if person is None or person["deleted"] or not policy.can_view_profile(viewer, person):
            continue
        owner, linked = {"_id": row["person_id"], "org_id": row["org_id"]}, row["person_id"] in connected

        def sees(field: str, owner: dict[str, Any] = owner, linked: bool = linked, row: dict[str, Any] = row) -> bool:
            return policy.can_view_field(viewer, owner, row["privacy"][field], linked)

        if sees("competencies"):
            held.append({"person_id": row["person_id"], "name": person["name"] or "", "level": row["level"],
                         "expert": "expert" in person["roles"], "state": row["state"] if sees("location") else None,
                         "languages": row["languages"] if sees("languages") else []})
    held.sort(key=lambda holder: not holder["expert"])
    return held[:limit]


async def held_levels(db: Database, person_ids: list[ObjectId],
                      competency_ids: list[str] | None = None) -> dict[ObjectId, dict[str, tuple[int, int]]]:
    """Per person, per competency: ``(verified level, best level held on any evidence)``, read
    from the directory's rows (so the endorsement rule has been applied), optionally only for
    some competencies. Matching people to vacancies reads this.

    For many people and named competencies it reads each competency's range of the
    (competency, basis, key) index and keeps the people asked for: a long ``$in`` of person ids
    is far slower on the embedded engine than a few index ranges. A row's key is made of its
    level and its person (``_key``), so that index holds all this reads of a row and the engine
    answers from its keys alone, without decoding the rows (a covered read)."""
    found: dict[ObjectId, dict[str, tuple[int, int]]] = {}

    def note(person: ObjectId, competency: str, basis: str, level: int) -> None:
        verified, best = found.setdefault(person, {}).get(competency, (0, 0))
        if basis == VERIFIED:
            verified = level
        else:
            best = level
        found[person][competency] = (verified, best)

    if competency_ids is not None and len(person_ids) > HELD_BY_PERSON:
        wanted = {str(person): person for person in person_ids}
        for row in await db[DIRECTORY].find({"competency": {"$in": competency_ids}},
                                            {"_id": 0, "competency": 1, "basis": 1, "key": 1}).to_list(None):
            key = row["key"]
            person = wanted.get(key.rpartition("\x00")[2])
            if person is not None:
                note(person, row["competency"], row["basis"], 5 - int(key[0]))
        return found
    query = {"person_id": {"$in": person_ids},
             "competency": {"$in": competency_ids} if competency_ids is not None else {"$ne": ""}}
    async for row in db[DIRECTORY].find(query, {"person_id": 1, "competency": 1, "basis": 1, "level": 1}):
        note(row["person_id"], row["competency"], row["basis"], row["level"])
    return found


PLACE_FIELDS = {"org_id": "organisation", "state": "location"}
"""A row's field of where a person works or is posted, and the profile field whose privacy covers it."""


def _placed(viewer: Actor, row: dict[str, Any], connected: bool) -> dict[str, Any]:
    owner = {"_id": row["person_id"], "org_id": row["org_id"]}
    shown = {"person_id": row["person_id"]}
    for key, field in PLACE_FIELDS.items():
        visible = policy.can_view_field(viewer, owner, row["privacy"][field], connected)
        shown[key] = row[key] if visible else None
    return shown


_PLACE_PROJECTION = {"person_id": 1, "org_id": 1, "state": 1, "privacy": 1}


async def placed(db: Database, viewer: Actor, person_ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """Where each of the people works and is posted as far as the viewer may see it:
    ``{person_id: {person_id, org_id, state}}``, ``None`` for what is hidden from the viewer or
    not given; people without rows (unknown, erased) are left out. One index point per person."""
    if not person_ids:
        return {}
    rows = await db[DIRECTORY].find({"person_id": {"$in": person_ids}, "competency": "", "basis": ANY},
                                    _PLACE_PROJECTION).to_list(None)
    connected = await network.connected_among(db, viewer.user_id, person_ids)
    return {row["person_id"]: _placed(viewer, row, row["person_id"] in connected) for row in rows}


async def placed_with(db: Database, viewer: Actor, key: str, value: Any, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` people other than the viewer working in the organisation (``key``
    ``org_id``) or posted in the state (``state``) whom the viewer may see there, as ``placed``
    gives them. A sample, not everyone: those whose ids follow the viewer's, wrapping round to
    the first, so each viewer's sample differs and stays the same from one visit to the next;
    read on an (org or state, competency, person) index, never a scan."""
    if viewer.user_id is None or value is None:
        return []
    base = {key: value, "competency": ""}
    rows = await db[DIRECTORY].find({**base, "person_id": {"$gt": viewer.user_id}}, _PLACE_PROJECTION,
                                    sort=[("person_id", 1)], limit=limit).to_list(None)
    if len(rows) < limit:
        rows += await db[DIRECTORY].find({**base, "person_id": {"$lt": viewer.user_id}}, _PLACE_PROJECTION,
                                         sort=[("person_id", 1)], limit=limit - len(rows)).to_list(None)
    ids = [row["person_id"] for row in rows]
    connected = await network.connected_among(db, viewer.user_id, ids)
    shown = [_placed(viewer, row, row["person_id"] in connected) for row in rows]
    return [person for person in shown if person[key] == value]
