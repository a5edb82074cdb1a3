"""The account page sets the language a person is written to in (pages, e-mails, notifications)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token
from tests.factories import make_user, sign_in


def selected(page: str) -> str:
    select = re.search(r'<select id="account-language" name="lang">(.*?)</select>', page, re.S)
    assert select is not None, "the account page offers the language"
    chosen = re.findall(r'<option value="(\w+)"[^>]*selected', select.group(1))
    assert len(chosen) == 1
    return chosen[0]


async def test_the_account_page_stores_the_persons_language(client: TestClient, db: Any) -> None:
    person = await make_user(db)
    await sign_in(client, person)
    assert selected(await (await client.get("/account")).text()) == "en"
    saved = await client.post("/language", data={"lang": "hi", "next": "/account",
                                                 "csrf_token": await csrf_token(client, "/account")},
                              allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == "/account"
    assert (await db.users.find_one({"_id": person["_id"]}))["language"] == "hi"
    client.session.cookie_jar.clear_domain("127.0.0.1")
    await sign_in(client, person)
    page = await (await client.get("/account", headers={"Accept-Language": "en"})).text()
    assert selected(page) == "hi", "signing in on another browser brings the stored language, not the browser's"
    assert '<html lang="hi">' in page
