"""After a form does what was asked, the page it leads to says so once, in the reader's language,
in an alert; a forged confirmation cookie puts nothing on a page."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.confirmations import COOKIE
from tests.conftest import csrf_token
from tests.factories import make_user, sign_in

ALERT = '<p class="notice confirmation" role="alert">'


async def test_a_saved_profile_is_confirmed_once_on_the_page_it_leads_to(client: TestClient, db: Any) -> None:
    officer = await make_user(db, name="Nandini Rao")
    await sign_in(client, officer)
    token = await csrf_token(client, "/profile/edit")
    saved = await client.post("/profile/edit", data={"csrf_token": token, "name": "Nandini Rao", "designation": "Under Secretary"},
                              allow_redirects=False)
    assert saved.status == 303, await saved.text()
    shown = await (await client.get(saved.headers["Location"])).text()
    assert f"{ALERT}Your profile was saved.</p>" in shown
    again = await (await client.get(saved.headers["Location"])).text()
    assert ALERT not in again, "the confirmation is shown once"


async def test_the_confirmation_speaks_the_readers_language(client: TestClient, db: Any) -> None:
    officer = await make_user(db)
    await sign_in(client, officer)
    client.session.cookie_jar.update_cookies({COOKIE: "profile_saved"})
    page = await (await client.get("/profile", headers={"Accept-Language": "hi"})).text()
    assert f"{ALERT}आपकी प्रोफ़ाइल सहेज ली गई।</p>" in page


async def test_a_forged_cookie_shows_nothing(client: TestClient, db: Any) -> None:
    client.session.cookie_jar.update_cookies({COOKIE: "Send your password to someone"})
    page = await (await client.get("/")).text()
    assert ALERT not in page and "Send your password" not in page


async def test_a_flag_and_a_connection_request_are_confirmed(client: TestClient, db: Any) -> None:
    asha, ravi = await make_user(db, name="Asha Kulkarni"), await make_user(db, name="Ravi Menon")
    await sign_in(client, asha)
    token = await csrf_token(client, f"/people/{ravi['_id']}")
    asked = await client.post(f"/people/{ravi['_id']}/network/connect", data={"csrf_token": token, "note": ""})
    assert asked.status == 200 and f"{ALERT}Your request to connect was sent.</p>" in await asked.text()
    withdrawn = await client.post(f"/people/{ravi['_id']}/network/withdraw", data={"csrf_token": token})
    assert f"{ALERT}Your request was withdrawn.</p>" in await withdrawn.text()


async def test_a_page_fetched_in_the_background_leaves_the_confirmation_to_the_page_navigated_to(
        client: TestClient, db: Any) -> None:
    """A live page refreshing itself by ``fetch`` while the form's answer leads the browser on."""
    officer = await make_user(db)
    await sign_in(client, officer)
    client.session.cookie_jar.update_cookies({COOKIE: "profile_saved"})
    fetched = await client.get("/profile", headers={"Sec-Fetch-Dest": "empty"})
    assert ALERT not in await fetched.text()
    shown = await (await client.get("/profile", headers={"Sec-Fetch-Dest": "document"})).text()
    assert f"{ALERT}Your profile was saved.</p>" in shown
