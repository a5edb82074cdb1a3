"""The endorsement rule: the README's worked examples, first on the rule alone, then through the API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.profiles.verification import EndorsementRule, Standing, explain, verify
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.network.helpers import block
from tests.profiles.helpers import HEALTH, call, small_dictionary

RAVI, MEENA, KIRAN, IYER, SUNIL = (ObjectId() for _ in range(5))
STANDINGS = {
    RAVI: Standing(result_level=4, expert_level=None),  # an assessment verified level 4
    MEENA: Standing(result_level=4, expert_level=None),  # a course verified level 4
    KIRAN: Standing(result_level=2, expert_level=None),
    IYER: Standing(result_level=None, expert_level=5),  # an expert who lists it at level 5
    SUNIL: Standing(result_level=None, expert_level=None),  # declares it, nothing verified
}
RULE = EndorsementRule()


def endorsed(*given: tuple[ObjectId, int]) -> list[dict[str, Any]]:
    return [{"source": "endorsement", "endorser_id": who, "level": level} for who, level in given]


@pytest.mark.parametrize(("evidence", "level", "words"), [
    (endorsed((RAVI, 3)), None, "Not verified yet."),
    (endorsed((RAVI, 3), (MEENA, 3)), 3, "Verified at level 3: endorsed by 2 members holding it at level 4 or above."),
    (endorsed((RAVI, 3), (MEENA, 3), (IYER, 4)), 4, "Verified at level 4: endorsed by 1 expert in this competency."),
    (endorsed((RAVI, 4), (KIRAN, 2)), 2, "Verified at level 2: endorsed by 2 members holding it at level 2 or above."),
    (endorsed((SUNIL, 3), (RAVI, 3)), None, "Not verified yet."),
    ([*endorsed((RAVI, 3), (MEENA, 3)), {"source": "assessment", "level": 5}], 5,
     "Verified at level 5 by an assessment result."),
])
def test_worked_examples(evidence: list[dict[str, Any]], level: int | None, words: str) -> None:
    verdict = verify(evidence, STANDINGS, RULE)
    assert verdict.level == level
    assert explain(verdict) == words


def test_the_numbers_are_settings() -> None:
    assert verify(endorsed((RAVI, 3), (MEENA, 3)), STANDINGS, EndorsementRule(endorsements=3)).level is None
    assert verify(endorsed((IYER, 4)), STANDINGS, EndorsementRule(expert_endorsements=2)).level is None
    assert verify(endorsed((IYER, 4), (RAVI, 3)), STANDINGS, EndorsementRule(expert_endorsements=2)).level == 3


async def _results(client: TestClient, db: Any, admin_token: str, user: dict[str, Any], level: int) -> None:
    status, _ = await call(client, "POST", f"/api/v1/profiles/{user['_id']}/verifications", admin_token,
                           json={"competency_id": HEALTH, "level": level, "source": "assessment", "reference": "iGOT"})
    assert status == 201


def _health(shown: dict[str, Any]) -> dict[str, Any]:
    return next(row for row in shown["competencies"] if row["competency_id"] == HEALTH)


async def test_endorsing_and_withdrawing_through_the_api(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    asha, ravi, meena, kiran = [await make_user(db) for _ in range(4)]
    admin = await bearer_token(db, await make_user(db, roles=("admin",)))
    tokens = {person["_id"]: await bearer_token(db, person) for person in (asha, ravi, meena, kiran)}
    await call(client, "POST", "/api/v1/profiles/me/competencies", tokens[asha["_id"]], json={"competency_id": HEALTH, "level": 3})
    for person, level in ((ravi, 4), (meena, 4), (kiran, 2)):
        await _results(client, db, admin, person, level)
    url = f"/api/v1/profiles/{asha['_id']}/endorsements"
    status, problem = await call(client, "POST", url, tokens[kiran["_id"]], json={"competency_id": HEALTH, "level": 3})
    assert status == 422 and problem["errors"][0] == {"field": "level", "message": "You can endorse up to level 2, the level you hold yourself."}
    status, problem = await call(client, "POST", f"/api/v1/profiles/{ravi['_id']}/endorsements", tokens[ravi["_id"]],
                                 json={"competency_id": HEALTH, "level": 3})
    assert status == 403 and problem["detail"] == "You cannot endorse your own competencies."
    assert await db.endorsements.count_documents({}) == 0

    for person in (ravi, meena):
        assert (await call(client, "POST", url, tokens[person["_id"]], json={"competency_id": HEALTH, "level": 3}))[0] == 201
    shown = (await call(client, "GET", f"/api/v1/profiles/{asha['_id']}", tokens[kiran["_id"]]))[1]
    assert _health(shown)["verified_level"] == 3
    assert _health(shown)["verification"] == "Verified at level 3: endorsed by 2 members holding it at level 4 or above."

    assert (await call(client, "DELETE", f"{url}/{HEALTH}", tokens[meena["_id"]]))[0] == 204
    assert (await call(client, "DELETE", f"{url}/{HEALTH}", tokens[meena["_id"]]))[0] == 404
    shown = (await call(client, "GET", f"/api/v1/profiles/{asha['_id']}", tokens[kiran["_id"]]))[1]
    assert _health(shown)["verified_level"] is None, "withdrawing one of two endorsements unverifies the level"


async def test_a_block_stops_an_endorsement(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    asha, expert = await make_user(db), await make_user(db, roles=("expert",))
    await db.profiles.insert_many([{"_id": asha["_id"], "competencies": [{"competency_id": HEALTH, "level": 3}]},
                                   {"_id": expert["_id"], "competencies": [{"competency_id": HEALTH, "level": 5}]}])
    await block(client.app, asha, expert)
    status, problem = await call(client, "POST", f"/api/v1/profiles/{asha['_id']}/endorsements",
                                 await bearer_token(db, expert), json={"competency_id": HEALTH, "level": 3})
    assert status == 403 and problem["detail"] == "You cannot endorse this member."
    assert await db.endorsements.count_documents({}) == 0


async def test_the_profile_page_states_the_rule_and_withdraws_without_javascript(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    asha, expert = await make_user(db), await make_user(db, roles=("expert",))
    await db.profiles.insert_many([{"_id": asha["_id"], "competencies": [{"competency_id": HEALTH, "level": 3}]},
                                   {"_id": expert["_id"], "competencies": [{"competency_id": HEALTH, "level": 3}]}])
    await sign_in(client, expert)
    page = await (await client.get(f"/people/{asha['_id']}")).text()
    assert "A level is verified by an assessment or course result, or by 2 endorsements" in page
    assert '<option value="4">' not in page, "the form offers no level above the expert's own"
    token = await csrf_token(client, f"/people/{asha['_id']}")
    too_high = await client.post(f"/people/{asha['_id']}/endorse", data={"csrf_token": token, "competency_id": HEALTH,
                                                                           "level": "4"})
    assert too_high.status == 422 and "You can endorse up to level 3, the level you hold yourself." in await too_high.text()
    await client.post(f"/people/{asha['_id']}/endorse", data={"csrf_token": token, "competency_id": HEALTH, "level": "3"})
    page = await (await client.get(f"/people/{asha['_id']}")).text()
    assert "Verified at level 3: endorsed by 1 expert in this competency." in page
    withdrawn = await client.post(f"/people/{asha['_id']}/endorsements/{HEALTH}/withdraw", data={"csrf_token": token},
                                  allow_redirects=False)
    assert withdrawn.status == 303 and await db.endorsements.count_documents({}) == 0
    assert "Not verified yet." in await (await client.get(f"/people/{asha['_id']}")).text()


async def test_the_endorsement_confirmation_offers_an_undo_that_withdraws_it(client: TestClient, db: Any) -> None:
    import re

    await small_dictionary(db)
    asha, expert = await make_user(db), await make_user(db, roles=("expert",))
    await db.profiles.insert_many([{"_id": asha["_id"], "competencies": [{"competency_id": HEALTH, "level": 3}]},
                                   {"_id": expert["_id"], "competencies": [{"competency_id": HEALTH, "level": 3}]}])
    await sign_in(client, expert)
    token = await csrf_token(client, f"/people/{asha['_id']}")
    endorsed = await client.post(f"/people/{asha['_id']}/endorse",
                                 data={"csrf_token": token, "competency_id": HEALTH, "level": "2"})
    page = await endorsed.text()
    assert endorsed.status == 200 and await db.endorsements.count_documents({}) == 1
    notice = re.search(r'<div class="notice confirmation" role="alert">(.*?)</div>', page, re.S)
    assert notice and "Your endorsement of " in notice.group(1) and ">Undo<" in notice.group(1)
    undo = re.search(r'<form method="post" action="([^"]+)">', notice.group(1))
    assert undo and undo.group(1) == f"/people/{asha['_id']}/endorsements/{HEALTH}/withdraw"
    withdrawn = await client.post(undo.group(1), data={"csrf_token": token})
    assert withdrawn.status == 200 and "Your endorsement was withdrawn." in await withdrawn.text()
    assert await db.endorsements.count_documents({}) == 0
    again = await (await client.get(f"/people/{asha['_id']}?endorsed={HEALTH}")).text()
    assert ">Undo<" not in again, "no undo without an endorsement just made"
