"""Small dictionary entries for tests, valid unless a test spoils them on purpose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from community.competencies import queries
from community.competencies.dictionary import Competency, Position
from community.competencies.seed import competency_document, position_document


def competency_data(competency_id: str = "fun.budgeting.outcome-budgets", **changes: Any) -> dict[str, Any]:
    data = {
        "id": competency_id, "kind": "functional", "area": "Functional", "theme": "Finance",
        "name": "Outcome budgeting", "description": "Linking money spent to results achieved.", "owner": None,
        "levels": [{"level": n, "description": f"Level {n} of outcome budgeting."} for n in range(1, 6)],
    }
    return {**data, **changes}


def position_data(position_id: str = "pos.test.budget-officer", requires: dict[str, int] | None = None,
                  **changes: Any) -> dict[str, Any]:
    requires = requires or {"fun.budgeting.outcome-budgets": 3}
    data = {
        "id": position_id, "title": "Budget Officer", "organisation": "Ministry of Finance",
        "roles": [{"name": "Budget preparation", "activities": [
            {"name": "Prepare the outcome budget", "competencies": [
                {"competency": cid, "level": level} for cid, level in requires.items()]}]}],
    }
    return {**data, **changes}


async def store_competency(db: Any, competency_id: str, name: str | None = None) -> None:
    model = Competency.model_validate(competency_data(competency_id, name=name or competency_id))
    document = competency_document(model, datetime.now(UTC))
    await db[queries.COMPETENCIES].replace_one({"_id": document["_id"]}, document, upsert=True)


async def store_position(db: Any, position_id: str, requires: dict[str, int]) -> None:
    model = Position.model_validate(position_data(position_id, requires))
    document = position_document(model, datetime.now(UTC))
    await db[queries.POSITIONS].replace_one({"_id": document["_id"]}, document, upsert=True)
