"""Who may do what: the one place every decision about access is made.

HTTP views, socket handlers and the search layer's filters all ask these functions; nothing
else compares roles or organisations. Each function is pure (the caller loads what it needs)
so the test matrix in ``tests/test_policy.py`` can try every role against every action.
Sections below are per feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bson import ObjectId

from community.errors import Forbidden, Unauthenticated
from community.i18n import gettext as _
from search import filters as search_filters
from search.filters import SearchFilter


class Role(StrEnum):
    OFFICER = "officer"
    EXPERT = "expert"
    MDO_ADMIN = "mdo_admin"
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The person making a request, as far as permissions are concerned."""

    user_id: ObjectId | None
    org_id: ObjectId | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    suspended_until: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, role: Role) -> bool:
        return role in self.roles

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Member(Actor):
    """A signed-in actor: what ``require_member`` gives, so the code after it has a ``user_id``."""

    user_id: ObjectId


ANONYMOUS = Actor(user_id=None)


def require(actor: Actor, allowed: bool, message: str | None = None) -> None:
    """Raise the right error when ``allowed`` is false: sign in first, or plain refusal.

    The default messages are translated here, when the refusal happens, so they come out in
    the language of the request being refused."""
    if allowed:
        return
    if not actor.is_authenticated:
        raise Unauthenticated(_("Please sign in to continue."))
    raise Forbidden(message or _("You are not allowed to do that."))


def require_member(actor: Actor) -> Member:
    """``actor`` as a ``Member``; a visitor who is not signed in is asked to sign in."""
    if isinstance(actor, Member):
        return actor
    if actor.user_id is None:
        raise Unauthenticated(_("Please sign in to continue."))
    return Member(actor.user_id, actor.org_id, actor.roles, actor.suspended_until)


# --- platform -----------------------------------------------------------------------------


