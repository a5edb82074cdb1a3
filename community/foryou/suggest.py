"""For you: one competency gap drives what an officer is shown.

The gap is the officer's to the position they picked to move to, or else to the position on
their profile (``profiles.show.gap_to_position``, the profile's own computation). The
competencies that fall short, and that the officer has not put aside, are taken most short
first, then the most essential (the most of the position's activities need it,
``competencies.queries.requirement_weights``). For each, in that order, every feature is asked
through its own public reads, which apply its own policy:

- threads to read: ``forums.reads.threads_to_read`` (spaces the officer may read; answered,
  well voted, recent);
- experts to meet: ``profiles.directory.verified_holders`` (holding it verified at the required
  level or above, as the officer may see them), those available for mentoring in it first
  (``mentoring.availability.mentors_on``: an open offer listing it, a place left this month;
  their card links to the request form too), then other experts, then those posted in the
  officer's state (where they show it) or working in one of their languages (English last, as
  nearly everyone lists it); anyone across a block or already connected is left out
  (``policy.can_suggest_expert``);
- events to attend: ``events.reads.upcoming_with_seats`` (the officer's audience, seats left);
- vacancies that fit: ``vacancies.reads.fitting`` (those asking for the most pressing
  competency, ranked by the vacancy match, with its explanation; then the next ones).

Every suggestion says why, in the reader's language. A part with nothing to suggest is left out;
without a position there is no gap, and the page asks for one instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


from community import policy
from community.competencies import queries as dictionary
from community.events import reads as events
from community.forums import reads as forums
from community.foryou import queries
from community.foryou.queries import suggestion_key
from community.i18n import gettext as _, ngettext
from community.mentoring import availability
from community.network import queries as network
from community.policy import Actor, Member
from community.profiles import directory, verification
from community.profiles import queries as profiles
from community.profiles.show import gap_to_position
from community.storage.api import Database
from community.vacancies import reads as vacancies

Kind = Literal["thread", "expert", "event", "vacancy"]
KINDS: tuple[Kind, ...] = ("thread", "expert", "event", "vacancy")
PART_SIZE = 5
"""Suggestions of one kind shown at most."""
EACH_COMPETENCY = 2
"""Of one kind, at most this many for one competency, so the next competencies get a place too."""
COMPETENCIES_ASKED = 10
"""The most short competencies whose suggestions are looked for."""
VACANCY_COMPETENCIES = 3
"""Vacancies are looked for among those asking for one of this many of the most pressing
competencies, one competency at a time (``_vacancy_part``)."""


@dataclass(frozen=True, slots=True)
class Need:
    """One competency of the position: what it requires, what the officer holds, how far short."""

    competency_id: str
    name: str
    required: int
    held: int
    verified: bool
    short_by: int
    weight: int
    """How many of the position's activities need it."""
    dismissed: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: Kind
    ref: str
    """The suggested thing's id (a thread, person, event or vacancy)."""
    competency_id: str
    title: str
    url: str
    reason: str
    """Why, in words: what the position needs and what this offers of it."""
    detail: str = ""
    """A line of facts beside the title (an event's time, a vacancy's match summary)."""
    request_url: str = ""
    """An expert's mentoring request form for this competency, when they offer mentoring in it."""

    @property
    def key(self) -> str:
        return suggestion_key(self.kind, self.ref)


@dataclass(slots=True)
class ForYou:
    position: dict[str, Any] | None
    """``{id, title, organisation}`` of the position the gap is to; ``None``: no position, so no gap."""
    target: bool
    """Whether that position is the one the officer wants to move to (not their own)."""
    needs: list[Need] = field(default_factory=list)
    """Every competency of the position, the most short and most essential first."""
    parts: dict[Kind, list[Suggestion]] = field(default_factory=dict)
    """Only the kinds with something to suggest, in the order of ``KINDS``."""

    @property
    def short(self) -> list[Need]:
        """The competencies that fall short and are not put aside: what the parts are about."""
        return [need for need in self.needs if need.short_by and not need.dismissed]

    @property
    def put_aside(self) -> list[Need]:
        return [need for need in self.needs if need.dismissed]

    def suggestions(self) -> list[Suggestion]:
        return [item for kind in KINDS for item in self.parts.get(kind, [])]


def order_needs(rows: list[dict[str, Any]], weights: dict[str, int], dismissed: set[str]) -> list[Need]:
    """The profile's gap rows as needs: most short first, then most essential, then by name."""
    needs = [Need(row["competency_id"], row["name"], row["required"], row["held"], row["verified"], row["gap"],
                  weights.get(row["competency_id"], 1), suggestion_key("competency", row["competency_id"]) in dismissed)
             for row in rows]
    return sorted(needs, key=lambda need: (-need.short_by, -need.weight, need.name.casefold()))


