"""The one computation: the gap ordered by shortfall and essentiality, a suggestion of each kind
for what falls short, the most pressing competency first, each with its reason in words."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.foryou import service
from community.foryou.schemas import DismissalIn, TargetIn
from community.foryou.suggest import order_needs
from community.i18n import current_locale
from community.profiles import directory
from tests.factories import act
from tests.foryou.conftest import BUDGET, DRAFTING, HEALTH, TARGET, Scene
from tests.vacancies.helpers import hold


def test_needs_run_most_short_first_then_most_essential() -> None:
    rows = [{"competency_id": cid, "name": name, "required": 3, "held": held, "verified": False, "gap": 3 - held}
            for cid, name, held in (("a", "Alpha", 2), ("b", "Beta", 2), ("c", "Gamma", 0), ("d", "Delta", 3))]
    needs = order_needs(rows, {"b": 4, "a": 1}, {"competency:c"})
    assert [need.competency_id for need in needs] == ["c", "b", "a", "d"]
    assert [need.dismissed for need in needs] == [True, False, False, False]


async def test_the_gap_to_the_profile_position_orders_competencies_by_how_far_short(scene: Scene) -> None:
    found = await scene.suggestions()
    assert found.position is not None and not found.target
    assert [(need.competency_id, need.short_by) for need in found.needs] == [(BUDGET, 3), (HEALTH, 1), (DRAFTING, 0)]
    assert [need.competency_id for need in found.short] == [BUDGET, HEALTH]
    assert found.parts == {}


async def test_each_kind_is_suggested_with_its_reason_the_most_short_competency_first(scene: Scene) -> None:
    await scene.thread(HEALTH, title="Running a district health mission")
    await scene.thread(BUDGET, title="How do outcome budgets work?")
    await scene.expert(BUDGET, 4, name="Asha Expert")
    await scene.event(BUDGET, title="Outcome budgeting clinic")
    await scene.vacancy(BUDGET, title="Budget analyst")
    found = await scene.suggestions()
    assert list(found.parts) == ["thread", "expert", "event", "vacancy"]
    assert [item.title for item in found.parts["thread"]] == ["How do outcome budgets work?",
                                                                "Running a district health mission"]
    need = "You need Outcome budgeting at level 4 for your position; you hold level 1."
    reasons = {kind: items[0].reason for kind, items in found.parts.items()}
    assert reasons["thread"] == f"{need} This discussion of it is recent."
    assert reasons["expert"] == f"{need} This expert holds it verified at level 4.", "no offer: not said to mentor"
    assert found.parts["expert"][0].request_url == ""
    assert reasons["event"] == f"{need} This event is on it and has 5 seats left."
    assert reasons["vacancy"].startswith(f"{need} This vacancy asks for it at level 3; your match is ")


async def test_a_target_position_drives_the_gap_and_says_so(scene: Scene) -> None:
    await act(scene.client.app, actor_for_user(scene.officer), service.choose_target, TargetIn(position_id=TARGET))
    await scene.expert(BUDGET, 5, name="Asha Expert")
    found = await scene.suggestions()
    assert found.target and found.position == {"id": TARGET, "title": "Finance Director",
                                                 "organisation": "Ministry of Finance"}
    assert [(need.competency_id, need.short_by) for need in found.needs] == [(BUDGET, 4)]
    assert found.parts["expert"][0].reason.startswith(
        "You need Outcome budgeting at level 5 for Finance Director, the position you want to move to; you hold level 1.")


async def test_reasons_are_in_the_reader_s_language(scene: Scene) -> None:
    await scene.expert(BUDGET, 4, name="Asha Expert")
    token = current_locale.set("hi")
    try:
        found = await scene.suggestions()
    finally:
        current_locale.reset(token)
    reason = found.parts["expert"][0].reason
    assert "Outcome budgeting" in reason and "4" in reason
    assert any("\u0900" <= char <= "\u097f" for char in reason)
    assert reason.endswith("इन विशेषज्ञ के पास यह स्तर 4 पर सत्यापित है।")


async def test_a_mentor_s_reason_is_in_the_reader_s_language(scene: Scene) -> None:
    mentor = await scene.expert(BUDGET, 4, name="Asha Mentor")
    await scene.offer(mentor, BUDGET, cap=2, taken=1)
    token = current_locale.set("hi")
    try:
        found = await scene.suggestions()
    finally:
        current_locale.reset(token)
    assert found.parts["expert"][0].reason.endswith(
        "इन विशेषज्ञ के पास यह स्तर 4 पर सत्यापित है और वे इसमें मार्गदर्शन देते हैं; इस महीने 1 स्थान शेष है।")
    await scene.offer(mentor, BUDGET, cap=3)
    token = current_locale.set("hi")
    try:
        found = await scene.suggestions()
    finally:
        current_locale.reset(token)
    assert found.parts["expert"][0].reason.endswith("इस महीने 2 स्थान शेष हैं।")


async def test_experts_come_before_members_then_those_of_the_officer_s_state(scene: Scene) -> None:
    await scene.db.profiles.update_one({"_id": scene.officer["_id"]}, {"$set": {"state": "Kerala"}})
    member = await scene.expert(BUDGET, 5, roles=("officer",), name="Aaron Member")
    neighbour = await scene.expert(BUDGET, 4, name="Zara Neighbour")
    await scene.db.profiles.update_one({"_id": neighbour["_id"]}, {"$set": {"state": "Kerala",
                                                                          "privacy.location": "everyone"}})
    hidden = await scene.expert(BUDGET, 4, name="Yash Hidden")
    await scene.db.profiles.update_one({"_id": hidden["_id"]}, {"$set": {"state": "Kerala"}})
    for person in (neighbour, hidden):
        await directory.rebuild(scene.db, person["_id"])  # what a profile edit's reindex does
    far = await scene.expert(BUDGET, 5, name="Bina Far")
    found = await scene.suggestions()
    assert [item.ref for item in found.parts["expert"]] == [str(neighbour["_id"]), str(far["_id"])], \
        "the state of a person who shows it only to their organisation does not count"
    assert str(member["_id"]) not in [item.ref for item in found.parts["expert"]]
    assert "They are posted in Kerala, as you are." in found.parts["expert"][0].reason
    assert "Kerala" not in found.parts["expert"][1].reason


async def test_experts_available_for_mentoring_in_it_come_first_and_say_so_with_the_request_form(scene: Scene) -> None:
    best = await scene.expert(BUDGET, 5, name="Aaron Best")
    mentor = await scene.expert(BUDGET, 4, name="Zara Mentor")
    await scene.offer(mentor, BUDGET, cap=3, taken=1)
    last_place = await scene.expert(BUDGET, 4, name="Yash Last Place")
    await scene.offer(last_place, BUDGET, cap=2, taken=1)
    full = await scene.expert(BUDGET, 5, name="Bina Full")
    await scene.offer(full, BUDGET, cap=1, taken=1)
    closed = await scene.expert(BUDGET, 5, name="Chitra Closed")
    await scene.offer(closed, BUDGET, open=False)
    elsewhere = await scene.expert(BUDGET, 5, name="Dev Elsewhere")
    await hold(scene.db, elsewhere, verified={BUDGET: 5, HEALTH: 4})
    await scene.offer(elsewhere, HEALTH)
    found = await scene.suggestions()
    budget = [item for item in found.parts["expert"] if item.competency_id == BUDGET]
    assert [item.ref for item in budget] == [str(last_place["_id"]), str(mentor["_id"])], \
        "available for mentoring in it before a higher level without a place, a closed offer or an offer in another topic"
    need = "You need Outcome budgeting at level 4 for your position; you hold level 1."
    assert budget[1].reason == (f"{need} This expert holds it verified at level 4 and offers mentoring in it, "
                                "with 2 places left this month.")
    assert budget[0].reason.endswith("offers mentoring in it, with 1 place left this month.")
    assert budget[1].url == f"/people/{mentor['_id']}"
    assert budget[1].request_url == f"/people/{mentor['_id']}/mentoring?competency={BUDGET}"
    [health] = [item for item in found.parts["expert"] if item.competency_id == HEALTH]
    assert health.ref == str(elsewhere["_id"]) and health.request_url.endswith(f"?competency={HEALTH}")
    assert str(best["_id"]) not in [item.ref for item in budget], "two a competency, mentors taking them"

    for shown in ((mentor, last_place), (best, full)):
        for person in shown:
            await act(scene.client.app, actor_for_user(scene.officer), service.dismiss,
                      DismissalIn(kind="expert", id=str(person["_id"])))
        rest = [item for item in (await scene.suggestions()).parts["expert"] if item.competency_id == BUDGET]
        assert [item.reason for item in rest] == [f"{need} This expert holds it verified at level 5."] * 2, \
            "no place left, a closed offer, an offer in another topic, or none: not said to mentor"
        assert [item.request_url for item in rest] == ["", ""]


async def test_threads_run_answered_first_then_best_voted_then_recent(scene: Scene) -> None:
    recent = await scene.thread(BUDGET, title="Newest question on budgets")
    voted = await scene.thread(BUDGET, title="Well voted budget thread")
    answered = await scene.thread(BUDGET, title="Answered budget question")
    await scene.db.forum_threads.update_one({"_id": ObjectId(voted)}, {"$set": {"votes": 3}})
    await scene.db.forum_threads.update_one({"_id": ObjectId(answered)}, {"$set": {"accepted_post_id": ObjectId()}})
    await scene.db.forum_threads.update_one({"_id": ObjectId(recent)}, {"$set": {"last_activity_at": datetime.now(UTC)}})
    found = await scene.suggestions()
    threads = found.parts["thread"][:2]
    assert [item.ref for item in threads] == [answered, voted]
    assert threads[0].reason.endswith("This discussion of it has an accepted answer.")
    assert threads[1].reason.endswith("This discussion of it has 3 votes.")
