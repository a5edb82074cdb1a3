"""Threads and categories show competencies by name, and their forms offer lists to choose from
(competencies, organisations) and e-mail addresses for moderators, never ids to type."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from community.forums.queries import CATEGORIES, THREADS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum

LISTENING = "beh.communication.active-listening"
JUDGEMENT = "beh.decision-making.sound-judgement"


async def test_thread_and_category_pages_show_competency_names_linked_to_the_dictionary(
        client: TestClient, forum: Forum) -> None:
    category = await forum.category("listening", competency_tags=[LISTENING])
    author = await forum.person()
    thread = await forum.thread(category, author, competency_tags=[JUDGEMENT])
    category_html = await (await client.get("/forums/c/listening")).text()
    thread_html = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert f'href="/competencies/{LISTENING}">Active Listening</a>' in category_html
    assert f'href="/competencies/{JUDGEMENT}">Sound Judgement</a>' in thread_html
    assert f">{LISTENING}<" not in category_html and f">{JUDGEMENT}<" not in thread_html


async def test_a_thread_is_started_with_competencies_ticked_in_the_list(client: TestClient, forum: Forum) -> None:
    await forum.category("listening", competency_tags=[LISTENING])
    author = await forum.person()
    await sign_in(client, author)
    form = await (await client.get("/forums/c/listening/new")).text()
    assert f'type="checkbox" name="competency_tags" value="{JUDGEMENT}"' in form
    assert "the category's are used: Active Listening" in form
    token = await csrf_token(client, "/forums/c/listening/new")
    body = {"csrf_token": token, "title": "Listening to a complainant", "kind": "discussion",
            "body": "How do you keep a long hearing calm and useful?"}
    posted = await client.post("/forums/c/listening/new", data=[*body.items(), ("competency_tags", JUDGEMENT),
                                                                ("competency_tags", LISTENING)],
                               allow_redirects=False)
    assert posted.status == 303, await posted.text()
    stored = await forum.db[THREADS].find_one({"title": "Listening to a complainant"})
    assert stored["competency_tags"] == [JUDGEMENT, LISTENING]


async def test_a_thread_form_with_a_competency_not_in_the_dictionary_says_so_beside_the_list(
        client: TestClient, forum: Forum) -> None:
    await forum.category("listening")
    await sign_in(client, await forum.person())
    token = await csrf_token(client, "/forums/c/listening/new")
    ticked = [("competency_tags", f"beh.communication.made-up-{n}") for n in range(6)]
    refused = await client.post("/forums/c/listening/new", data=[
        ("csrf_token", token), ("title", "Listening to a complainant"), ("body", "How do you keep it calm and useful?"),
        *ticked])
    assert refused.status == 422
    html = await refused.text()
    assert 'id="competency_tags-error"' in html and "Choose at most 5 competencies; you chose 6." in html
    one_unknown = await client.post("/forums/c/listening/new", data=[
        ("csrf_token", token), ("title", "Listening to a complainant"), ("body", "How do you keep it calm and useful?"),
        ("competency_tags", "beh.communication.made-up"), ("competency_tags", LISTENING)])
    assert one_unknown.status == 422
    html = await one_unknown.text()
    assert "Not in the competency dictionary: beh.communication.made-up" in html
    assert f'value="{LISTENING}" checked' in html, "what was ticked stays ticked"
    assert await forum.db[THREADS].count_documents({}) == 0


async def test_a_category_is_created_by_choosing_an_organisation_and_naming_moderators_by_address(
        client: TestClient, forum: Forum) -> None:
    admin = await forum.person(roles=("admin",))
    moderator = await forum.person("Ministry A", email="meera.iyer@example.gov.in")
    ministry = await forum.org("Ministry A")
    await sign_in(client, admin)
    form = await (await client.get("/forums/new-category")).text()
    assert f'<option value="{ministry["_id"]}">Ministry A</option>' in form
    assert "its id" not in form and "member ids" not in form
    token = await csrf_token(client, "/forums/new-category")
    created = await client.post("/forums/new-category", allow_redirects=False, data=[
        ("csrf_token", token), ("name", "Our space"), ("slug", "our-space"), ("org_id", str(ministry["_id"])),
        ("moderators", "Meera.Iyer@example.gov.in"), ("competency_tags", LISTENING)])
    assert created.status == 303, await created.text()
    stored = await forum.db[CATEGORIES].find_one({"slug": "our-space"})
    assert (stored["org_id"], stored["moderator_ids"], stored["competency_tags"]) == (
        ministry["_id"], [moderator["_id"]], [LISTENING])


async def test_an_unknown_moderator_address_is_named_beside_the_field_and_nothing_is_created(
        client: TestClient, forum: Forum) -> None:
    await sign_in(client, await forum.person(roles=("admin",)))
    token = await csrf_token(client, "/forums/new-category")
    refused = await client.post("/forums/new-category", data={
        "csrf_token": token, "name": "Our space", "slug": "our-space", "moderators": "nobody@example.gov.in"})
    assert refused.status == 422
    html = await refused.text()
    assert 'id="field-moderators-error"' in html and "Nobody here has the address nobody@example.gov.in." in html
    assert await forum.db[CATEGORIES].count_documents({}) == 0


async def test_an_organisation_administrator_is_offered_only_their_own_organisation(
        client: TestClient, forum: Forum) -> None:
    await forum.org("Ministry B")
    await sign_in(client, await forum.person("Ministry A", roles=("mdo_admin",)))
    form = await (await client.get("/forums/new-category")).text()
    assert ">Ministry A</option>" in form
    assert ">Ministry B</option>" not in form and "None: a public category" not in form


async def test_the_new_category_form_and_the_leaderboard_are_linked(client: TestClient, forum: Forum) -> None:
    visitor = await (await client.get("/forums")).text()
    assert 'href="/leaderboard"' in visitor and 'href="/forums/new-category"' not in visitor
    officer = await forum.person()
    await sign_in(client, officer)
    assert 'href="/forums/new-category"' not in await (await client.get("/forums")).text()
    assert 'href="/leaderboard"' in await (await client.get(f"/people/{officer['_id']}")).text()
    await sign_in(client, await forum.person(roles=("mdo_admin",)))
    assert 'href="/forums/new-category"' in await (await client.get("/forums")).text()
    assert 'href="/forums/new-category"' in await (await client.get("/admin")).text()
