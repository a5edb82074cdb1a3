"""The composer's preview: a Preview button that works without JavaScript, and the live preview's
API, both through the renderer and sanitiser a saved post gets, and neither writes anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from community.forums import preview
from community.forums.queries import POSTS, THREADS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum

DRAFT = "**Tender** rules: https://gem.gov.in <script>alert(1)</script>"


def preview_section(page: str) -> str:
    return page.split('id="preview"', 1)[1].split("</section>", 1)[0]


async def test_preview_button_shows_a_new_thread_rendered_and_keeps_the_draft(client: TestClient, forum: Forum) -> None:
    category, author = await forum.category(), await forum.person()
    await sign_in(client, author)
    token = await csrf_token(client, f"/forums/c/{category['slug']}/new")
    response = await client.post(f"/forums/c/{category['slug']}/new", data={
        "csrf_token": token, "title": "Single bid tenders", "kind": "question", "body": DRAFT, "preview": "1"})
    page = await response.text()
    assert response.status == 200
    shown = preview_section(page)
    assert "<strong>Tender</strong> rules:" in shown
    assert '<a href="https://gem.gov.in" rel="nofollow ugc noopener">https://gem.gov.in</a>' in shown
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert 'value="Single bid tenders"' in page and "**Tender** rules: https://gem.gov.in &lt;script&gt;" in page
    assert await forum.db[THREADS].count_documents({}) == 0, "a preview posts nothing"


async def test_preview_button_on_a_reply_and_an_edit(client: TestClient, forum: Forum) -> None:
    category, author = await forum.category(), await forum.person()
    thread = await forum.thread(category, author)
    await sign_in(client, author)
    path = f"/forums/t/{thread['id']}"
    token = await csrf_token(client, path)
    response = await client.post(f"{path}/reply", data={"csrf_token": token, "body": "_Agreed_, see www.cvc.gov.in",
                                                        "preview": "1"})
    page = await response.text()
    assert response.status == 200
    assert '<em>Agreed</em>, see <a href="http://www.cvc.gov.in" rel="nofollow ugc noopener">' in preview_section(page)
    assert "_Agreed_, see www.cvc.gov.in</textarea>" in page
    assert await forum.db[POSTS].count_documents({}) == 1

    edit = f"{path}/p/1/edit"
    token = await csrf_token(client, edit)
    response = await client.post(edit, data={"csrf_token": token, "title": thread["title"], "body": "# Changed",
                                             "reason": "", "preview": "1"})
    assert response.status == 200 and "<h3>Changed</h3>" in preview_section(await response.text())
    assert (await forum.db[POSTS].find_one({"number": 1}))["body"] != "# Changed", "a preview saves nothing"


async def test_preview_api_renders_with_the_posts_renderer(client: TestClient, forum: Forum) -> None:
    author = await forum.person()
    await sign_in(client, author)
    token = await csrf_token(client, "/")
    response = await client.post("/api/v1/forums/preview", json={"body": DRAFT + "\n\n[poll]\n- Yes\n- No\n[/poll]"},
                                 headers={"X-CSRF-Token": token})
    assert response.status == 200
    rendered = (await response.json())["html"]
    assert rendered.startswith("<p><strong>Tender</strong> rules: <a href=\"https://gem.gov.in\" rel=\"nofollow ugc noopener\">")
    assert "<script>" not in rendered and "poll-slot" not in rendered
    assert "A poll appears here once the post is published." in rendered
    with_token = await client.post("/api/v1/forums/preview", json={"body": "ok"}, headers=forum.headers(author))
    assert with_token.status == 200 and (await with_token.json())["html"] == "<p>ok</p>\n"


async def test_preview_api_refuses_without_csrf_sign_in_or_a_good_body(client: TestClient, forum: Forum) -> None:
    no_session = await client.post("/api/v1/forums/preview", json={"body": "x"})
    assert no_session.status == 403, "a cookie-less, token-less write is refused by the CSRF check"
    author = await forum.person()
    await sign_in(client, author)
    no_header = await client.post("/api/v1/forums/preview", json={"body": "x"})
    assert no_header.status == 403
    token = await csrf_token(client, "/")
    too_long = await client.post("/api/v1/forums/preview", json={"body": "x" * 20_001}, headers={"X-CSRF-Token": token})
    assert too_long.status == 422 and (await too_long.json())["errors"][0]["field"] == "body"


async def test_a_suspended_member_gets_no_preview(client: TestClient, forum: Forum) -> None:
    author = await forum.person(suspended_until=datetime.now(UTC) + timedelta(days=2))
    response = await client.post("/api/v1/forums/preview", json={"body": "x"}, headers=forum.headers(author))
    assert response.status == 403


async def test_previews_are_rate_limited(client: TestClient, forum: Forum, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "PREVIEWS_PER_MINUTE", 2)
    category, author = await forum.category(), await forum.person()
    for _ in range(2):
        ok = await client.post("/api/v1/forums/preview", json={"body": "x"}, headers=forum.headers(author))
        assert ok.status == 200
    refused = await client.post("/api/v1/forums/preview", json={"body": "x"}, headers=forum.headers(author))
    assert refused.status == 429 and refused.content_type == "application/problem+json"
    assert "Retry-After" in refused.headers
    await sign_in(client, author)
    token = await csrf_token(client, f"/forums/c/{category['slug']}/new")
    page = await client.post(f"/forums/c/{category['slug']}/new", data={
        "csrf_token": token, "title": "Single bid tenders", "kind": "question", "body": "kept draft", "preview": "1"})
    text = await page.text()
    assert page.status == 200 and 'id="preview"' not in text and "kept draft</textarea>" in text
    assert 'id="field-body-error"' in text, "too many previews is said beside the body, the draft kept"


