"""Recording an assessment or course result on a person is an administrative action, so it is audited."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community import audit
from tests.factories import bearer_token, make_user
from tests.profiles.helpers import BUDGET, call, small_dictionary

RESULT = {"competency_id": BUDGET, "level": 3, "source": "assessment", "reference": "iGOT assessment 2041"}


async def test_recorded_result_writes_an_audit_entry(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, admin = await make_user(db), await make_user(db, roles=("admin",))
    status, _ = await call(client, "POST", f"/api/v1/profiles/{officer['_id']}/verifications",
                           await bearer_token(db, admin), json=RESULT)
    assert status == 201
    [entry] = await audit.entries(db, target_type="user", target_id=officer["_id"])
    assert (entry["actor_id"], entry["action"], entry["org_id"]) == (admin["_id"], "profile.verification.record",
                                                                    officer["org_id"])
    assert entry["details"] == RESULT


async def test_refused_or_invalid_result_leaves_no_audit_entry(client: TestClient, db: Any) -> None:
    await small_dictionary(db)
    officer, expert, admin = await make_user(db), await make_user(db, roles=("expert",)), await make_user(db, roles=("admin",))
    url = f"/api/v1/profiles/{officer['_id']}/verifications"
    assert (await call(client, "POST", url, await bearer_token(db, expert), json=RESULT))[0] == 403
    unknown = {**RESULT, "competency_id": "fun.no-such-thing"}
    assert (await call(client, "POST", url, await bearer_token(db, admin), json=unknown))[0] == 422
    assert await db.audit_log.count_documents({}) == 0 and await db.verifications.count_documents({}) == 0
