"""A person's target, dismissals and what digests told them are theirs: the export lists them,
erasure removes them, and nobody else's are touched."""

from __future__ import annotations

from community.foryou.queries import CHOICES, DISMISSALS, SENT
from tests.factories import bearer_token, make_user
from tests.foryou.conftest import BUDGET, TARGET, Scene
from tests.profiles.helpers import call


async def test_export_lists_and_erasure_removes_the_person_s_for_you_data(scene: Scene) -> None:
    thread = await scene.thread(BUDGET, title="How do outcome budgets work?")
    other = await make_user(scene.db)
    for person in (scene.officer, other):
        token = await bearer_token(scene.db, person)
        assert (await call(scene.client, "PUT", "/api/v1/for-you/target", token, json={"position_id": TARGET}))[0] == 200
        assert (await call(scene.client, "POST", "/api/v1/for-you/dismissals", token,
                           json={"kind": "thread", "id": thread}))[0] == 201
        await scene.db[SENT].insert_one({"_id": f"{person['_id']}|expert:{'b' * 24}", "user_id": person["_id"],
                                         "key": f"expert:{'b' * 24}", "at": None})
    token = await bearer_token(scene.db, scene.officer)
    status, exported = await call(scene.client, "GET", "/api/v1/me/data", token)
    assert status == 200
    assert exported["collections"][CHOICES]["documents"][0]["target_position_id"] == TARGET
    assert [doc["key"] for doc in exported["collections"][DISMISSALS]["documents"]] == [f"thread:{thread}"]
    assert exported["collections"][SENT]["purposes"]

    status, _answer = await call(scene.client, "POST", "/api/v1/me/erase", token, json={"confirm": scene.officer["email"]})
    assert status == 200
    for collection in (CHOICES, DISMISSALS, SENT):
        owner = "_id" if collection == CHOICES else "user_id"
        assert await scene.db[collection].count_documents({owner: scene.officer["_id"]}) == 0
        assert await scene.db[collection].count_documents({owner: other["_id"]}) == 1