def need_sentence(need: Need, position: dict[str, Any], target: bool) -> str:
    """What the position asks and what the officer holds, as the first sentence of every reason."""
    if target:
        if need.held:
            return _("You need %(competency)s at level %(required)s for %(position)s, the position you want to move to; "
                     "you hold level %(held)s.", competency=need.name, required=need.required,
                     position=position["title"], held=need.held)
        return _("You need %(competency)s at level %(required)s for %(position)s, the position you want to move to; "
                 "you do not hold it yet.", competency=need.name, required=need.required, position=position["title"])
    if need.held:
        return _("You need %(competency)s at level %(required)s for your position; you hold level %(held)s.",
                 competency=need.name, required=need.required, held=need.held)
    return _("You need %(competency)s at level %(required)s for your position; you do not hold it yet.",
             competency=need.name, required=need.required)


def thread_sentence(thread: dict[str, Any]) -> str:
    if thread["answered"]:
        return _("This discussion of it has an accepted answer.")
    if thread["votes"] > 0:
        return ngettext("This discussion of it has %(num)s vote.", "This discussion of it has %(num)s votes.",
                        thread["votes"])
    return _("This discussion of it is recent.")


def expert_sentences(holder: dict[str, Any], same_state: bool, shared: list[str],
                     mentoring: availability.Available | None) -> list[str]:
    if mentoring is not None:
        said = [ngettext("This expert holds it verified at level %(level)s and offers mentoring in it, "
                         "with %(num)s place left this month.",
                         "This expert holds it verified at level %(level)s and offers mentoring in it, "
                         "with %(num)s places left this month.", mentoring.places_left, level=holder["level"])]
    elif holder["expert"]:
        said = [_("This expert holds it verified at level %(level)s.", level=holder["level"])]
    else:
        said = [_("This member holds it verified at level %(level)s.", level=holder["level"])]
    if same_state:
        said.append(_("They are posted in %(state)s, as you are.", state=holder["state"]))
    elif shared:
        said.append(_("They work in %(language)s, as you do.", language=shared[0]))
    return said


def event_sentence(event: dict[str, Any]) -> str:
    return ngettext("This event is on it and has %(num)s seat left.", "This event is on it and has %(num)s seats left.",
                    event["seats_left"])


def vacancy_sentence(vacancy: dict[str, Any], competency_id: str) -> str:
    return _("This vacancy asks for it at level %(level)s; your match is %(score)s of 100: %(summary)s.",
             level=vacancy["requires"][competency_id], score=vacancy["match"]["score"], summary=vacancy["match"]["summary"])


@dataclass(slots=True)
class _Asking:
    """What one computation shares across the parts: who asks, when, what to leave out."""

    db: Database
    actor: Member
    now: datetime
    position: dict[str, Any]
    target: bool
    dismissed: set[str]
    state: str
    languages: list[str]

    def reason(self, need: Need, *offers: str) -> str:
        return " ".join([need_sentence(need, self.position, self.target), *offers])


Finder = Callable[[_Asking, Need, set[str]], Awaitable[list[Suggestion]]]


async def _threads(asking: _Asking, need: Need, taken: set[str]) -> list[Suggestion]:
    rows = await forums.threads_to_read(asking.db, asking.actor, need.competency_id, PART_SIZE + len(taken))
    return [Suggestion("thread", str(row["_id"]), need.competency_id, row["title"], row["url"],
                       asking.reason(need, thread_sentence(row)))
            for row in rows]


async def _experts(asking: _Asking, need: Need, taken: set[str]) -> list[Suggestion]:
    mentors = await availability.mentors_on(asking.db, need.competency_id, asking.now)
    holders = await directory.verified_holders(asking.db, asking.actor, need.competency_id, need.required,
                                               PART_SIZE + len(taken))
    if mentors:
        mentoring = await directory.verified_holders(asking.db, asking.actor, need.competency_id, need.required,
                                                     len(mentors), among=list(mentors))
        seen = {holder["person_id"] for holder in mentoring}
        holders = mentoring + [holder for holder in holders if holder["person_id"] not in seen]
    ids = [holder["person_id"] for holder in holders]
    blocked = await network.blockers_among(asking.db, asking.actor.user_id, ids)
    connected = await network.connected_among(asking.db, asking.actor.user_id, ids)
    kept = []
    for holder in holders:
        person_id = holder["person_id"]
        if not policy.can_suggest_expert(asking.actor, {"_id": person_id}, blocked=person_id in blocked,
                                         connected=person_id in connected):
            continue
        same_state = bool(asking.state) and holder["state"] == asking.state
        shared = sorted((language for language in holder["languages"] if language in asking.languages),
                        key=lambda language: language == "English")
        offer = mentors.get(person_id)
        kept.append((offer is None, not holder["expert"], not same_state, not shared, -holder["level"],
                     holder, same_state, shared, offer))
    kept.sort(key=lambda row: row[:5])
    return [Suggestion("expert", str(holder["person_id"]), need.competency_id, holder["name"],
                       f"/people/{holder['person_id']}",
                       asking.reason(need, *expert_sentences(holder, same_state, shared, offer)),
                       request_url=f"/people/{holder['person_id']}/mentoring?competency={need.competency_id}"
                       if offer is not None else "")
            for *_order, holder, same_state, shared, offer in kept]


