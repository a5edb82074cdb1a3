"""What For-you never suggests: a thread in a space the officer cannot read, an expert across a
block (either way) or already connected, someone not verified at the level needed, an event
full or outside the officer's audience, a vacancy of the officer's own department."""

from __future__ import annotations

from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.events import service as events
from community.network import connections
from community.profiles import directory
from tests.factories import act, make_user
from tests.foryou.conftest import BUDGET, Scene
from tests.network.helpers import block, connect
from tests.vacancies.helpers import hold


async def test_a_thread_in_a_space_the_officer_cannot_read_never_appears(scene: Scene) -> None:
    hidden = await scene.thread(BUDGET, title="Budget notes of another ministry", org="Ministry of Secrets")
    shown = await scene.thread(BUDGET, title="Budget notes for everyone")
    found = await scene.suggestions()
    assert [item.ref for item in found.parts["thread"]] == [shown]
    insider = await make_user(scene.db, org=scene.forum.orgs["Ministry of Secrets"])
    await hold(scene.db, insider, declared={BUDGET: 1})
    await scene.db.profiles.update_one({"_id": insider["_id"]}, {"$set": {"position_id": "pos.test.health-budget-officer"}})
    assert hidden in [item.ref for item in (await scene.suggestions(insider)).parts["thread"]]


async def test_blocked_connected_or_unverified_people_are_never_suggested(scene: Scene) -> None:
    app = scene.client.app
    blocked_by_officer = await scene.expert(BUDGET, 5, name="Blocked One")
    await block(app, scene.officer, blocked_by_officer)
    blocking_officer = await scene.expert(BUDGET, 5, name="Blocking One")
    await block(app, blocking_officer, scene.officer)
    connected = await scene.expert(BUDGET, 5, name="Connected One")
    await connect(app, scene.officer, connected)
    declared_only = await make_user(scene.db, roles=("expert",), name="Declared One")
    await hold(scene.db, declared_only, declared={BUDGET: 5})
    too_low = await scene.expert(BUDGET, 3, name="Too Low")
    fine = await scene.expert(BUDGET, 4, name="Fine Expert")
    found = await scene.suggestions()
    assert [item.ref for item in found.parts["expert"]] == [str(fine["_id"])]
    await act(app, actor_for_user(scene.officer), connections.set_blocked, blocked_by_officer["_id"], False)
    assert str(blocked_by_officer["_id"]) in [item.ref for item in (await scene.suggestions()).parts["expert"]]
    assert str(too_low["_id"]) not in [item.ref for item in (await scene.suggestions()).parts["expert"]]


async def test_events_full_or_outside_the_audience_are_left_out(scene: Scene) -> None:
    open_to_all = await scene.event(BUDGET, title="Open budgeting clinic")
    await scene.event(BUDGET, title="Ministry-only clinic", audience="organisation")
    full = await scene.event(BUDGET, title="Full clinic", capacity=1)
    someone = await make_user(scene.db)
    await act(scene.client.app, actor_for_user(someone), events.rsvp, ObjectId(full), "going")
    found = await scene.suggestions()
    assert [item.ref for item in found.parts["event"]] == [open_to_all]


async def test_a_vacancy_the_officer_may_not_apply_to_is_left_out(scene: Scene) -> None:
    await scene.vacancy(BUDGET, title="Budget analyst")
    colleague = await make_user(scene.db, org=scene.ministry, roles=("mdo_admin",))
    await hold(scene.db, colleague, declared={BUDGET: 1})
    await scene.db.profiles.update_one({"_id": colleague["_id"]}, {"$set": {"position_id": "pos.test.health-budget-officer"}})
    assert "vacancy" in (await scene.suggestions()).parts
    assert "vacancy" not in (await scene.suggestions(colleague)).parts


async def test_someone_who_hides_their_competencies_is_never_suggested(scene: Scene) -> None:
    private = await scene.expert(BUDGET, 5, name="Private Expert")
    await scene.db.profiles.update_one({"_id": private["_id"]}, {"$set": {"privacy.competencies": "me"}})
    await directory.rebuild(scene.db, private["_id"])  # what a profile edit's reindex does
    assert "expert" not in (await scene.suggestions()).parts
