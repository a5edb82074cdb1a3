"""The role x action matrix: every kind of person against every protected action of accounts,
organisations, administration, competencies, profiles, Karma, certificates, data rights and vacancies, each cell asserted
allowed or denied.

HOME is the organisation the people belong to, or for the pending ones the organisation they
asked to join: a pending person's actor has no organisation (``membership``), so every private
resource of HOME (its categories, rooms, events, search audience, colleagues' organisation-only
fields, its membership queue) must be refused to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from community import policy
from community.errors import Forbidden, Unauthenticated
from community.policy import ANONYMOUS, Actor, Role

HOME, OTHER = ObjectId(), ObjectId()
SUSPENDED = datetime.now(UTC) + timedelta(days=3)


def actor(*roles: Role, suspended: bool = False, pending: bool = False) -> Actor:
    return Actor(user_id=ObjectId(), org_id=None if pending else HOME, roles=frozenset({Role.OFFICER, *roles}),
                 suspended_until=SUSPENDED if suspended else None)


ACTORS: dict[str, Actor] = {
    "anonymous": ANONYMOUS,
    "officer": actor(),
    "suspended officer": actor(suspended=True),
    "expert": actor(Role.EXPERT),
    "mdo_admin": actor(Role.MDO_ADMIN),
    "suspended mdo_admin": actor(Role.MDO_ADMIN, suspended=True),
    "moderator": actor(Role.MODERATOR),
    "admin": actor(Role.ADMIN),
    "suspended admin": actor(Role.ADMIN, suspended=True),
    "pending officer": actor(pending=True),
    "pending expert": actor(Role.EXPERT, pending=True),
    "pending mdo_admin": actor(Role.MDO_ADMIN, pending=True),
}


def member(org: ObjectId) -> dict[str, Any]:
    return {"_id": ObjectId(), "org_id": org, "roles": ["officer"], "deleted": False}


def self_of(a: Actor) -> dict[str, Any]:
    return {"_id": a.user_id, "org_id": a.org_id, "roles": [r.value for r in a.roles], "deleted": False}


Check = Callable[[Actor], bool]
ACTIONS: dict[str, Check] = {}
for role in (Role.EXPERT, Role.MDO_ADMIN, Role.MODERATOR, Role.ADMIN):
    ACTIONS[f"grant {role} to own-org member"] = lambda a, r=role: policy.can_change_role(a, member(HOME), r)
    ACTIONS[f"grant {role} to other-org member"] = lambda a, r=role: policy.can_change_role(a, member(OTHER), r)
    ACTIONS[f"grant {role} to oneself"] = lambda a, r=role: policy.can_change_role(a, self_of(a), r)
ACTIONS["revoke officer from own-org member"] = lambda a: policy.can_change_role(a, member(HOME), Role.OFFICER)
ACTIONS["change role of a deleted person"] = lambda a: policy.can_change_role(a, {**member(HOME), "deleted": True}, Role.EXPERT)
ACTIONS["list own organisation's members"] = lambda a: policy.can_list_members(a, HOME)
ACTIONS["list another organisation's members"] = lambda a: policy.can_list_members(a, OTHER)
ACTIONS["list everyone"] = lambda a: policy.can_list_members(a, None)
ACTIONS["open the admin area"] = policy.can_open_admin_area
ACTIONS["manage organisations"] = policy.can_manage_organisations
ACTIONS["view the audit log"] = policy.can_view_audit_log
ACTIONS["view the development outbox"] = policy.can_view_dev_outbox
ACTIONS["retry or discard background jobs"] = policy.can_manage_jobs
ACTIONS["suspend members"] = policy.can_suspend_members
ACTIONS["manage the competency dictionary"] = policy.can_manage_dictionary
ACTIONS["record an assessment or course result"] = policy.can_record_verification
ACTIONS["edit own profile"] = lambda a: policy.can_edit_profile(a, a.user_id)
ACTIONS["edit another's profile"] = lambda a: policy.can_edit_profile(a, ObjectId())
ACTIONS["endorse another's competency"] = lambda a: policy.can_endorse(a, ObjectId(), False)
ACTIONS["endorse own competency"] = lambda a: policy.can_endorse(a, a.user_id, False)
ACTIONS["endorse across a block"] = lambda a: policy.can_endorse(a, ObjectId(), True)
ACTIONS["ask a member to connect"] = lambda a: policy.can_connect(a, member(OTHER), False)
ACTIONS["ask oneself to connect"] = lambda a: policy.can_connect(a, self_of(a), False)
ACTIONS["ask an erased account to connect"] = lambda a: policy.can_connect(a, {**member(HOME), "deleted": True}, False)
ACTIONS["ask to connect across a block"] = lambda a: policy.can_connect(a, member(HOME), True)
ACTIONS["follow a member"] = lambda a: policy.can_follow_person(a, member(OTHER), False)
ACTIONS["follow across a block"] = lambda a: policy.can_follow_person(a, member(OTHER), True)
ACTIONS["block a member"] = lambda a: policy.can_block(a, member(OTHER))
ACTIONS["block oneself"] = lambda a: policy.can_block(a, self_of(a))
ACTIONS["block an erased account"] = lambda a: policy.can_block(a, {**member(OTHER), "deleted": True})
ACTIONS["view the leaderboards"] = policy.can_view_leaderboard
ACTIONS["view own personal data"] = lambda a: policy.can_view_personal_data(a, a.user_id)
ACTIONS["view another's personal data"] = lambda a: policy.can_view_personal_data(a, ObjectId())
ACTIONS["erase own account"] = lambda a: policy.can_erase_account(a, a.user_id)
ACTIONS["erase another's account"] = lambda a: policy.can_erase_account(a, ObjectId())
ACTIONS["download own certificate"] = lambda a: policy.can_download_certificate(a, owner_id=a.user_id, revoked=False)
ACTIONS["download own revoked certificate"] = lambda a: policy.can_download_certificate(a, owner_id=a.user_id,
                                                                                        revoked=True)
ACTIONS["download another's certificate"] = lambda a: policy.can_download_certificate(a, owner_id=ObjectId(),
                                                                                      revoked=False)

PRIVATE_CATEGORY = {"_id": ObjectId(), "org_id": HOME, "moderator_ids": []}


def finds_home_private_content(a: Actor) -> bool:
    """Whether the viewer's search filter admits a document of HOME's private spaces."""
    audiences = policy.search_visibility(a).parts[0].values  # type: ignore[attr-defined]
    return bool(set(audiences) & set(policy.search_audience(HOME)))


ACTIONS["read HOME's private category"] = lambda a: policy.can_read_category(a, PRIVATE_CATEGORY)
ACTIONS["list HOME's private categories"] = lambda a: (policy.readable_category_orgs(a) is None
                                                       or HOME in policy.readable_category_orgs(a))
ACTIONS["post in HOME's private category"] = lambda a: policy.can_post(a, PRIVATE_CATEGORY)
ACTIONS["moderate HOME's private category"] = lambda a: policy.can_moderate_category(a, PRIVATE_CATEGORY)
ACTIONS["find HOME's private content in search"] = finds_home_private_content
ACTIONS["join HOME's room"] = lambda a: policy.can_join_room(a, "org", {"_id": HOME})
ACTIONS["join HOME's private category room"] = lambda a: policy.can_join_room(a, "category", PRIVATE_CATEGORY)
ACTIONS["join HOME's event room"] = lambda a: policy.can_join_room(
    a, "event", {"_id": ObjectId(), "org_id": HOME, "audience": "organisation", "status": "published"})
ACTIONS["see a HOME colleague's organisation-only field"] = lambda a: policy.can_view_field(a, member(HOME), "organisation", False)
ACTIONS["ask to join an organisation"] = lambda a: policy.can_request_membership(a, a.user_id)
ACTIONS["ask to join for someone else"] = lambda a: policy.can_request_membership(a, ObjectId())
ACTIONS["decide a request to join HOME"] = lambda a: policy.can_decide_membership(a, {"user_id": ObjectId(), "org_id": HOME})
ACTIONS["decide a request to join another organisation"] = lambda a: policy.can_decide_membership(
    a, {"user_id": ObjectId(), "org_id": OTHER})
ACTIONS["decide one's own request"] = lambda a: policy.can_decide_membership(a, {"user_id": a.user_id, "org_id": HOME})

CHILD = ObjectId()
VACANCIES = {
    "HOME's": {"_id": ObjectId(), "org_id": HOME, "org_path": [], "status": "open"},
    "a HOME sub-organisation's": {"_id": ObjectId(), "org_id": CHILD, "org_path": [HOME], "status": "open"},
    "another organisation's": {"_id": ObjectId(), "org_id": OTHER, "org_path": [], "status": "open"},
}
NOW = datetime.now(UTC)
OPEN_UNTIL = NOW + timedelta(days=5)
ACTIONS["post a vacancy for HOME"] = lambda a: policy.can_post_vacancy(a, {"_id": HOME, "path": []})
ACTIONS["post a vacancy for a HOME sub-organisation"] = lambda a: policy.can_post_vacancy(a, {"_id": CHILD, "path": [HOME]})
ACTIONS["post a vacancy for another organisation"] = lambda a: policy.can_post_vacancy(a, {"_id": OTHER, "path": []})
for whose, shown in VACANCIES.items():
    ACTIONS[f"see {whose} vacancy's applicants and notes"] = lambda a, v=shown: policy.is_vacancy_department(a, v)
    ACTIONS[f"manage {whose} vacancy (stages, notes, export)"] = lambda a, v=shown: policy.can_manage_vacancy(a, v)
    ACTIONS[f"see {whose} draft vacancy"] = lambda a, v=shown: policy.can_see_vacancy(a, {**v, "status": "draft"})
    ACTIONS[f"apply to {whose} open vacancy"] = lambda a, v=shown: policy.can_apply(a, {**v, "closes_at": OPEN_UNTIL}, NOW)
ACTIONS["save a vacancy search"] = policy.can_save_vacancy_search
ACTIONS["see a published vacancy"] = lambda a: policy.can_see_vacancy(a, VACANCIES["another organisation's"])
ACTIONS["apply to a closed vacancy"] = lambda a: policy.can_apply(
    a, {**VACANCIES["another organisation's"], "status": "closed", "closes_at": OPEN_UNTIL}, NOW)
ACTIONS["apply to a vacancy past its closing time"] = lambda a: policy.can_apply(
    a, {**VACANCIES["another organisation's"], "closes_at": NOW - timedelta(minutes=1)}, NOW)

def event(**fields: Any) -> dict[str, Any]:
    """A published event open to everyone, hosted by someone else, starting tomorrow."""
    return {"_id": ObjectId(), "host_id": ObjectId(), "cohost_ids": [], "status": "published", "audience": "everyone",
            "org_id": None, "invited_ids": [], "start_at": datetime.now(UTC) + timedelta(days=1), **fields}


def orgs_of(a: Actor) -> frozenset[ObjectId]:
    return frozenset({a.org_id}) if a.org_id is not None else frozenset()


ACTIONS["create an event"] = policy.can_create_event
ACTIONS["see another's draft event"] = lambda a: policy.can_see_event(a, event(status="draft"), orgs_of(a))
ACTIONS["see HOME's organisation event"] = lambda a: policy.can_see_event(a, event(audience="organisation", org_id=HOME),
                                                                         orgs_of(a))
ACTIONS["see an invitation-only event one is not invited to"] = lambda a: policy.can_see_event(
    a, event(audience="invitation"), orgs_of(a))
ACTIONS["answer an event open to everyone"] = lambda a: policy.can_rsvp(a, event(), orgs_of(a), NOW)
ACTIONS["answer HOME's organisation event"] = lambda a: policy.can_rsvp(a, event(audience="organisation", org_id=HOME),
                                                                       orgs_of(a), NOW)
ACTIONS["answer a cancelled event"] = lambda a: policy.can_rsvp(a, event(status="cancelled"), orgs_of(a), NOW)
ACTIONS["manage another's event open to everyone"] = lambda a: policy.can_manage_event(a, event())
ACTIONS["manage HOME's organisation event"] = lambda a: policy.can_manage_event(a, event(audience="organisation",
                                                                                       org_id=HOME))
ACTIONS["manage one's own event"] = lambda a: policy.can_manage_event(a, event(host_id=a.user_id))

ADMINS = {"admin"}
ORG_ADMINS = {"admin", "mdo_admin"}
MEMBERS = set(ACTORS) - {"anonymous"}
"""Everyone signed in, suspended or not (a suspension stops posting, not reading or data rights)."""
ACTIVE_MEMBERS = {who for who in MEMBERS if not who.startswith("suspended")}
HOME_MEMBERS = {who for who in MEMBERS if not who.startswith("pending")}
"""Members of HOME, suspended or not: the pending are not among them."""
ACTIVE_HOME_MEMBERS = HOME_MEMBERS & ACTIVE_MEMBERS
ALLOWED: dict[str, set[str]] = {
    "grant expert to own-org member": ORG_ADMINS,
    "grant expert to other-org member": ADMINS,
    "grant expert to oneself": set(),
    "grant mdo_admin to own-org member": ORG_ADMINS,
    "grant mdo_admin to other-org member": ADMINS,
    "grant mdo_admin to oneself": set(),
    "grant moderator to own-org member": ADMINS,
    "grant moderator to other-org member": ADMINS,
    "grant moderator to oneself": set(),
    "grant admin to own-org member": ADMINS,
    "grant admin to other-org member": ADMINS,
    "grant admin to oneself": set(),
    "revoke officer from own-org member": set(),
    "change role of a deleted person": set(),
    "list own organisation's members": ORG_ADMINS,
    "list another organisation's members": ADMINS,
    "list everyone": ADMINS,
    "open the admin area": ORG_ADMINS | {"pending mdo_admin"},
    "manage organisations": ADMINS,
    "view the audit log": ADMINS | {"suspended admin"},
    "view the development outbox": ADMINS | {"suspended admin"},
    "retry or discard background jobs": ADMINS | {"suspended admin"},
    "suspend members": {"moderator", "admin", "suspended admin"},
    "manage the competency dictionary": ADMINS | {"suspended admin"},
    "record an assessment or course result": ADMINS | {"suspended admin"},
    "edit own profile": ACTIVE_MEMBERS,
    "edit another's profile": set(),
    "endorse another's competency": ACTIVE_MEMBERS,
    "endorse own competency": set(),
    "endorse across a block": set(),
    "ask a member to connect": ACTIVE_MEMBERS,
    "ask oneself to connect": set(),
    "ask an erased account to connect": set(),
    "ask to connect across a block": set(),
    "follow a member": ACTIVE_MEMBERS,
    "follow across a block": set(),
    "block a member": MEMBERS,
    "block oneself": set(),
    "block an erased account": set(),
    "view the leaderboards": MEMBERS,
    "view own personal data": MEMBERS,
    "view another's personal data": ADMINS | {"suspended admin"},
    "erase own account": MEMBERS,
    "erase another's account": set(),
    "download own certificate": MEMBERS,
    "download own revoked certificate": set(),
    "download another's certificate": set(),
    "read HOME's private category": HOME_MEMBERS,
    "list HOME's private categories": HOME_MEMBERS,
    "post in HOME's private category": ACTIVE_HOME_MEMBERS,
    "moderate HOME's private category": {"mdo_admin", "suspended mdo_admin", "admin", "suspended admin"},
    "find HOME's private content in search": HOME_MEMBERS,
    "join HOME's room": HOME_MEMBERS,
    "join HOME's private category room": HOME_MEMBERS,
    "join HOME's event room": HOME_MEMBERS,
    "see a HOME colleague's organisation-only field": HOME_MEMBERS,
    "ask to join an organisation": MEMBERS,
    "ask to join for someone else": set(),
    "decide a request to join HOME": ORG_ADMINS,
    "decide a request to join another organisation": ADMINS,
    "decide one's own request": set(),
    "post a vacancy for HOME": {"mdo_admin"},
    "post a vacancy for a HOME sub-organisation": {"mdo_admin"},
    "post a vacancy for another organisation": set(),
    "see HOME's vacancy's applicants and notes": {"mdo_admin", "suspended mdo_admin"},
    "see a HOME sub-organisation's vacancy's applicants and notes": {"mdo_admin", "suspended mdo_admin"},
    "see another organisation's vacancy's applicants and notes": set(),
    "manage HOME's vacancy (stages, notes, export)": {"mdo_admin"},
    "manage a HOME sub-organisation's vacancy (stages, notes, export)": {"mdo_admin"},
    "manage another organisation's vacancy (stages, notes, export)": set(),
    "see HOME's draft vacancy": {"mdo_admin", "suspended mdo_admin"},
    "see a HOME sub-organisation's draft vacancy": {"mdo_admin", "suspended mdo_admin"},
    "see another organisation's draft vacancy": set(),
    "apply to HOME's open vacancy": ACTIVE_MEMBERS - {"mdo_admin"},
    "apply to a HOME sub-organisation's open vacancy": ACTIVE_MEMBERS - {"mdo_admin"},
    "apply to another organisation's open vacancy": ACTIVE_MEMBERS,
    "see a published vacancy": set(ACTORS),
    "save a vacancy search": ACTIVE_MEMBERS,
    "apply to a closed vacancy": set(),
    "apply to a vacancy past its closing time": set(),
    "create an event": {"expert", "mdo_admin", "admin", "pending expert", "pending mdo_admin"},
    "see another's draft event": ADMINS | {"suspended admin"},
    "see HOME's organisation event": HOME_MEMBERS,
    "see an invitation-only event one is not invited to": ADMINS | {"suspended admin"},
    "answer an event open to everyone": ACTIVE_MEMBERS,
    "answer HOME's organisation event": ACTIVE_HOME_MEMBERS,
    "answer a cancelled event": set(),
    "manage another's event open to everyone": ADMINS,
    "manage HOME's organisation event": ORG_ADMINS,
    "manage one's own event": ACTIVE_MEMBERS,
}


def test_the_matrix_covers_every_action() -> None:
    assert set(ALLOWED) == set(ACTIONS)


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_matrix(action: str, who: str) -> None:
    expected = who in ALLOWED[action]
    assert ACTIONS[action](ACTORS[who]) is expected, f"{who} {'may' if expected else 'may not'} {action}"


def test_require_says_sign_in_to_visitors_and_refuses_others() -> None:
    with pytest.raises(Unauthenticated):
        policy.require(ANONYMOUS, False)
    with pytest.raises(Forbidden):
        policy.require(ACTORS["officer"], False)
    policy.require(ACTORS["officer"], True)


def test_require_member_gives_the_signed_in_actor_as_a_member_and_asks_visitors_to_sign_in() -> None:
    with pytest.raises(Unauthenticated):
        policy.require_member(ANONYMOUS)
    officer = ACTORS["officer"]
    member = policy.require_member(officer)
    assert isinstance(member, policy.Member)
    assert (member.user_id, member.org_id, member.roles, member.suspended_until) == (
        officer.user_id, officer.org_id, officer.roles, officer.suspended_until)
    assert policy.require_member(member) is member