async def _events(asking: _Asking, need: Need, taken: set[str]) -> list[Suggestion]:
    rows = await events.upcoming_with_seats(asking.db, asking.actor, need.competency_id, asking.now, PART_SIZE + len(taken))
    return [Suggestion("event", str(row["_id"]), need.competency_id, row["title"], row["url"],
                       asking.reason(need, event_sentence(row)),
                       events.shown_time(row["start_at"], row["zone"]))
            for row in rows]


async def _vacancy_part(asking: _Asking, needs: list[Need]) -> list[Suggestion]:
    """Vacancies asking for the most pressing competency, ranked by the vacancy match; those
    asking for the next ones only while there are fewer than ``PART_SIZE`` (each look scores
    every open vacancy asking for its competency, so one look is the usual cost)."""
    chosen: list[Suggestion] = []
    for need in needs[:VACANCY_COMPETENCIES]:
        taken = {item.ref for item in chosen}
        rows = await vacancies.fitting(asking.db, asking.actor, [need.competency_id], asking.now, PART_SIZE + len(taken))
        chosen += [Suggestion("vacancy", row["id"], need.competency_id, row["title"], f"/vacancies/{row['id']}",
                              asking.reason(need, vacancy_sentence(row, need.competency_id)), row["organisation"])
                   for row in rows if row["id"] not in taken
                   and suggestion_key("vacancy", row["id"]) not in asking.dismissed][:PART_SIZE - len(chosen)]
        if len(chosen) >= PART_SIZE:
            break
    return chosen


FINDERS: dict[Kind, Finder] = {"thread": _threads, "expert": _experts, "event": _events}


async def _part(asking: _Asking, kind: Kind, needs: list[Need]) -> list[Suggestion]:
    """Up to ``PART_SIZE`` suggestions, the most pressing competency first, none dismissed or twice
    (vacancies: ranked by the match, ``_vacancy_part``)."""
    if kind == "vacancy":
        return await _vacancy_part(asking, needs)
    finder = FINDERS[kind]
    chosen: list[Suggestion] = []
    taken: set[str] = set()
    for need in needs:
        if len(chosen) >= PART_SIZE:
            break
        fresh = [item for item in await finder(asking, need, taken)
                 if item.key not in taken and item.key not in asking.dismissed][:EACH_COMPETENCY]
        chosen += fresh[:PART_SIZE - len(chosen)]
        taken |= {item.key for item in fresh}
    return chosen


async def for_you(db: Database, actor: Actor, rule: verification.EndorsementRule, now: datetime) -> ForYou:
    """The officer's gap and, for what falls short, suggestions of each kind."""
    policy.require(actor, policy.can_have_suggestions(actor), _("Sign in to see what is suggested for you."))
    member = policy.require_member(actor)
    profile = await profiles.profile(db, member.user_id)
    target_id = (await queries.choices(db, member.user_id)).get("target_position_id")
    position_doc = await dictionary.position(db, target_id) if target_id else None
    target = position_doc is not None
    if position_doc is None and profile.get("position_id"):
        position_doc = await dictionary.position(db, profile["position_id"])
    if position_doc is None:
        return ForYou(position=None, target=False)
    position = {"id": position_doc["_id"], "title": position_doc["title"], "organisation": position_doc["organisation"]}
    dismissed = await queries.dismissed(db, member.user_id)
    needs = order_needs(await gap_to_position(db, member.user_id, position_doc, rule),
                        dictionary.requirement_weights(position_doc), dismissed)
    result = ForYou(position=position, target=target, needs=needs)
    asked = result.short[:COMPETENCIES_ASKED]
    if not asked:
        return result
    asking = _Asking(db, member, now, position, target, dismissed, profile.get("state") or "",
                     list(profile.get("languages") or []))
    for kind in KINDS:
        if found := await _part(asking, kind, asked):
            result.parts[kind] = found
    return result