def is_platform_admin(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has(Role.ADMIN)


def can_manage_jobs(actor: Actor) -> bool:
    """Background jobs carry other people's work (reminders, digests), so only administrators see them."""
    return is_platform_admin(actor)


def can_view_dev_outbox(actor: Actor) -> bool:
    """The development outbox shows one-time codes, so only administrators may open it."""
    return is_platform_admin(actor)


# --- competencies -------------------------------------------------------------------------


def can_manage_dictionary(actor: Actor) -> bool:
    """The FRAC dictionary is shared by every organisation, so only platform administrators edit it."""
    return is_platform_admin(actor)


def can_record_verification(actor: Actor) -> bool:
    """Assessment and course results are entered by platform administrators on the platform's behalf."""
    return is_platform_admin(actor)


# --- profiles -----------------------------------------------------------------------------

PRIVACY_LEVELS = ("everyone", "organisation", "connections", "me")
"""Who may see a profile field: every signed-in member, the owner's organisation, the owner's
accepted connections, or the owner alone."""


def can_view_field(viewer: Actor, owner: Mapping[str, Any], privacy: str, connected: bool) -> bool:
    """Whether ``viewer`` may see a field of ``owner``'s profile that has the given privacy.

    ``owner`` is the person's ``users`` document (``_id``, ``org_id``); ``connected`` says whether
    the two have an accepted connection. Visitors who are not signed in see no optional field:
    "everyone" means every member. Administrators get no exception here; their access to a
    person's data goes through the audited data-rights pages.
    """
    if not viewer.is_authenticated or owner.get("deleted"):
        return False
    if viewer.user_id == owner.get("_id"):
        return True
    if privacy == "everyone":
        return True
    if privacy == "organisation":
        return viewer.org_id is not None and viewer.org_id == owner.get("org_id")
    if privacy == "connections":
        return connected
    return False


def can_view_profile(viewer: Actor, owner: Mapping[str, Any]) -> bool:
    """Name and Karma total of a member are visible to every signed-in member."""
    return viewer.is_authenticated and not owner.get("deleted")


def can_edit_profile(actor: Actor, owner_id: ObjectId) -> bool:
    return actor.is_authenticated and not actor.is_suspended() and actor.user_id == owner_id


def can_endorse(actor: Actor, owner_id: ObjectId, blocked: bool) -> bool:
    """Members endorse other people's competencies, never their own, and not across a block;
    which levels they may endorse is ``can_endorse_at``. ``blocked`` says whether either has
    blocked the other."""
    return actor.is_authenticated and not actor.is_suspended() and actor.user_id != owner_id and not blocked


def can_endorse_at(own_level: int | None, level: int) -> bool:
    """Nobody vouches for more than they hold: ``own_level`` is the endorser's own
    (``community.profiles.verification.own_level``)."""
    return own_level is not None and level <= own_level


def can_list_expertise(actor: Actor) -> bool:
    """Areas of expertise are shown in the expert directory, so only vetted experts list them."""
    return actor.has(Role.EXPERT)


# --- network ------------------------------------------------------------------------------
# ``person`` is the other person's ``users`` document; ``blocked`` says whether either of the two
# has blocked the other (``community.network.queries.blocked_between``).


def can_connect(actor: Actor, person: Mapping[str, Any], blocked: bool) -> bool:
    """A member asks another member to connect, never themselves, an erased account, or across a block."""
    return (actor.is_authenticated and not actor.is_suspended() and person.get("_id") != actor.user_id
            and not person.get("deleted") and not blocked)


def can_follow_person(actor: Actor, person: Mapping[str, Any], blocked: bool) -> bool:
    """Following is one-way and asks nobody, so it has the same bounds as a request."""
    return can_connect(actor, person, blocked)


def can_block(actor: Actor, person: Mapping[str, Any]) -> bool:
    """Anyone signed in, suspended or not (a block protects them), blocks anyone but themselves
    (an erased account has nothing left to block)."""
    return actor.is_authenticated and person.get("_id") != actor.user_id and not person.get("deleted")


def can_suggest_person(actor: Actor, person: Mapping[str, Any], *, blocked: bool, linked: bool) -> bool:
    """People you may know: never oneself, an erased account, anyone across a block either way,
    or anyone already connected or with a request waiting either way (they know each other)."""
    return (actor.is_authenticated and person.get("_id") != actor.user_id and not person.get("deleted")
            and not blocked and not linked)


# --- mentoring ----------------------------------------------------------------------------
# ``mentorship`` is the stored mentorship (``mentor_id``, ``mentee_id``, ``status``); ``blocked``
# says whether either of the two has blocked the other.


def can_offer_mentoring(actor: Actor) -> bool:
    """Experts publish a mentoring offer; a suspended one cannot change it."""
    return actor.is_authenticated and actor.has(Role.EXPERT) and not actor.is_suspended()


def can_request_mentoring(actor: Actor, mentor: Mapping[str, Any], *, offering: bool, blocked: bool) -> bool:
    """A member asks an expert whose offer is open, never themselves, an erased account, or across a block."""
    return (actor.is_authenticated and not actor.is_suspended() and mentor.get("_id") != actor.user_id
            and not mentor.get("deleted") and "expert" in mentor.get("roles", ()) and offering and not blocked)


def takes_part_in_mentorship(actor: Actor, mentorship: Mapping[str, Any]) -> bool:
    """Only the mentor and the mentee see a mentorship, through any page, API route or notification."""
    return actor.is_authenticated and actor.user_id in (mentorship.get("mentor_id"), mentorship.get("mentee_id"))


def mentorship_live_audience(mentorship: Mapping[str, Any]) -> list[ObjectId]:
    """Who hears live that a mentorship changed (asked, answered, withdrawn, a session scheduled,
    moved or cancelled, ended): its mentor and its mentee, each in their own room ("user:<id>",
    which only they join), and nobody else."""
    return [mentorship["mentor_id"], mentorship["mentee_id"]]


def can_answer_mentoring_request(actor: Actor, mentorship: Mapping[str, Any], blocked: bool) -> bool:
    """The mentor accepts a request still waiting (which opens a conversation, so never across a block)."""
    return (actor.is_authenticated and not actor.is_suspended() and actor.user_id == mentorship.get("mentor_id")
            and mentorship.get("status") == "requested" and not blocked)


def can_decline_mentoring_request(actor: Actor, mentorship: Mapping[str, Any]) -> bool:
    """The mentor declines a request still waiting, suspended or across a block too: it only ends
    something, and frees the month's place."""
    return (actor.is_authenticated and actor.user_id == mentorship.get("mentor_id")
            and mentorship.get("status") == "requested")


def can_withdraw_mentoring_request(actor: Actor, mentorship: Mapping[str, Any]) -> bool:
    """The mentee takes back a request nobody has answered yet (suspended or not: it only undoes)."""
    return (actor.is_authenticated and actor.user_id == mentorship.get("mentee_id")
            and mentorship.get("status") == "requested")


def can_schedule_mentoring_session(actor: Actor, mentorship: Mapping[str, Any], blocked: bool) -> bool:
    """The mentor schedules sessions of an accepted mentorship."""
    return (actor.is_authenticated and not actor.is_suspended() and actor.user_id == mentorship.get("mentor_id")
            and mentorship.get("status") == "accepted" and not blocked)


def can_move_mentoring_session(actor: Actor, mentorship: Mapping[str, Any], blocked: bool) -> bool:
    """Either of the two moves a session of a mentorship under way (not across a block)."""
    return (takes_part_in_mentorship(actor, mentorship) and not actor.is_suspended()
            and mentorship.get("status") == "accepted" and not blocked)


def can_cancel_mentoring_session(actor: Actor, mentorship: Mapping[str, Any]) -> bool:
    """Either of the two cancels a session of a mentorship under way, suspended or across a block
    too: it only takes a meeting away."""
    return takes_part_in_mentorship(actor, mentorship) and mentorship.get("status") == "accepted"


def can_end_mentorship(actor: Actor, mentorship: Mapping[str, Any]) -> bool:
    """Either of the two ends an accepted mentorship (a block does not keep anyone in one)."""
    return takes_part_in_mentorship(actor, mentorship) and mentorship.get("status") == "accepted"


def can_give_mentoring_feedback(actor: Actor, mentorship: Mapping[str, Any], side: str | None) -> bool:
    """Each of the two gives feedback once, after the mentorship ended; ``side`` is the actor's
    (``mentor`` or ``mentee``), and feedback already given on that side is final."""
    return (takes_part_in_mentorship(actor, mentorship) and not actor.is_suspended()
            and mentorship.get("status") == "ended" and side is not None
            and side not in (mentorship.get("feedback") or {}))


# --- karma --------------------------------------------------------------------------------


def can_view_leaderboard(actor: Actor) -> bool:
    """Leaderboards name members and their points, which only members see (as ``can_view_profile``)."""
    return actor.is_authenticated


def can_see_on_organisation_leaderboard(viewer: Actor, person: Mapping[str, Any], organisation_privacy: str,
                                        connected: bool) -> bool:
    """An organisation's leaderboard tells who belongs to it, so it lists a person only to viewers
    who may see that person's organisation field (``can_view_field``)."""
    return can_view_leaderboard(viewer) and can_view_field(viewer, person, organisation_privacy, connected)


# --- certificates -------------------------------------------------------------------------
# A certificate's verification page is public by design: anyone holding its code (printed on it)
# may confirm it, and the page shows only what the certificate itself states.


def can_download_certificate(actor: Actor, *, owner_id: ObjectId, revoked: bool) -> bool:
    """The PDF carries the person's name and is theirs to hand out: only its owner downloads it,
    and only while it stands (a revoked one would certify what no longer holds)."""
    return actor.is_authenticated and actor.user_id == owner_id and not revoked


# --- privacy ------------------------------------------------------------------------------


def can_view_personal_data(actor: Actor, person_id: ObjectId) -> bool:
    """A person sees their own data; platform administrators may too, and every such view is audited."""
    return actor.is_authenticated and (actor.user_id == person_id or is_platform_admin(actor))


def can_erase_account(actor: Actor, person_id: ObjectId) -> bool:
    """Only the person asks for their own erasure (DPDP Act 2023, s. 12)."""
    return actor.is_authenticated and actor.user_id == person_id


# --- forums -------------------------------------------------------------------------------
# Categories, threads and posts are the stored documents (dicts): a category has ``org_id``
# (None when public) and ``moderator_ids``; a thread has ``author_id``, ``kind`` and ``locked``;
# a post has ``author_id``, ``deleted`` and ``hidden``.


def can_moderate_category(actor: Actor, category: Mapping[str, Any]) -> bool:
    """Platform administrators; platform moderators in public categories; the category's own
    moderators; and an organisation's administrators in that organisation's private spaces."""
    if not actor.is_authenticated:
        return False
    if is_platform_admin(actor) or actor.user_id in category.get("moderator_ids", ()):
        return True
    org_id = category.get("org_id")
    if org_id is None:
        return actor.has(Role.MODERATOR)
    return actor.has(Role.MDO_ADMIN) and actor.org_id == org_id


def can_read_category(actor: Actor, category: Mapping[str, Any]) -> bool:
    """Public categories are open to everyone; a private one only to its organisation's members
    (and the people who moderate it). Suspended members can still read."""
    org_id = category.get("org_id")
    if org_id is None:
        return True
    return actor.is_authenticated and (actor.org_id == org_id or can_moderate_category(actor, category))


def readable_category_orgs(actor: Actor) -> list[ObjectId | None] | None:
    """The ``org_id`` values of the categories ``actor`` may list and search (``None`` in the list
    is "public"); ``None`` instead of a list means no restriction (platform administrators)."""
    if is_platform_admin(actor):
        return None
    return [None] if actor.org_id is None else [None, actor.org_id]


def can_manage_categories(actor: Actor, org_id: ObjectId | None) -> bool:
    """Create or change categories: platform administrators anywhere, an organisation's
    administrators for that organisation's private spaces."""
    if not actor.is_authenticated:
        return False
    if is_platform_admin(actor):
        return True
    return org_id is not None and actor.has(Role.MDO_ADMIN) and actor.org_id == org_id


def can_post(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any] | None = None) -> bool:
    """Start a thread (``thread`` None) or reply. Suspended members read but never post; a locked
    thread takes replies only from its moderators."""
    if not actor.is_authenticated or actor.is_suspended() or not can_read_category(actor, category):
        return False
    if thread is not None and thread.get("locked"):
        return can_moderate_category(actor, category)
    return True


