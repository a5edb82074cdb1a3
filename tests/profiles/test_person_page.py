"""The person page as a whole."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.factories import make_user, sign_in
from tests.profiles.helpers import small_dictionary


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
