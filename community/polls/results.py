"""Reading polls: each poll as one viewer may see it, a public poll's voters, the staff export.

Counts come from the tallies each vote moves (``community.polls.tallies``; one query for all the
polls a page shows), so a withdrawn or erased vote stops counting at once. A viewer who may not see the results yet sees the options
and how many people voted, never how they voted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from community import policy
from community.accounts import people
from community.errors import Forbidden, Invalid
from community.i18n import gettext as _
from community.policy import Actor
from community.polls import tallies
from community.polls.service import POLLS, VOTES, access_poll, stored_close_at
from community.polls.subjects import Access
from community.storage.api import Database


@dataclass(frozen=True, slots=True)
class OptionResult:
    index: int
    text: str
    votes: int | None
    """None while the viewer may not see the results."""
    percent: int | None
    chosen: bool


@dataclass(frozen=True, slots=True)
class PollView:
    """One poll as one viewer may see it: what the page, the API and the live push render."""

    id: ObjectId
    name: str
    question: str | None
    """What the poll asks, for a poll added by hand (a post's polls are asked by the post's text)."""
    kind: str
    min: int
    max: int
    results: str
    public: bool
    close_at: datetime | None
    open: bool
    voters: int
    options: tuple[OptionResult, ...]
    voted: bool
    results_visible: bool
    voters_listed: bool
    can_vote: bool
    can_manage: bool
    can_export: bool
    average: float | None
    """A number poll's mean rating, when its results may be seen."""
    url: str
    room: str

    @property
    def chosen(self) -> tuple[int, ...]:
        return tuple(option.index for option in self.options if option.chosen)


def _view(actor: Actor, poll: dict[str, Any], access: Access, *, voters: int, counts: dict[int, int],
          mine: Sequence[int], now: datetime) -> PollView:
    voted = bool(mine)
    visible = policy.can_see_poll_results(poll, staff=access.is_staff, voted=voted, now=now)
    total_choices = sum(counts.values())
    options = tuple(
        OptionResult(index, text, counts.get(index, 0) if visible else None,
                     (round(100 * counts.get(index, 0) / total_choices) if total_choices else 0) if visible else None,
                     index in mine)
        for index, text in enumerate(poll["options"]))
    average = None
    if visible and poll["kind"] == "number" and total_choices:
        average = round(sum((poll["min"] + index) * n for index, n in counts.items()) / total_choices, 2)
    return PollView(
        id=poll["_id"], name=poll["name"], question=poll.get("question"), kind=poll["kind"], min=poll["min"], max=poll["max"],
        results=poll["results"], public=poll["public"], close_at=stored_close_at(poll),
        open=policy.poll_is_open(poll, now), voters=voters, options=options, voted=voted, results_visible=visible,
        voters_listed=policy.can_list_poll_voters(poll, results_visible=visible),
        can_vote=policy.can_vote_in_poll(actor, poll, takes_part=access.can_vote, now=now),
        can_manage=policy.can_manage_poll(actor, owner_id=access.owner_id, staff=access.is_staff),
        can_export=policy.can_export_poll(actor, staff=access.is_staff), average=average, url=access.url,
        room=access.room)


async def views_of(db: Database, actor: Actor, polls: Sequence[dict[str, Any]], access: Access,
                   now: datetime, mine: dict[ObjectId, list[int]] | None = None) -> dict[ObjectId, PollView]:
    """Several polls of one subject as ``actor`` may see them (three queries however many);
    ``mine``, the actor's choices per poll when the caller has just written them, spares one."""
    ids = [poll["_id"] for poll in polls]
    if not ids:
        return {}
    found = await tallies.read(db, ids)
    known = dict(mine or {})
    if actor.user_id is not None and not known.keys() >= set(ids):
        async for row in db[VOTES].find({"poll_id": {"$in": ids}, "user_id": actor.user_id}):
            known[row["poll_id"]] = row["choices"]
    counts = {poll_id: found.get(poll_id) or tallies.Count() for poll_id in ids}
    return {poll["_id"]: _view(actor, poll, access, voters=counts[poll["_id"]].voters,
                               counts=counts[poll["_id"]].options, mine=known.get(poll["_id"], []), now=now)
            for poll in polls}