def can_preview_post(actor: Actor) -> bool:
    """See a draft rendered: whoever may write posts somewhere (signed in, not suspended)."""
    return actor.is_authenticated and not actor.is_suspended()


def can_edit_post(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any], post: Mapping[str, Any]) -> bool:
    """Authors edit their own posts (not once deleted, hidden or locked); moderators edit any."""
    if not actor.is_authenticated or actor.is_suspended() or not can_read_category(actor, category):
        return False
    if can_moderate_category(actor, category):
        return True
    return (post.get("author_id") == actor.user_id and not post.get("deleted") and not post.get("hidden")
            and not thread.get("locked"))


def can_delete_post(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any], post: Mapping[str, Any]) -> bool:
    """Authors soft-delete their own posts; moderators any post."""
    return can_edit_post(actor, category, thread, post)


def can_vote(actor: Actor, category: Mapping[str, Any], post: Mapping[str, Any]) -> bool:
    """Members upvote other people's visible posts, never their own."""
    return (actor.is_authenticated and not actor.is_suspended() and can_read_category(actor, category)
            and post.get("author_id") != actor.user_id and not post.get("deleted") and not post.get("hidden"))


def can_accept_answer(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any]) -> bool:
    """In a question thread, its author or a moderator marks the accepted answer."""
    if thread.get("kind") != "question" or not actor.is_authenticated or actor.is_suspended():
        return False
    if not can_read_category(actor, category):
        return False
    return thread.get("author_id") == actor.user_id or can_moderate_category(actor, category)


