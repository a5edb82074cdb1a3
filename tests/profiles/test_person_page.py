"""The person page as a whole."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import call, small_dictionary


async def test_an_administrators_view_of_a_profile_has_a_short_title(client: TestClient, db: Any) -> None:
    """The record-a-result form belongs in the page, not in its ``<title>``."""
    await small_dictionary(db)
    officer, admin = await make_user(db, name="Meera Iyer"), await make_user(db, roles=("admin",))
    await sign_in(client, admin)
    page = await (await client.get(f"/people/{officer['_id']}")).text()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and len(title.group(1)) < 120 and "Meera Iyer" in title.group(1)
    assert "<form" not in title.group(1)
    assert page.count('action="/people/%s/verifications"' % officer["_id"]) == 1


async def test_states_and_languages_are_named_in_the_readers_language(client: TestClient, db: Any) -> None:
    """Stored in English, shown in Hindi to a Hindi reader: the person page, the edit form's
    checkboxes and the directory's filters."""
    officer = await make_user(db, name="Lakshmi Pillai")
    token = await bearer_token(db, officer)
    status, answer = await call(client, "PUT", "/api/v1/profiles/me", token,
                                json={"name": "Lakshmi Pillai", "state": "Tamil Nadu", "district": "Madurai",
                                      "languages": ["Tamil", "English"]})
    assert status == 200, answer
    await sign_in(client, officer)
    hindi = {"Accept-Language": "hi"}
    page = await (await client.get(f"/people/{officer['_id']}", headers=hindi)).text()
    assert "Madurai, तमिलनाडु" in page and "तमिल, अंग्रेज़ी" in page and "Tamil Nadu" not in page
    form = await (await client.get("/profile/edit", headers=hindi)).text()
    assert re.search(r'value="Tamil" checked> तमिल</label>', form)
    assert '<option value="Tamil Nadu" selected>तमिलनाडु</option>' in form
    directory = await (await client.get("/network", headers=hindi)).text()
    assert '<option value="Kerala">केरल</option>' in directory
