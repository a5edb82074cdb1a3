"""The ranked lists read a small row per open vacancy (``queries.RANKING``): written with the
vacancy's every change, in step with its status, and filled at start for open vacancies from
before the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.vacancies.queries import RANKING, RANKING_FIELDS, VACANCIES, fill_ranking
from community.vacancies.routes import ranking_context
from tests.vacancies.helpers import BUDGET, HEALTH, call, scene, vacancy_body


async def _row(db: Any, vacancy_id: str) -> dict[str, Any] | None:
    return await db[RANKING].find_one({"_id": ObjectId(vacancy_id)})


async def test_the_row_follows_publishing_editing_closing_and_reopening(client: TestClient, db: Any) -> None:
    s = await scene(client, db)
    vacancy_id = await s.post(publish=False)
    assert await _row(db, vacancy_id) is None, "a draft is in no ranked list"
    await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/publish", s.token(s.admin))
    row = await _row(db, vacancy_id)
    assert row is not None and set(row) == {"_id", *RANKING_FIELDS}
    assert row["required_ids"] == [HEALTH, BUDGET] and row["state"] == "Kerala" and row["org_id"] == s.department["_id"]
    status, _ = await call(client, "PUT", f"/api/v1/vacancies/{vacancy_id}", s.token(s.admin), json=vacancy_body(
        s.department, state="Bihar", required=[{"competency": BUDGET, "level": 4, "essential": True}]))
    assert status == 200
    row = await _row(db, vacancy_id)
    assert row is not None and row["state"] == "Bihar"
    assert row["required"] == [{"competency": BUDGET, "level": 4, "essential": True}] and row["required_ids"] == [BUDGET]
    await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/close", s.token(s.admin))
    assert await _row(db, vacancy_id) is None, "a closed vacancy is in no ranked list"
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    status, _ = await call(client, "POST", f"/api/v1/vacancies/{vacancy_id}/reopen", s.token(s.admin),
                           json={"closes_at": later.isoformat()})
    assert status == 200
    row = await _row(db, vacancy_id)
    assert row is not None and row["closes_at"].replace(tzinfo=UTC) == later


async def test_open_vacancies_without_rows_get_them_at_start(bare_db: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    base = {"org_id": ObjectId(), "state": "Kerala", "mode": "deputation", "pay_level": 10, "closes_at": now,
            "required": [{"competency": HEALTH, "level": 3, "essential": True}], "required_ids": [HEALTH]}
    unranked, closed, ranked = ObjectId(), ObjectId(), ObjectId()
    await bare_db[VACANCIES].insert_many([{"_id": unranked, **base, "status": "open", "title": "From before the rows"},
                                          {"_id": closed, **base, "status": "closed"},
                                          {"_id": ranked, **base, "status": "open"}])
    await bare_db[RANKING].insert_many([{"_id": closed, **{name: base[name] for name in RANKING_FIELDS}},
                                        {"_id": ranked, **{name: base[name] for name in RANKING_FIELDS}}])
    starting = ranking_context({keys.DB: bare_db})  # type: ignore[arg-type]
    await anext(starting)
    rows = {row["_id"]: row async for row in bare_db[RANKING].find({})}
    assert set(rows) == {unranked, ranked}, "the open one gained its row, the closed one lost its stray row"
    assert "title" not in rows[unranked] and rows[unranked]["required_ids"] == [HEALTH]
    assert await fill_ranking(bare_db) == 0, "once filled, a start changes nothing"