def can_flag(actor: Actor, category: Mapping[str, Any]) -> bool:
    """Anyone signed in who can read a post may flag it, suspended or not: flagging is not posting."""
    return actor.is_authenticated and can_read_category(actor, category)


def can_follow(actor: Actor, category: Mapping[str, Any]) -> bool:
    return actor.is_authenticated and can_read_category(actor, category)


def can_view_hidden_posts(actor: Actor, category: Mapping[str, Any]) -> bool:
    """Moderators see hidden and deleted posts (marked as such) so they can review and restore them."""
    return can_moderate_category(actor, category)


def can_suspend_members(actor: Actor) -> bool:
    """Suspension is platform-wide, so only platform moderators and administrators may suspend."""
    return actor.is_authenticated and (actor.has(Role.MODERATOR) or is_platform_admin(actor))


# --- polls --------------------------------------------------------------------------------
# A poll is its stored document (``results``, ``public``, ``closed``, ``close_at``); what its
# subject allows (see, take part, moderate) is decided by the subject's own functions and passed in.


def poll_is_open(poll: Mapping[str, Any], now: datetime) -> bool:
    close_at = poll.get("close_at")
    if close_at is not None and close_at.tzinfo is None:  # the store gives back UTC without its zone
        close_at = close_at.replace(tzinfo=UTC)
    return not poll.get("closed") and (close_at is None or close_at > now)


def can_vote_in_poll(actor: Actor, poll: Mapping[str, Any], *, takes_part: bool, now: datetime) -> bool:
    """Members who may take part in the subject vote while the poll is open; suspended members do not."""
    return actor.is_authenticated and not actor.is_suspended(now) and takes_part and poll_is_open(poll, now)


def can_see_poll_results(poll: Mapping[str, Any], *, staff: bool, voted: bool, now: datetime) -> bool:
    """As Discourse: ``always``; ``on_vote`` once the viewer voted or the poll closed; ``on_close``
    once it closed; ``staff_only`` never but to staff, who see every poll's results."""
    results = poll.get("results", "always")
    if staff or results == "always":
        return True
    if results == "staff_only":
        return False
    closed = not poll_is_open(poll, now)
    return closed or (results == "on_vote" and voted)


def can_list_poll_voters(poll: Mapping[str, Any], *, results_visible: bool) -> bool:
    """Voters are listed only for a public poll, and only to those who may see its results."""
    return bool(poll.get("public")) and results_visible


def can_manage_poll(actor: Actor, *, owner_id: ObjectId | None, staff: bool) -> bool:
    """Close or reopen: the subject's author (not while suspended) and its moderators."""
    if not actor.is_authenticated:
        return False
    return staff or (owner_id == actor.user_id and not actor.is_suspended())


def can_export_poll(actor: Actor, *, staff: bool) -> bool:
    """The votes as CSV name people, so only the subject's moderators export them."""
    return actor.is_authenticated and staff


def can_create_poll(actor: Actor, *, creates: bool, now: datetime) -> bool:
    """Add a poll by hand to a subject whose own policy lets the actor (``creates``); never while suspended."""
    return actor.is_authenticated and not actor.is_suspended(now) and creates


def can_see_post_poll(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any],
                      post: Mapping[str, Any]) -> bool:
    """A post's polls are seen by whoever may read the post: hidden or deleted posts and threads
    only by moderators."""
    if not can_read_category(actor, category):
        return False
    gone = post.get("deleted") or post.get("hidden") or thread.get("deleted") or thread.get("hidden")
    return not gone or can_view_hidden_posts(actor, category)


def can_take_part_in_post_poll(actor: Actor, category: Mapping[str, Any], thread: Mapping[str, Any],
                               post: Mapping[str, Any]) -> bool:
    """Vote in a post's poll: members who could reply there (so not in a locked thread unless they
    moderate it), while the post is visible. Authors may vote in their own polls."""
    if not can_post(actor, category, thread):
        return False
    return not (post.get("deleted") or post.get("hidden") or thread.get("deleted") or thread.get("hidden"))


