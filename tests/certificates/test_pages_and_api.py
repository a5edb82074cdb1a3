"""The public verification page and its API, a person's certificates, and the PDF for its owner alone."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from community import keys
from community.accounts.sessions import actor_for_user
from community.certificates import service
from community.certificates.views import DOWNLOADS_PER_HOUR
from tests.certificates.conftest import KIND, Sessions
from tests.certificates.helpers import issue, pdf_text
from tests.factories import act, bearer_token, make_user, sent_to_sign_in, sign_in
from tests.profiles.helpers import call


async def test_the_verification_page_confirms_a_certificate_to_anyone(client: TestClient, app: web.Application,
                                                                      db: Any, sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db, name="கார்த்திகேயன்")
    session_id = sessions.add(title="Outcome budgeting", host_name="Asha Menon", attendees=(person,))
    issued = await issue(app, host, person, session_id)
    answer = await client.get(f"/certificates/{issued.code}")
    page = await answer.text()
    assert answer.status == 200
    for shown in ("This certificate is genuine.", "கார்த்திகேயன்", "Outcome budgeting", "20 November 2026",
                  "1.5 hours", "Asha Menon", issued.code):
        assert shown in page, shown
    assert person["email"] not in page and str(person["_id"]) not in page, "no other personal data"
    assert answer.headers.get("Cache-Control") != "no-store", "nothing in it depends on who asks"
    hindi = await (await client.get(f"/certificates/{issued.code}", headers={"Accept-Language": "hi"})).text()
    assert "यह प्रमाणपत्र असली है।" in hindi and "20 नवंबर 2026" in hindi and "1.5 घंटे" in hindi

    status, checked = await call(client, "GET", f"/api/v1/certificates/{issued.code}")
    assert status == 200 and checked["status"] == "valid" and checked["name"] == "கார்த்திகேயன்"
    assert (checked["title"], checked["host_name"], checked["hours"]) == ("Outcome budgeting", "Asha Menon", 1.5)
    assert checked["held_at"] == "2026-11-20T05:30:00.000Z" and checked["revoked_at"] is None

    await sign_in(client, person)
    signed_in = await client.get(f"/certificates/{issued.code}")
    assert signed_in.headers["Cache-Control"] == "no-store", "a page with the header of a signed-in person is not kept"


async def test_an_unknown_code_is_a_clear_not_found(client: TestClient, db: Any) -> None:
    for code in (service.new_code(), "not-a-code", "%27%20or%201%3D1"):
        answer = await client.get(f"/certificates/{code}")
        assert answer.status == 404
        assert "There is no certificate with this code." in await answer.text()
        status, problem = await call(client, "GET", f"/api/v1/certificates/{code}")
        assert status == 404 and "There is no certificate with this code." in problem["detail"]
    hindi = await client.get(f"/certificates/{service.new_code()}", headers={"Accept-Language": "hi"})
    assert "इस कोड का कोई प्रमाणपत्र नहीं है।" in await hindi.text()


async def test_a_revoked_certificate_says_so_and_is_no_longer_downloaded(client: TestClient, app: web.Application,
                                                                        db: Any, sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db, name="Kavita Rao")
    session_id = sessions.add(attendees=(person,))
    issued = await issue(app, host, person, session_id)
    await act(app, actor_for_user(host), service.revoke, person["_id"], KIND, session_id)
    page = await (await client.get(f"/certificates/{issued.code}")).text()
    assert "This certificate has been revoked." in page and "This certificate is genuine." not in page
    status, checked = await call(client, "GET", f"/api/v1/certificates/{issued.code}")
    assert checked["status"] == "revoked" and checked["revoked_at"] is not None

    await sign_in(client, person)
    refused = await client.get(f"/certificates/{issued.code}/pdf")
    assert refused.status == 403 and "This certificate has been revoked." in await refused.text()
    mine = await (await client.get("/certificates")).text()
    assert "Revoked" in mine and f"/certificates/{issued.code}/pdf" not in mine


async def test_only_the_owner_downloads_the_pdf(client: TestClient, app: web.Application, db: Any,
                                                sessions: Sessions, tmp_path: Path) -> None:
    host, person, other = await make_user(db), await make_user(db, name="क्षितिज श्रीवास्तव"), await make_user(db)
    issued = await issue(app, host, person, sessions.add(title="Public procurement", attendees=(person,)))
    path = f"/certificates/{issued.code}/pdf"
    assert await sent_to_sign_in(client, path)

    await sign_in(client, other)
    refused = await client.get(path)
    assert refused.status == 403 and "Only the person it was issued to" in await refused.text()
    status, problem = await call(client, "GET", f"/api/v1{path}", await bearer_token(db, other))
    assert status == 403 and problem["detail"] == "Only the person it was issued to can download this certificate."

    client.session.cookie_jar.clear()
    await sign_in(client, person)
    downloaded = await client.get(path)
    assert downloaded.status == 200 and downloaded.content_type == "application/pdf"
    assert downloaded.headers["Content-Disposition"] == f'attachment; filename="certificate-{issued.code}.pdf"'
    assert downloaded.headers["Cache-Control"] == "no-store"
    text = pdf_text(await downloaded.read(), tmp_path)
    assert "क्षितिज श्रीवास्तव" in text.splitlines() and "Public procurement" in text
    assert f"{client.app[keys.SETTINGS].base_url}/certificates/{issued.code}" in text.splitlines()
    hindi = await client.get(path, headers={"Accept-Language": "hi"})
    assert "उपस्थिति प्रमाणपत्र" in pdf_text(await hindi.read(), tmp_path)

    status, body = await call(client, "GET", f"/api/v1{path}", await bearer_token(db, person))
    assert status == 200 and body.startswith(b"%PDF-")


async def test_downloads_are_rate_limited(client: TestClient, app: web.Application, db: Any,
                                          sessions: Sessions) -> None:
    host, person = await make_user(db), await make_user(db)
    issued = await issue(app, host, person, sessions.add(attendees=(person,)))
    now = time.time()
    await db.rate_limits.insert_one({"_id": f"certificate-pdf:{person['_id']}", "expires_at": None,
                                     "hits": [now - index for index in range(DOWNLOADS_PER_HOUR)]})
    token = await bearer_token(db, person)
    refused = await client.get(f"/api/v1/certificates/{issued.code}/pdf", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 3000


async def test_my_certificates_lists_mine_with_their_links(client: TestClient, app: web.Application, db: Any,
                                                           sessions: Sessions) -> None:
    host, person, other = await make_user(db), await make_user(db), await make_user(db)
    first = await issue(app, host, person, sessions.add(title="Noting and drafting", attendees=(person, other)))
    await issue(app, host, other, next(iter(sessions.facts)))
    assert await sent_to_sign_in(client, "/certificates")
    await sign_in(client, person)
    page = await (await client.get("/certificates")).text()
    assert "Noting and drafting" in page and f'href="/certificates/{first.code}/pdf"' in page
    assert f'href="/certificates/{first.code}"' in page and page.count("/pdf\"") == 1
    assert 'href="/certificates"' in page, "the menu under the person's name leads here"
    hindi = await (await client.get("/certificates", headers={"Accept-Language": "hi"})).text()
    assert "आपके प्रमाणपत्र" in hindi and "PDF डाउनलोड करें" in hindi

    status, listed = await call(client, "GET", "/api/v1/me/certificates", await bearer_token(db, person))
    [item] = listed["items"]
    assert status == 200 and item["code"] == first.code and item["kind"] == KIND
    assert item["verify_url"] == f"{client.app[keys.SETTINGS].base_url}/certificates/{first.code}"
    assert item["pdf_url"] == f"/api/v1/certificates/{first.code}/pdf"
