"""People you may know: who a member might want to connect with, each with why.

Four signals, each read through its owner's public reads and each bounded, so one person's
suggestions cost the same with 1,000 profiles or 100,000 (never a scan of the profiles):

- shared connections: the people connected with the member's ``FRIENDS_ASKED`` latest
  connections (at most ``FRIENDS_OF_FRIENDS`` rows each way), counted per person;
- shared threads: who else posted in the threads the member posted in lately
  (``forums.reads.thread_companions``, which keeps to threads the member may still read);
- the same organisation and the same state: a sample of ``PLACE_SAMPLE`` people each
  (``profiles.directory.placed_with``), only where the member may see that field of theirs.

The four reads run at once. The ``SCORED`` best by those signals have where they work and are
posted read (``profiles.directory.placed``, for those the samples did not bring), so an
organisation or state the member may not see never shows in a reason nor counts; then anyone
the member is connected with or has a request waiting with either way, anyone across a block,
erased accounts and those the member dismissed are left out (``policy.can_suggest_person``),
and the rest are ranked. Every reason is said in
the reader's language: "3 shared connections", "Also in Ministry of Finance", "Replied in the
same 2 threads as you", "Also posted in Kerala".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from community import policy, ratelimit
from community.accounts import people
from community.actions import Action
from community.errors import NotFound
from community.forums import reads as forums
from community.i18n import gettext as _, ngettext
from community.network import queries
from community.organisations import queries as organisations
from community.policy import Actor, Member
from community.profiles import directory
from community.storage.api import Database

FRIENDS_ASKED = 30
"""Whose connections count towards shared connections: the member's this many latest."""
FRIENDS_OF_FRIENDS = 2000
"""Rows of those connections read at most, each way."""
PLACE_SAMPLE = 30
"""People of the member's organisation, and of their state, looked at (each). This and
``FRIENDS_ASKED`` keep those reads to at most 32 rows in an index's order, which the embedded
engine answers on the event loop without a reader thread's round trip (``storage.runtime.INLINE_ROWS``)."""
SCORED = 100
"""Candidates, the best by what is known before reading where they are, that are read and ranked."""
PAGE_SIZE = 20
"""The suggestions page shows this many; the Network page's section fewer."""
DISMISSALS_PER_HOUR = 200

UNPLACED = {"org_id": None, "state": None}
"""Where someone without directory rows yet (their profile not indexed) is, as far as anyone sees."""

WEIGHTS = {"connections": 3, "threads": 2, "organisation": 2, "state": 1}
"""What each shared connection, each shared thread, the same organisation and the same state add."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: ObjectId
    name: str
    designation: str | None
    reasons: list[str]
    """Why, in the reader's language, the strongest first."""
    score: int


@dataclass(slots=True)
class _Signals:
    connections: int = 0
    threads: int = 0
    organisation: bool = False
    state: bool = False

    @property
    def score(self) -> int:
        return (WEIGHTS["connections"] * self.connections + WEIGHTS["threads"] * self.threads
                + WEIGHTS["organisation"] * self.organisation + WEIGHTS["state"] * self.state)


def reasons(signals: _Signals, organisation: str | None, state: str | None) -> list[str]:
    said = []
    if signals.connections:
        said.append(ngettext("%(num)s shared connection", "%(num)s shared connections", signals.connections))
    if signals.threads:
        said.append(ngettext("Replied in %(num)s thread you took part in", "Replied in the same %(num)s threads as you",
                             signals.threads))
    if signals.organisation and organisation:
        said.append(_("Also in %(organisation)s", organisation=organisation))
    if signals.state and state:
        said.append(_("Also posted in %(state)s", state=_(state)))
    return said


async def _shared_connections(db: Database, member: Member) -> dict[ObjectId, int]:
    friends = await queries.recent_connections(db, member.user_id, FRIENDS_ASKED)
    shared: dict[ObjectId, set[ObjectId]] = {}
    for friend, other in await queries.connections_of(db, friends, FRIENDS_OF_FRIENDS):
        shared.setdefault(other, set()).add(friend)
    return {person_id: len(through) for person_id, through in shared.items()}