# --- vacancies ----------------------------------------------------------------------------
# A vacancy is its stored document: ``org_id`` (the organisation it is posted for), ``org_path``
# (that organisation's ancestors, top first) and ``status`` (draft, open or closed); an
# organisation is its ``organisations`` document (``_id``, ``path``). The department of a vacancy
# is the administrators of its organisation and of every organisation above it: the people who
# may post for it. Nobody else, platform administrators and moderators included, sees its
# applications or its notes.


def _administers(actor: Actor, org_id: Any, path: Any) -> bool:
    return (actor.is_authenticated and actor.has(Role.MDO_ADMIN) and actor.org_id is not None
            and (actor.org_id == org_id or actor.org_id in (path or ())))


def can_post_vacancy(actor: Actor, org: Mapping[str, Any]) -> bool:
    """An organisation's administrators post for their organisation or one below it; not while suspended."""
    return not actor.is_suspended() and _administers(actor, org.get("_id"), org.get("path"))


def is_vacancy_department(actor: Actor, vacancy: Mapping[str, Any]) -> bool:
    """Whether ``actor`` is of the vacancy's department, suspended or not: they see its drafts,
    applicants and notes."""
    return _administers(actor, vacancy.get("org_id"), vacancy.get("org_path"))


def can_manage_vacancy(actor: Actor, vacancy: Mapping[str, Any]) -> bool:
    """Edit, publish, close, reopen, move applicants, write notes, export: the department, not while suspended."""
    return not actor.is_suspended() and is_vacancy_department(actor, vacancy)


def can_see_vacancy(actor: Actor, vacancy: Mapping[str, Any]) -> bool:
    """Published vacancies (open or closed) are public; a draft only to its department."""
    return vacancy.get("status") != "draft" or is_vacancy_department(actor, vacancy)


def vacancy_is_open(vacancy: Mapping[str, Any], now: datetime) -> bool:
    closes_at = vacancy.get("closes_at")
    if closes_at is not None and closes_at.tzinfo is None:  # the store gives back UTC without its zone
        closes_at = closes_at.replace(tzinfo=UTC)
    return vacancy.get("status") == "open" and closes_at is not None and closes_at > now


def can_apply(actor: Actor, vacancy: Mapping[str, Any], now: datetime) -> bool:
    """Members apply to, or withdraw from, an open vacancy; never its own department (they would
    judge themselves), nor while suspended."""
    return (actor.is_authenticated and not actor.is_suspended(now) and vacancy_is_open(vacancy, now)
            and not is_vacancy_department(actor, vacancy))


def can_save_vacancy_search(actor: Actor) -> bool:
    """Saved searches alert their owner to vacancies to apply to, so they have the bounds of applying."""
    return actor.is_authenticated and not actor.is_suspended()


# --- events -------------------------------------------------------------------------------
# An event is its stored document: ``host_id``, ``cohost_ids``, ``status`` (draft, published,
# cancelled), ``audience`` (everyone, organisation, invitation), ``org_id`` (the organisation whose
# members and whose child organisations' members may come, for the organisation audience),
# ``invited_ids``, ``start_at``, ``rsvp_closes_at``. ``actor_orgs`` is the actor's organisation
# and its ancestors (an organisation's ``path`` and its own id), so "one organisation and its
# children" is a membership test.


def can_create_event(actor: Actor) -> bool:
    """Experts host sessions; an organisation's administrators run its events; platform
    administrators may too. Nobody while suspended."""
    if not actor.is_authenticated or actor.is_suspended():
        return False
    return actor.has(Role.EXPERT) or actor.has(Role.MDO_ADMIN) or is_platform_admin(actor)


def is_event_host(actor: Actor, event: Mapping[str, Any]) -> bool:
    """The host, a co-host, or staff: platform administrators, and the administrators of the
    organisation an organisation-only event belongs to."""
    if not actor.is_authenticated:
        return False
    if actor.user_id == event.get("host_id") or actor.user_id in event.get("cohost_ids", ()):
        return True
    if is_platform_admin(actor):
        return True
    return (event.get("audience") == "organisation" and actor.has(Role.MDO_ADMIN)
            and actor.org_id is not None and actor.org_id == event.get("org_id"))


def can_manage_event(actor: Actor, event: Mapping[str, Any]) -> bool:
    """Edit, publish, cancel, see the list of people and export it: hosts (not while suspended)."""
    return is_event_host(actor, event) and not actor.is_suspended()


def can_record_event(actor: Actor, event: Mapping[str, Any], now: datetime) -> bool:
    """Add the recording's address and a summary: the hosts of a published event once it has started."""
    starts = event.get("start_at")
    if starts is not None and starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    return can_manage_event(actor, event) and event.get("status") == "published" and starts is not None and starts <= now


def can_give_event_feedback(actor: Actor, *, attended: bool, ended: bool) -> bool:
    """Rate a session and comment on it: whoever attended it, once it has ended."""
    return actor.is_authenticated and attended and ended and not actor.is_suspended()


