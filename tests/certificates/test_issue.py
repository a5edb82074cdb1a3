"""Issuing in the caller's transaction: once per person and subject, facts kept as issued,
refusals write nothing, revocation and restoring."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pymongo.errors import DuplicateKeyError

from community import actions
from community.accounts.sessions import actor_for_user
from community.certificates import service
from community.certificates.service import CERTIFICATES, CODE_PATTERN
from community.certificates.subjects import Facts
from community.errors import Forbidden, NotFound
from tests.certificates.conftest import KIND, Sessions
from tests.certificates.helpers import issue
from tests.factories import act, make_user


async def test_a_certificate_keeps_the_name_and_facts_as_issued(client: TestClient, app: web.Application, db: Any,
                                                                sessions: Sessions) -> None:
    host, person = await make_user(db, name="Asha Menon"), await make_user(db, name="क्षितिज श्रीवास्तव")
    session_id = sessions.add(title="GST returns in practice", hours=2, attendees=(person,),
                              held_at=datetime(2026, 11, 20, 20, 0, tzinfo=UTC))
    issued = await issue(app, host, person, session_id)
    assert (issued.name, issued.title, issued.hours, issued.host_name) == ("क्षितिज श्रीवास्तव", "GST returns in practice",
                                                                          2.0, "Asha Menon")
    assert issued.held_at == datetime(2026, 11, 20, 20, 0, tzinfo=UTC) and issued.url == f"/sessions/{session_id}"
    assert CODE_PATTERN.fullmatch(issued.code) and not issued.revoked

    sessions.rename(session_id, "Renamed later")
    await db.users.update_one({"_id": person["_id"]}, {"$set": {"name": "Someone else"}})
    [stored] = await service.of_person(db, person["_id"])
    assert (stored.title, stored.name, stored.code) == ("GST returns in practice", "क्षितिज श्रीवास्तव", issued.code)
    assert await service.by_code(db, issued.code) == stored


async def test_issuing_again_returns_the_same_certificate(client: TestClient, app: web.Application, db: Any,
                                                          sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db)
    session_id = sessions.add(attendees=(person,))
    first = await issue(app, host, person, session_id)
    again = await asyncio.gather(*(issue(app, host, person, session_id) for _ in range(5)))
    assert {certificate.code for certificate in again} == {first.code}
    assert await db[CERTIFICATES].count_documents({}) == 1
    with pytest.raises(DuplicateKeyError):  # the unique index, not only the service, holds one per subject
        await db[CERTIFICATES].insert_one({"code": service.new_code(), "person_id": person["_id"], "kind": KIND,
                                           "subject_id": session_id})
    other = sessions.add(attendees=(person,))
    assert (await issue(app, host, person, other)).code != first.code
    assert len({service.new_code() for _ in range(1000)}) == 1000


async def test_refusals_write_nothing(client: TestClient, app: web.Application, db: Any, sessions: Sessions) -> None:
    host, absent, erased = await make_user(db), await make_user(db), await make_user(db, deleted=True)
    session_id = sessions.add(attendees=(erased,))
    with pytest.raises(Forbidden):
        await issue(app, host, absent, session_id)
    with pytest.raises(NotFound):
        await issue(app, host, erased, session_id)
    sessions.attended.add((absent["_id"], session_id := sessions.add()))
    del sessions.facts[session_id]
    with pytest.raises(NotFound):
        await issue(app, host, absent, session_id)
    with pytest.raises(LookupError):
        await act(app, actor_for_user(host), service.issue, absent["_id"], "no_such_kind", session_id)
    assert await db[CERTIFICATES].count_documents({}) == 0


async def test_a_certificate_issued_in_a_failed_action_does_not_exist(client: TestClient, app: web.Application, db: Any,
                                                                      sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db)
    session_id = sessions.add(attendees=(person,))

    async def issue_then_fail(tx: actions.Action) -> None:
        await service.issue(tx, person["_id"], KIND, session_id)
        raise RuntimeError("the caller's own write failed")

    with pytest.raises(RuntimeError):
        await act(app, actor_for_user(host), issue_then_fail)
    assert await db[CERTIFICATES].count_documents({}) == 0


async def test_revoked_then_issued_again_is_the_same_certificate_standing(client: TestClient, app: web.Application,
                                                                          db: Any, sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db)
    session_id = sessions.add(attendees=(person,))
    issued = await issue(app, host, person, session_id)
    assert await act(app, actor_for_user(host), service.revoke, person["_id"], KIND, session_id)
    assert not await act(app, actor_for_user(host), service.revoke, person["_id"], KIND, session_id)
    revoked = await service.by_code(db, issued.code)
    assert revoked is not None and revoked.revoked and revoked.revoked_reason == service.WITHDRAWN
    restored = await issue(app, host, person, session_id)
    assert restored.code == issued.code and not restored.revoked
    assert not (await service.by_code(db, issued.code) or revoked).revoked


async def test_an_unknown_or_malformed_code_finds_nothing(client: TestClient, db: Any) -> None:
    assert await service.by_code(db, service.new_code()) is None
    assert await service.by_code(db, "' or 1=1 --") is None
    assert await service.by_code(db, "x" * 23) is None


@pytest.mark.parametrize("wrong", [{"held_at": datetime(2026, 11, 20, 5, 30)}, {"title": "  "}, {"host_name": ""},
                                   {"hours": 0}, {"hours": -1}, {"hours": 24 * 7 + 1}])
def test_facts_a_certificate_could_not_state_are_refused(wrong: dict[str, Any]) -> None:
    given = {"title": "Outcome budgeting", "held_at": datetime(2026, 11, 20, 5, 30, tzinfo=UTC), "hours": 1.5,
             "host_name": "Asha Menon", "url": "/sessions/1", **wrong}
    with pytest.raises(ValueError):
        Facts(**given)
