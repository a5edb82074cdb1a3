"""Profile fields are declared once (community.profiles.fields) and every part iterates them."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community import api
from community.app import create_app
from community.config import Settings
from community.i18n import lazy_gettext
from community.privacy.registry import entries
from community.profiles import fields
from community.validation import Line
from search.definitions import PEOPLE
from community.profiles.storage import person_documents
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import call

BATCH = fields.ProfileField(
    "batch", lazy_gettext("Training batch"), "organisation", str,
    inputs=(fields.Input("batch", lazy_gettext("Your training batch"), "line", Annotated[str, Line(0, 40)], max_length=40),),
    search="text", search_weight=3)
"""A field no other file knows: the test adds it to the declarations and nothing else. The search
engine's schema is made from the declarations at import, before the test adds this one, so the
background indexer refuses its documents here (and retries); the test checks the document
builder, and ``test_search_weights_are_the_declared_ones`` that the index takes the declared weights."""


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> web.Application:
    """The app made after ``BATCH`` is declared, as it would be had the field been in the module."""
    monkeypatch.setattr(fields, "FIELDS", (*fields.FIELDS, BATCH))
    return create_app(settings)


async def test_a_declared_field_is_edited_shown_documented_searched_exported_and_erased(
        client: TestClient, db: Any) -> None:
    user = await make_user(db, name="Asha Verma")
    await sign_in(client, user)
    form_page = await (await client.get("/profile/edit")).text()
    assert '<label for="batch">Your training batch</label>' in form_page and 'maxlength="40"' in form_page
    assert '<label for="privacy_batch">Training batch</label>' in form_page

    token = await csrf_token(client, "/profile/edit")
    response = await client.post("/profile/edit", data={"csrf_token": token, "name": "Asha Verma",
                                                        "batch": "2012, 87th Foundation Course"}, allow_redirects=False)
    assert response.status == 303
    stored = await db.profiles.find_one({"_id": user["_id"]})
    assert stored["batch"] == "2012, 87th Foundation Course" and stored["privacy"]["batch"] == "organisation"
    page = await (await client.get(f"/people/{user['_id']}")).text()
    assert "<dt>Training batch</dt><dd>2012, 87th Foundation Course</dd>" in page

    api_token = await bearer_token(db, user)
    status, shown = await call(client, "GET", "/api/v1/profiles/me", api_token)
    assert status == 200 and shown["batch"] == "2012, 87th Foundation Course"
    schemas = api.openapi_document(client.app)["components"]["schemas"]
    assert "batch" in schemas["ProfileOut"]["properties"] and "batch" in schemas["ProfileUpdate"]["properties"]
    assert "batch" in schemas["ProfileUpdate"]["properties"]["privacy"]["propertyNames"]["enum"]
    status, problem = await call(client, "PUT", "/api/v1/profiles/me", api_token, json={"name": "Asha", "batch": "x" * 41})
    assert status == 422 and [error["field"] for error in problem["errors"]] == ["batch"]

    colleague = await make_user(db, org={"_id": user["org_id"]})
    stranger = await make_user(db)
    assert (await call(client, "GET", f"/api/v1/profiles/{user['_id']}", await bearer_token(db, colleague)))[1]["batch"]
    assert "batch" not in (await call(client, "GET", f"/api/v1/profiles/{user['_id']}",
                                      await bearer_token(db, stranger)))[1]

    account = await db.users.find_one({"_id": user["_id"]})
    copies = {doc["id"].split(".")[1]: doc for doc in person_documents(account, stored, 0)}
    assert copies["organisation"]["batch"] == "2012, 87th Foundation Course" and "batch" not in copies["members"]
    assert fields.search_weights()["batch"] == 3

    status, exported = await call(client, "GET", "/api/v1/me/data", api_token)
    assert status == 200
    assert exported["collections"]["profiles"]["documents"][0]["batch"] == "2012, 87th Foundation Course"
    status, _answer = await call(client, "POST", "/api/v1/me/erase", api_token, json={"confirm": user["email"]})
    assert status == 200
    assert await db.profiles.find_one({"batch": {"$exists": True}}) is None


def test_search_weights_are_the_declared_ones() -> None:
    assert dict(PEOPLE.searchable) == {"name": 4, "designation": 2, "expertise": 2, "service": 1, "location": 1, "bio": 1}
    assert dict(PEOPLE.searchable) == {"name": 4, **fields.search_weights()}


def test_account_fields_are_anonymised_by_the_accounts_erasure_rule() -> None:
    """A field stored on the account is not erased with the profile document, so the account's
    rule must name each of its inputs (a field erased by neither would outlive the person)."""
    replaced = next(e.replacements for e in entries() if (e.collection, e.field) == ("users", "_id"))
    on_account = {item.key for field, item in fields.inputs() if field.store == "account"}
    assert on_account and on_account <= set(replaced)
