"""Display names: one validator wherever a name is set, and no passing for a member of staff."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import BaseModel

from community.errors import Invalid
from community.validation import DisplayName, confusable, skeleton, validate
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_org, make_user


class Named(BaseModel):
    name: DisplayName


def refused(name: str) -> str:
    with pytest.raises(Invalid) as error:
        validate(Named, {"name": name})
    return error.value.errors["name"]


@pytest.mark.parametrize("name", [
    "Asha\u200bSharma",        # zero-width space
    "\ufeffAsha Sharma",       # byte-order mark
    "Asha\u2060Sharma",        # word joiner
    "Asha \u202eamrahS",       # right-to-left override
    "Asha\u200f Sharma",       # right-to-left mark
    "Asha\u2067 Sharma",       # right-to-left isolate
    "Asha\u061c Sharma",       # Arabic letter mark
    "Asha\x00Sharma", "Asha\x1bSharma",
])
def test_invisible_and_direction_characters_are_refused(name: str) -> None:
    assert "invisible" in refused(name)


def test_a_flood_of_combining_marks_is_refused_but_hindi_letters_are_not() -> None:
    assert "marks" in refused("Asha" + "\u0301" * 4 + "Sharma")
    assert "marks" in refused("Z\u0336\u0337\u0338\u0335algo")
    assert validate(Named, {"name": "ड़ुँगर सिंह"}).name == "ड़ुँगर सिंह"


def test_names_are_nfkc_normalised_and_joiners_only_kept_where_they_shape() -> None:
    assert validate(Named, {"name": "Ａｓｈａ  𝐒harma"}).name == "Asha Sharma"
    assert validate(Named, {"name": "अनु\u200dराधा"}).name == "अनुराधा", "a joiner after a vowel sign does nothing"
    assert validate(Named, {"name": "क्\u200dष"}).name == "क्\u200dष", "after a virama it picks the half form"
    assert "< and >" in refused("<b>Asha</b>")


def test_the_skeleton_reads_names_as_people_do() -> None:
    assert skeleton("Аdmin Ѕharma") == skeleton("Admin Sharma"), "Cyrillic А and Ѕ"
    assert skeleton("admin") == skeleton("ａｄｍｉｎ") == skeleton("аdmіn")
    assert skeleton("Ilya") == skeleton("lIya"), "capital I and small l"
    assert confusable("ADMIN", "аdmin") and confusable("Meera Iyer", "MEERA lYER")
    assert not confusable("Asha Sharma", "Usha Sharma")
    assert not confusable("अनुराधा", "अनुराग")


async def register(client: TestClient, org: dict[str, Any], name: str, **headers: str) -> Any:
    token = await csrf_token(client, "/register")
    return await client.post("/register", allow_redirects=False, headers=headers, data={
        "name": name, "email": "newcomer@example.gov.in", "org_id": str(org["_id"]), "designation": "Under Secretary",
        "password": "a long enough secret", "csrf_token": token})


@pytest.mark.parametrize("name", ["Meera Iyer", "meera iyer", "Меега Іуег", "Meera\u00a0Iyer", "Ｍｅｅｒａ Ｉｙｅｒ"])
async def test_registration_refuses_a_staff_members_name_and_its_look_alikes(client: TestClient, db: Any,
                                                                              name: str) -> None:
    org = await make_org(db)
    await make_user(db, org=org, roles=("admin",), name="Meera Iyer")
    response = await register(client, org, name)
    assert response.status == 422
    html = await response.text()
    assert 'id="error-name"' in html and "mistaken for an administrator" in html
    assert await db.users.count_documents({"email": "newcomer@example.gov.in"}) == 0


async def test_the_message_is_in_hindi_too(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await make_user(db, org=org, roles=("moderator",), name="Meera Iyer")
    html = await (await register(client, org, "Меега Iyer", **{"Accept-Language": "hi"})).text()
    assert 'id="error-name"' in html and "प्रशासक" in html


async def test_a_name_like_an_officers_is_fine(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    await make_user(db, org=org, roles=("officer",), name="Meera Iyer")
    assert (await register(client, org, "Меега Іуег")).status == 303


async def test_profile_edits_refuse_a_staff_look_alike_but_staff_keep_their_own(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    admin = await make_user(db, org=org, roles=("admin",), name="Meera Iyer")
    officer = await make_user(db, org=org)
    response = await client.put("/api/v1/profiles/me", json={"name": "Meera lyer"},
                                headers={"Authorization": f"Bearer {await bearer_token(db, officer)}"})
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["field"] == "name"
    assert (await db.users.find_one({"_id": officer["_id"]}))["name"] == officer["name"]
    own = await client.put("/api/v1/profiles/me", json={"name": "MEERA IYER"},
                           headers={"Authorization": f"Bearer {await bearer_token(db, admin)}"})
    assert own.status == 200, await own.text()
    invisible = await client.put("/api/v1/profiles/me", json={"name": "Ravi\u200b Kumar"},
                                 headers={"Authorization": f"Bearer {await bearer_token(db, officer)}"})
    assert invisible.status == 422 and (await invisible.json())["errors"][0]["field"] == "name"
