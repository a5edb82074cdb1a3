"""A person's certificates in their export; erasure revokes them and removes the name."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.certificates import service
from community.privacy.erase import erase_person
from community.privacy.export import personal_data
from tests.certificates.conftest import Sessions
from tests.certificates.helpers import issue
from tests.factories import make_user


async def test_the_export_holds_a_persons_certificates(client: TestClient, app: web.Application, db: Any,
                                                       sessions: Sessions) -> None:
    host, person, other = await make_user(db), await make_user(db, name="সুস্মিতা চক্রবর্তী"), await make_user(db)
    mine = await issue(app, host, person, sessions.add(title="Right to Information", attendees=(person, other)))
    await issue(app, host, other, next(iter(sessions.facts)))
    section = (await personal_data(db, person["_id"]))["collections"]["certificates"]
    [exported] = section["documents"]
    assert (exported["code"], exported["name"], exported["title"]) == (mine.code, "সুস্মিতা চক্রবর্তী", "Right to Information")
    assert section["purposes"] and "Certificates" in section["purposes"][0]


async def test_erasure_revokes_the_certificates_and_removes_the_name(client: TestClient, app: web.Application, db: Any,
                                                                     sessions: Sessions) -> None:
    host, person, other = await make_user(db), await make_user(db, name="Kavita Rao"), await make_user(db, name="Ravi")
    session_id = sessions.add(attendees=(person, other))
    issued, kept = await issue(app, host, person, session_id), await issue(app, host, other, session_id)
    await erase_person(db, person["_id"], actor=actor_for_user(person))

    erased = await service.by_code(db, issued.code)
    assert erased is not None and erased.name is None and erased.revoked and erased.revoked_reason == service.ERASED
    assert await db[service.CERTIFICATES].count_documents({"name": "Kavita Rao"}) == 0
    page = await (await client.get(f"/certificates/{issued.code}")).text()
    assert "This certificate has been revoked." in page and "Deleted member" in page and "Kavita Rao" not in page
    untouched = await service.by_code(db, kept.code)
    assert untouched is not None and untouched.name == "Ravi" and not untouched.revoked