def in_event_audience(actor: Actor, event: Mapping[str, Any], actor_orgs: frozenset[ObjectId]) -> bool:
    audience = event.get("audience", "everyone")
    if audience == "everyone":
        return True
    if not actor.is_authenticated:
        return False
    if audience == "organisation":
        return event.get("org_id") in actor_orgs
    return actor.user_id in event.get("invited_ids", ())


def can_see_event(actor: Actor, event: Mapping[str, Any], actor_orgs: frozenset[ObjectId]) -> bool:
    """A draft only to its hosts; a published or cancelled event to its audience and its hosts.
    An event open to everyone is seen by visitors too (it names no member but its hosts)."""
    if is_event_host(actor, event):
        return True
    if event.get("status") == "draft":
        return False
    return in_event_audience(actor, event, actor_orgs)


def rsvp_is_open(event: Mapping[str, Any], now: datetime) -> bool:
    """Until the start, or the earlier closing time the host set; never for a cancelled event or a draft."""
    if event.get("status") != "published":
        return False
    closes = event.get("rsvp_closes_at") or event.get("start_at")
    if closes is not None and closes.tzinfo is None:  # the store gives back UTC without its zone
        closes = closes.replace(tzinfo=UTC)
    return closes is None or closes > now


def can_rsvp(actor: Actor, event: Mapping[str, Any], actor_orgs: frozenset[ObjectId], now: datetime) -> bool:
    """Members of the audience answer while RSVP is open; suspended members do not."""
    return (actor.is_authenticated and not actor.is_suspended(now) and event.get("status") == "published"
            and in_event_audience(actor, event, actor_orgs) and rsvp_is_open(event, now))


# --- for you (community/foryou) -----------------------------------------------------------
# What the For-you page suggests is what the suggesting feature's own checks already allow the
# person to see (readable spaces, an event's audience, a vacancy they may apply to); these say
# who has a For-you page and whom it may put forward to meet.


def can_have_suggestions(actor: Actor) -> bool:
    """Every signed-in member has a For-you page and people they may know, and keeps their own
    dismissals and target, suspended or not (nothing of it is seen by anyone else)."""
    return actor.is_authenticated


def can_suggest_expert(actor: Actor, person: Mapping[str, Any], *, blocked: bool, connected: bool) -> bool:
    """Someone to meet: never oneself, an erased account, anyone across a block either way, or
    someone already connected (they are met already)."""
    return (actor.is_authenticated and person.get("_id") != actor.user_id and not person.get("deleted")
            and not blocked and not connected)


# --- accounts and organisations -----------------------------------------------------------
# Role changes: platform administrators change any role of anyone but themselves. An MDO
# administrator vets and appoints within their own organisation only: they may grant and
# revoke "expert" and "mdo_admin" for its members, never "moderator" or "admin" (those act
# platform-wide), and never for themselves (no self-vetting, and nobody locks themselves
# out). "officer" is everyone's and is never granted or revoked.

MDO_GRANTABLE_ROLES = frozenset({Role.EXPERT, Role.MDO_ADMIN})


def can_change_role(actor: Actor, person: Mapping[str, Any], role: Role) -> bool:
    """Grant or revoke ``role`` on ``person`` (a ``users`` document)."""
    if not actor.is_authenticated or actor.is_suspended() or role == Role.OFFICER or person.get("deleted"):
        return False
    if person.get("_id") == actor.user_id:
        return False
    if is_platform_admin(actor):
        return True
    return (actor.has(Role.MDO_ADMIN) and role in MDO_GRANTABLE_ROLES and actor.org_id is not None
            and person.get("org_id") == actor.org_id)


def can_list_members(actor: Actor, org_id: ObjectId | None) -> bool:
    """The people admin list: administrators see everyone (``org_id`` None) or any organisation;
    MDO administrators see their own organisation's members."""
    if not actor.is_authenticated or actor.is_suspended():
        return False
    if is_platform_admin(actor):
        return True
    return actor.has(Role.MDO_ADMIN) and org_id is not None and org_id == actor.org_id


def can_open_admin_area(actor: Actor) -> bool:
    return actor.is_authenticated and not actor.is_suspended() and (is_platform_admin(actor) or actor.has(Role.MDO_ADMIN))


def can_manage_organisations(actor: Actor) -> bool:
    """Creating, renaming and removing MDOs shapes everyone's spaces: platform administrators only."""
    return is_platform_admin(actor) and not actor.is_suspended()


# Membership (community/organisations/membership.py): ``Actor.org_id`` is the person's earned
# organisation and the only one any function here reads. Someone whose request to join is
# pending has ``org_id`` None (or keeps their earlier organisation while a change is pending),
# so a pending person is a member of no organisation they asked for: they read no private
# category, join no organisation room, find nothing private in search and appear in no private
# mention list, by construction and not by a check each feature must remember.


def can_request_membership(actor: Actor, person_id: ObjectId) -> bool:
    """A person asks to join (or move to) an organisation for themselves only."""
    return actor.is_authenticated and actor.user_id == person_id