async def subject_polls(db: Database, actor: Actor, subject_type: str, subject_id: ObjectId, access: Access,
                        now: datetime) -> dict[str, PollView]:
    """A subject's polls by name, as ``actor`` (whose ``access`` the caller resolved) may see them."""
    polls = await db[POLLS].find({"subject_type": subject_type, "subject_id": subject_id}).to_list(None)
    views = await views_of(db, actor, polls, access, now)
    return {poll["name"]: views[poll["_id"]] for poll in polls}


async def poll_view(db: Database, actor: Actor, poll_id: ObjectId, now: datetime) -> PollView:
    poll, access = await access_poll(db, actor, poll_id)
    return (await views_of(db, actor, [poll], access, now))[poll_id]


async def shared_counts(db: Database, poll_id: ObjectId, now: datetime) -> dict[str, Any] | None:
    """What a live push may tell everyone watching the subject: the counts when anybody may see
    them (results ``always``, or a closed ``on_vote``/``on_close`` poll), else only how many voted."""
    poll = await db[POLLS].find_one({"_id": poll_id})
    if poll is None:
        return None
    count = (await tallies.read(db, [poll_id])).get(poll_id) or tallies.Count()
    public = policy.can_see_poll_results(poll, staff=False, voted=False, now=now)
    total = sum(count.options.values())
    options = None
    if public:
        options = [{"index": index, "votes": count.options.get(index, 0),
                    "percent": round(100 * count.options.get(index, 0) / total) if total else 0}
                   for index in range(len(poll["options"]))]
    return {"poll_id": str(poll_id), "voters": count.voters, "open": policy.poll_is_open(poll, now),
            "options": options}


@dataclass(frozen=True, slots=True)
class Voter:
    user_id: ObjectId
    name: str | None
    at: datetime


async def voters(db: Database, actor: Actor, poll_id: ObjectId, option: int, *, limit: int,
                 now: datetime) -> tuple[PollView, list[Voter]]:
    """The first ``limit`` people who chose ``option`` of a public poll, earliest first."""
    view = await poll_view(db, actor, poll_id, now)
    if not view.voters_listed:
        raise Forbidden(_("This poll does not list its voters."))
    if not 0 <= option < len(view.options):
        raise Invalid({"option": _("That option does not exist in this poll.")})
    rows = await db[VOTES].find({"poll_id": poll_id, "choices": option}).sort("at", 1).limit(limit).to_list(None)
    names = await people.people_by_id(db, [row["user_id"] for row in rows])
    return view, [Voter(row["user_id"], people.shown_name(names.get(row["user_id"])), row["at"]) for row in rows]


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_csv(db: Database, actor: Actor, poll_id: ObjectId) -> tuple[dict[str, Any], str]:
    """The votes as CSV for the subject's moderators: one row per choice, naming the voter for a
    public poll; an anonymous poll gives one row per option with its count."""
    poll, access = await access_poll(db, actor, poll_id)
    if not policy.can_export_poll(actor, staff=access.is_staff):
        policy.require(actor, False, _("Only moderators export a poll's votes."))
    out = io.StringIO()
    writer = csv.writer(out)
    if poll["public"]:
        writer.writerow(["option", "voter_id", "voter", "voted_at"])
        rows = await db[VOTES].find({"poll_id": poll_id}).sort("at", 1).to_list(None)
        names = await people.people_by_id(db, [row["user_id"] for row in rows])
        for row in rows:
            for choice in row["choices"]:
                writer.writerow([_cell(poll["options"][choice]), str(row["user_id"]),
                                 _cell(people.shown_name(names.get(row["user_id"])) or ""), row["at"].isoformat()])
    else:
        count = (await tallies.read(db, [poll_id])).get(poll_id) or tallies.Count()
        writer.writerow(["option", "votes"])
        for index, text in enumerate(poll["options"]):
            writer.writerow([_cell(text), count.options.get(index, 0)])
    return poll, out.getvalue()
