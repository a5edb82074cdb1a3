"""A subject kind of the tests' own: sessions held in memory, and who attended each."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId

from community.certificates import subjects
from community.certificates.subjects import Facts, Kind

KIND = "test_session"


@dataclass
class Sessions:
    """What the kind knows: each session's facts and the people who attended it."""

    facts: dict[ObjectId, Facts] = field(default_factory=dict)
    attended: set[tuple[ObjectId, ObjectId]] = field(default_factory=set)

    def add(self, *, title: str = "Noting and drafting for Section Officers", host_name: str = "Asha Menon",
            held_at: datetime = datetime(2026, 11, 20, 5, 30, tzinfo=UTC), hours: float = 1.5,
            attendees: tuple[dict[str, Any], ...] = ()) -> ObjectId:
        session_id = ObjectId()
        self.facts[session_id] = Facts(title=title, held_at=held_at, hours=hours, host_name=host_name,
                                       url=f"/sessions/{session_id}")
        self.attended |= {(person["_id"], session_id) for person in attendees}
        return session_id

    def rename(self, session_id: ObjectId, title: str) -> None:
        self.facts[session_id] = replace(self.facts[session_id], title=title)

    async def facts_of(self, db: Any, subject_id: Any, session: Any) -> Facts | None:
        return self.facts.get(subject_id)

    async def may_receive(self, db: Any, person_id: ObjectId, subject_id: Any, session: Any) -> bool:
        return (person_id, subject_id) in self.attended


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> Sessions:
    """The test kind, registered for this test alone."""
    held = Sessions()
    monkeypatch.setitem(subjects.KINDS, KIND, Kind(facts=held.facts_of, may_receive=held.may_receive))
    return held