def can_decide_membership(actor: Actor, request: Mapping[str, Any]) -> bool:
    """Approve or reject a request to join ``request["org_id"]`` (and see that organisation's
    queue): platform administrators, and administrators of that very organisation; nobody while
    suspended, and nobody on their own request."""
    if not actor.is_authenticated or actor.is_suspended() or request.get("user_id") == actor.user_id:
        return False
    if is_platform_admin(actor):
        return True
    return actor.has(Role.MDO_ADMIN) and actor.org_id is not None and actor.org_id == request.get("org_id")


def can_view_audit_log(actor: Actor) -> bool:
    return is_platform_admin(actor)


# --- realtime -----------------------------------------------------------------------------
# Socket rooms: "user:<id>" (a person's own pushes), "org:<id>" (an organisation's members),
# "category:<id>" and "thread:<id>" (forum live updates; the resource is the category the
# thread lives in), "event:<id>" (a live event; ``org_id`` None when open to every member),
# "room:<kind>:<id>" (a live room, entered only through ``room:enter``, never the generic join).

ROOM_KINDS = frozenset({"user", "org", "category", "thread", "event", "room", "dm"})


def can_join_room(actor: Actor, room_kind: str, resource: Mapping[str, Any]) -> bool:
    """Whether ``actor`` may listen in the room of ``resource`` (a stored document, loaded by the
    socket layer; for a thread room, the thread's category). Only signed-in people hold sockets."""
    if not actor.is_authenticated or room_kind not in ROOM_KINDS:
        return False
    if room_kind == "user":
        return resource.get("_id") == actor.user_id
    if room_kind == "org":
        return actor.org_id is not None and resource.get("_id") == actor.org_id
    if room_kind in ("category", "thread"):
        return can_read_category(actor, resource)
    if room_kind in ("room", "dm"):  # decided by their features' own events (community.rooms, community.messages)
        return False
    # An event room pushes its seat counts to whoever may see the event (``can_see_event``);
    # members of its organisation's children are not told apart here (the socket layer loads no
    # organisation tree) and follow the counts by reloading.
    return can_see_event(actor, resource, frozenset({actor.org_id}) if actor.org_id is not None else frozenset())


# --- direct messages (community/messages) ------------------------------------------------
# A conversation is read only by its participants, everywhere: pages, API, socket room,
# notifications and export. Nobody else (administrators included) sees one; a stranger is told
# there is no such conversation.


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def can_read_conversation(actor: Actor, member_ids: Sequence[ObjectId]) -> bool:
    return actor.is_authenticated and actor.user_id in member_ids


def can_message(actor: Actor, person: Mapping[str, Any], blocked: bool) -> bool:
    """Start a conversation with a person, or add them to one: a live account that is not the
    actor, with no block between them either way."""
    return (actor.is_authenticated and not actor.is_suspended() and person.get("_id") != actor.user_id
            and not person.get("deleted") and not blocked)


def can_send_message(actor: Actor, *, active: bool, blocked: bool, others: int) -> bool:
    """Send in a conversation: a participant who accepted it and is not suspended, someone else
    still in it, and no block between the sender and any other participant."""
    return actor.is_authenticated and not actor.is_suspended() and active and not blocked and others > 0


def can_change_message(actor: Actor, message: Mapping[str, Any], now: datetime, window: timedelta) -> bool:
    """Edit a message, or delete it for everyone: its author, within the window after sending."""
    return (actor.is_authenticated and message.get("author_id") == actor.user_id and not message.get("deleted")
            and now - _utc(message["created_at"]) <= window)


def can_report_message(actor: Actor, message: Mapping[str, Any]) -> bool:
    """A participant (checked by the caller) reports someone else's message that still stands."""
    return (actor.is_authenticated and message.get("author_id") not in (None, actor.user_id)
            and not message.get("deleted"))


def can_review_message_reports(actor: Actor) -> bool:
    """Platform administrators moderate reported messages; each report they open is audited."""
    return is_platform_admin(actor)


# --- live rooms (community/rooms) ---------------------------------------------------------
# A room's subject (a live event) says through its resolver whether the actor may enter, hosts,
# whether the room is open now and whether the actor may read its record after it closed; these
# functions combine that with the room's own sanctions (a person muted or removed by a host).


def can_read_room(actor: Actor, *, can_enter: bool, is_host: bool, is_open: bool, can_read_after: bool,
                  removed: bool = False) -> bool:
    """Hosts always; people who may enter while it is open (unless a host removed them); after it
    closed, those the subject lets read the record (people who attended)."""
    if not actor.is_authenticated:
        return False
    if is_host:
        return True
    if is_open:
        return can_enter and not removed
    return can_read_after


def can_take_part_in_room(actor: Actor, *, can_enter: bool, is_host: bool, is_open: bool, removed: bool,
                          muted_until: datetime | None, now: datetime) -> bool:
    """Chat, ask, vote and raise a hand: only while the room is open, for people who may enter
    and are not removed, muted or suspended; hosts are never muted."""
    if not actor.is_authenticated or not is_open or actor.is_suspended(now):
        return False
    if is_host:
        return True
    return can_enter and not removed and (muted_until is None or muted_until <= now)


