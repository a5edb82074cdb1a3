"""Categories: a hierarchy, public or private to one organisation, created by the right people only."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums.queries import CATEGORIES
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum


async def test_admins_create_categories_and_bad_input_is_refused(client: TestClient, forum: Forum) -> None:
    admin = await forum.person(roles=("admin",))
    officer = await forum.person()
    good = {"name": "Public procurement", "slug": "public-procurement"}
    assert (await client.post("/api/v1/forums/categories", json=good, headers=forum.headers(officer))).status == 403
    created = await client.post("/api/v1/forums/categories", json=good, headers=forum.headers(admin))
    assert created.status == 201
    parent = await created.json()
    assert (await client.post("/api/v1/forums/categories", json=good, headers=forum.headers(admin))).status == 422
    child = await client.post("/api/v1/forums/categories", headers=forum.headers(admin),
                              json={"name": "GeM", "slug": "gem", "parent_id": parent["id"]})
    assert (await child.json())["parent_id"] == parent["id"]
    for bad, field in (({"parent_id": "0123456789abcdef01234567"}, "parent_id"),
                       ({"org_id": "0123456789abcdef01234567"}, "org_id"),
                       ({"moderator_ids": ["0123456789abcdef01234567"]}, "moderator_ids"),
                       ({"competency_tags": ["fun.no-such.thing"]}, "competency_tags"),
                       ({"slug": "Bad Slug"}, "slug")):
        response = await client.post("/api/v1/forums/categories", headers=forum.headers(admin),
                                     json={"name": "Another category", "slug": "another", **bad})
        assert response.status == 422, bad
        assert (await response.json())["errors"][0]["field"] == field
    assert await forum.db[CATEGORIES].count_documents({}) == 2


async def test_an_organisation_admin_creates_only_their_own_private_spaces(client: TestClient, forum: Forum) -> None:
    mdo_admin = await forum.person("Ministry A", roles=("mdo_admin",))
    own = str((await forum.org("Ministry A"))["_id"])
    other = str((await forum.org("Ministry B"))["_id"])
    ok = await client.post("/api/v1/forums/categories", headers=forum.headers(mdo_admin),
                           json={"name": "Our space", "slug": "our-space", "org_id": own})
    assert ok.status == 201 and (await ok.json())["private"] is True
    for org_id in (other, ""):
        response = await client.post("/api/v1/forums/categories", headers=forum.headers(mdo_admin),
                                     json={"name": "Not ours", "slug": "not-ours", "org_id": org_id})
        assert response.status == 403


async def test_index_page_lists_the_hierarchy(client: TestClient, forum: Forum) -> None:
    parent = await forum.category("public-procurement")
    await forum.category("gem", parent_id=str(parent["_id"]))
    await forum.category("ministry-a-internal", org="Ministry A")
    html = await (await client.get("/forums")).text()
    assert "Public Procurement" in html and "Gem" in html
    assert "Ministry A Internal" not in html
    admin = await forum.person(roles=("admin",))
    await sign_in(client, admin)
    token = await csrf_token(client, "/forums/new-category")
    response = await client.post("/forums/new-category", data={"csrf_token": token, "name": "X", "slug": "Bad Slug"})
    assert response.status == 422
    html = await response.text()
    assert 'id="field-name-error"' in html and 'id="field-slug-error"' in html


async def test_creating_a_category_is_audited(client: TestClient, forum: Forum) -> None:
    admin = await forum.person(roles=("admin",))
    mdo_admin = await forum.person("Ministry A", roles=("mdo_admin",))
    own = (await forum.org("Ministry A"))["_id"]
    public = await client.post("/api/v1/forums/categories", headers=forum.headers(admin),
                               json={"name": "Public procurement", "slug": "public-procurement"})
    private = await client.post("/api/v1/forums/categories", headers=forum.headers(mdo_admin),
                                json={"name": "Our space", "slug": "our-space", "org_id": str(own)})
    refused = await client.post("/api/v1/forums/categories", headers=forum.headers(mdo_admin),
                                json={"name": "Not ours", "slug": "not-ours"})
    assert (public.status, private.status, refused.status) == (201, 201, 403)
    public_id, private_id = ObjectId((await public.json())["id"]), ObjectId((await private.json())["id"])
    entries = await forum.db.audit_log.find({"action": "forum.category.create"}, sort=[("at", 1)]).to_list(None)
    assert [(e["actor_id"], e["target_type"], e["target_id"], e["org_id"], e["details"], e["reason"])
            for e in entries] == [
        (admin["_id"], "forum_category", public_id, None, {"slug": "public-procurement"}, None),
        (mdo_admin["_id"], "forum_category", private_id, own, {"slug": "our-space"}, None),
    ]


async def test_no_category_nests_inside_another_organisations_private_one(client: TestClient, forum: Forum) -> None:
    private = await forum.category("ministry-a-internal", org="Ministry A")
    admin = await forum.person(roles=("admin",))
    ministry_b_admin = await forum.person("Ministry B", roles=("mdo_admin",))
    ministry_b = str((await forum.org("Ministry B"))["_id"])
    inside = {"parent_id": str(private["_id"])}
    for who, fields in ((admin, {}), (admin, {"org_id": ministry_b}), (ministry_b_admin, {"org_id": ministry_b})):
        response = await client.post("/api/v1/forums/categories", headers=forum.headers(who),
                                     json={"name": "Nested space", "slug": "nested-space", **inside, **fields})
        assert response.status == 422, fields
        assert (await response.json())["errors"] == [{
            "field": "parent_id",
            "message": "A category can only sit inside a public one or one of its own organisation."}]

    await sign_in(client, admin)
    token = await csrf_token(client, "/forums/new-category")
    page = await client.post("/forums/new-category", data={"csrf_token": token, "name": "Nested space",
                                                           "slug": "nested-space", "org_id": ministry_b, **inside})
    assert page.status == 422
    html = await page.text()
    assert 'id="field-parent_id-error"' in html
    assert "A category can only sit inside a public one or one of its own organisation." in html
    assert await forum.db[CATEGORIES].count_documents({}) == 1
    assert await forum.db.audit_log.count_documents({"action": "forum.category.create"}) == 1, \
        "only the private category itself was created"

    own = await client.post("/api/v1/forums/categories", headers=forum.headers(admin), json={
        "name": "Ministry A archive", "slug": "ministry-a-archive", "org_id": str(private["org_id"]), **inside})
    assert own.status == 201, "the same organisation's private space may nest inside its own"
    assert (await own.json())["parent_id"] == str(private["_id"])