async def _candidates(db: Database, member: Member,
                      me: dict[str, Any]) -> tuple[dict[ObjectId, _Signals], dict[ObjectId, dict[str, Any]]]:
    """Everyone a signal names, with what is known of them before reading where they are, and
    where those of the samples are (read with them). The four reads run at once."""
    connections, threads, *samples = await asyncio.gather(
        _shared_connections(db, member), forums.thread_companions(db, member),
        *(directory.placed_with(db, member, key, me.get(key), PLACE_SAMPLE) for key in directory.PLACE_FIELDS))
    found: dict[ObjectId, _Signals] = {}
    for person_id, count in connections.items():
        found.setdefault(person_id, _Signals()).connections = count
    for person_id, count in threads.items():
        found.setdefault(person_id, _Signals()).threads = count
    placed: dict[ObjectId, dict[str, Any]] = {}
    for key, sample in zip(directory.PLACE_FIELDS, samples):
        for person in sample:
            placed[person["person_id"]] = person
            signals = found.setdefault(person["person_id"], _Signals())
            if key == "org_id":
                signals.organisation = True
            else:
                signals.state = True
    found.pop(member.user_id, None)
    return found, placed


async def people_you_may_know(db: Database, actor: Actor, limit: int = PAGE_SIZE) -> list[Suggestion]:
    """Up to ``limit`` people the actor may know, the most likely first, each with its reasons."""
    policy.require(actor, policy.can_have_suggestions(actor), _("Sign in to see people you may know."))
    member = policy.require_member(actor)
    me = (await directory.placed(db, member, [member.user_id])).get(member.user_id, {})
    (found, placed), dismissed = await asyncio.gather(_candidates(db, member, me),
                                                      queries.dismissed_people(db, member.user_id))
    ranked = sorted((person_id for person_id in found if person_id not in dismissed),
                    key=lambda person_id: (-found[person_id].score, str(person_id)))[:SCORED]
    more, accounts, linked, blocked = await asyncio.gather(
        directory.placed(db, member, [person_id for person_id in ranked if person_id not in placed]),
        people.people_by_id(db, ranked), queries.linked_among(db, member.user_id, ranked),
        queries.blockers_among(db, member.user_id, ranked))
    placed.update(more)
    kept: list[tuple[ObjectId, _Signals]] = []
    for person_id in ranked:
        person, where = accounts.get(person_id), placed.get(person_id, UNPLACED)
        if person is None or not policy.can_suggest_person(
                member, person, blocked=person_id in blocked, linked=person_id in linked):
            continue
        signals = found[person_id]
        signals.organisation = me.get("org_id") is not None and where["org_id"] == me["org_id"]
        signals.state = me.get("state") is not None and where["state"] == me["state"]
        if signals.score:
            kept.append((person_id, signals))
    kept.sort(key=lambda row: (-row[1].score, (accounts[row[0]]["name"] or "").casefold(), str(row[0])))
    organisation = None
    if me.get("org_id") is not None and any(signals.organisation for _id, signals in kept[:limit]):
        org = await organisations.by_id(db, me["org_id"])
        organisation = org["name"] if org is not None else None
    return [Suggestion(person_id, accounts[person_id]["name"] or "", accounts[person_id]["designation"],
                       reasons(signals, organisation, me.get("state")), signals.score)
            for person_id, signals in kept[:limit]]


async def dismiss(tx: Action, person_id: ObjectId) -> bool:
    """Never suggest ``person_id`` to the actor again; False when it was dismissed already."""
    policy.require(tx.actor, policy.can_have_suggestions(tx.actor), _("Sign in to see people you may know."))
    member = policy.require_member(tx.actor)
    person = await people.person_by_id(tx.db, person_id)
    if person is None or person["deleted"] or person_id == member.user_id:
        raise NotFound(_("There is no such member."))
    session = await tx.start()
    await ratelimit.hit(tx.db, f"network-dismiss:{member.user_id}", limit=DISMISSALS_PER_HOUR, window_seconds=3600,
                        now=tx.now, session=session)
    return await queries.dismiss(tx.db, member.user_id, person_id, tx.now, session=session)