def can_moderate_room(actor: Actor, *, is_host: bool, now: datetime) -> bool:
    """Delete, pin, mute, remove, slow mode, clear hands, mark questions: the subject's hosts."""
    return actor.is_authenticated and is_host and not actor.is_suspended(now)


def can_vote_in_room_poll(actor: Actor, *, can_enter: bool, is_host: bool, is_open: bool, removed: bool,
                          now: datetime) -> bool:
    """Vote in a room's polls: while the room is open, the people who may enter it and hosts; a
    person a host removed does not, a muted one still does (muting silences chat, not votes)."""
    if not actor.is_authenticated or not is_open or actor.is_suspended(now):
        return False
    return is_host or (can_enter and not removed)


def is_room_poll_staff(actor: Actor, *, is_host: bool, now: datetime) -> bool:
    """A room's polls' staff (see staff-only results, close and reopen, export the votes): its
    hosts (co-hosts and the staff the subject counts as hosts included) and platform moderators
    who are in the room."""
    return can_moderate_room(actor, is_host=is_host, now=now) or (
        actor.is_authenticated and actor.has(Role.MODERATOR) and not actor.is_suspended(now))


def can_create_room_poll(actor: Actor, *, is_host: bool, is_open: bool, now: datetime) -> bool:
    """Hosts add polls to their room during the session (while it is open)."""
    return is_open and can_moderate_room(actor, is_host=is_host, now=now)


def can_correct_attendance(actor: Actor, *, is_host: bool, now: datetime) -> bool:
    return can_moderate_room(actor, is_host=is_host, now=now)


# --- search visibility --------------------------------------------------------------------
# Search documents carry ``access`` (audience tokens), ``except_org`` and ``hidden``
# (search/definitions.py). These functions say which audiences stored content reaches and which
# a viewer belongs to; the search layer puts the viewer's filter inside every engine query, so
# totals and facet counts never count what the viewer may not see.

SEARCHABLE_PRIVACY: dict[str, frozenset[str]] = {
    "members": frozenset({"everyone"}),
    "organisation": frozenset({"everyone", "organisation"}),
}
"""Which profile field privacy levels each searchable copy of a profile includes. Fields shown
only to connections or to the owner are never indexed: the engine cannot know who is connected."""


def search_visibility(actor: Actor) -> SearchFilter:
    """The filter every search by ``actor`` carries: public content; for members, members-only
    content, their organisation's private spaces and the organisation copy of their colleagues'
    profiles (instead of the members copy); for platform administrators, every organisation's
    spaces (as ``readable_category_orgs``). Hidden and deleted content is never found."""
    audiences = [search_filters.PUBLIC]
    own_org = None
    if actor.is_authenticated:
        audiences.append(search_filters.MEMBERS)
        if actor.org_id is not None:
            own_org = search_filters.org_audience(actor.org_id)
            audiences.append(own_org)
        if is_platform_admin(actor):
            audiences.append(search_filters.ADMINS)
    return search_filters.visibility(audiences, own_org)


def search_audience(org_id: ObjectId | None) -> list[str]:
    """Who may find content of a space: everyone when public (``org_id`` None), else the
    organisation's members and platform administrators (as ``can_read_category``)."""
    if org_id is None:
        return [search_filters.PUBLIC]
    return [search_filters.org_audience(org_id), search_filters.ADMINS]


def event_search_audience(event: Mapping[str, Any], org_and_children: list[ObjectId]) -> tuple[list[str], bool]:
    """Who may find an event, as ``(access, hidden)`` (as ``can_see_event``): everyone for an
    open event; the members of its organisation and of every organisation under it
    (``org_and_children``) and platform administrators for an organisation event; only platform
    administrators for an invitation-only one (search knows no single person's audience; its
    guests find it in "my events"). A draft is found by nobody."""
    audience = event.get("audience", "everyone")
    if audience == "everyone":
        access = [search_filters.PUBLIC]
    elif audience == "organisation":
        access = [*(search_filters.org_audience(org_id) for org_id in org_and_children), search_filters.ADMINS]
    else:
        access = [search_filters.ADMINS]
    return access, event.get("status") == "draft"


def profile_search_copies(owner: Mapping[str, Any]) -> list[tuple[str, list[str], str]]:
    """The copies of a person's profile search holds, as ``(copy, access, except_org)``; a copy's
    fields are those whose privacy is in ``SEARCHABLE_PRIVACY[copy]`` (``can_view_field``). Members
    of the owner's organisation find the organisation copy, everyone else signed in the members
    copy. Erased accounts, and accounts whose e-mail address is not yet verified (anyone can
    register one), are not searchable."""
    if owner.get("deleted") or not owner.get("email_verified"):
        return []
    org_id = owner.get("org_id")
    if org_id is None:
        return [("members", [search_filters.MEMBERS], "")]
    own = search_filters.org_audience(org_id)
    return [("members", [search_filters.MEMBERS], own), ("organisation", [own], "")]
