"""Starting threads and replying: through the API and the pages, with counters, history and pagination."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.forums.queries import CATEGORIES, POSTS, THREADS
from tests.conftest import csrf_token
from tests.factories import sign_in
from tests.forums.conftest import Forum


async def test_thread_and_replies_through_the_api(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha, tags=["gem", "GFR-2017"])
    assert thread["tags"] == ["gem", "gfr-2017"]
    assert thread["competency_tags"] == []
    first = await forum.reply(thread, bala, "Extend the bid period by a week.")
    second = await forum.reply(thread, asha, "Thanks, that worked.", reply_to=2)
    assert (first["number"], second["number"], second["reply_to"]) == (2, 3, 2)
    page = await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json()
    assert [p["number"] for p in page["posts"]] == [1, 2, 3]
    assert page["thread"]["reply_count"] == 2
    stored = await forum.db[CATEGORIES].find_one({"slug": category["slug"]})
    assert (stored["thread_count"], stored["post_count"]) == (1, 3)


async def test_category_default_competencies_apply_when_thread_has_none(client: TestClient, forum: Forum) -> None:
    category = await forum.category("grievances", competency_tags=["fun.grievance-redressal.public-grievance-handling"])
    thread = await forum.thread(category, await forum.person())
    assert thread["competency_tags"] == ["fun.grievance-redressal.public-grievance-handling"]
    response = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                 json={"title": "Unknown competency here", "body": "A body that is long enough",
                                       "competency_tags": ["fun.no-such.competency"]},
                                 headers=forum.headers(await forum.person()))
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "competency_tags"


async def test_bad_thread_input_writes_nothing(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    response = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads",
                                 json={"title": "x", "body": "", "kind": "poll"}, headers=forum.headers(asha))
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    fields = {error["field"] for error in (await response.json())["errors"]}
    assert fields == {"title", "body", "kind"}
    assert await forum.db[THREADS].count_documents({}) == 0
    assert await forum.db[POSTS].count_documents({}) == 0
    for bad, status in (("[1, 2]", 422), ("not json", 400), ('"text"', 422)):
        response = await client.post(f"/api/v1/forums/categories/{category['slug']}/threads", data=bad,
                                     headers={**forum.headers(asha), "Content-Type": "application/json"})
        assert response.status == status


async def test_reply_to_a_missing_post_is_refused(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha)
    response = await client.post(f"/api/v1/forums/threads/{thread['id']}/replies",
                                 json={"body": "Replying to nothing", "reply_to": 40}, headers=forum.headers(asha))
    assert response.status == 422
    assert (await response.json())["errors"] == [{"field": "reply_to", "message": "The post you are replying to does not exist."}]
    assert await forum.db[POSTS].count_documents({}) == 1


async def test_unknown_ids_are_not_found(client: TestClient, forum: Forum) -> None:
    for path in ("/api/v1/forums/threads/nothex", "/api/v1/forums/threads/0123456789abcdef01234567",
                 "/forums/t/zzz", "/forums/c/no-such-category", "/forums/t/0123456789abcdef01234567/p/1"):
        assert (await client.get(path)).status == 404, path


async def test_cursor_pagination_visits_every_post_once(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    for index in range(12):
        await forum.reply(thread, bala if index % 2 else asha, f"Reply number {index} with some words")
    seen: list[int] = []
    cursor = ""
    for _ in range(10):
        query = f"?limit=5&cursor={cursor}" if cursor else "?limit=5"
        page = await (await client.get(f"/api/v1/forums/threads/{thread['id']}{query}")).json()
        seen += [post["number"] for post in page["posts"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(range(1, 14))
    for bad in ("!!!", "eyJuIjogLTF9", "W10"):
        response = await client.get(f"/api/v1/forums/threads/{thread['id']}?cursor={bad}")
        assert response.status == 422, bad
    assert (await client.get(f"/api/v1/forums/threads/{thread['id']}?limit=0")).status == 422


async def test_thread_list_pagination_and_sorts(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    threads = [await forum.thread(category, asha, title=f"Thread number {i:02d} here", kind="discussion")
               for i in range(7)]
    await forum.reply(threads[0], bala, "Bumping the oldest thread")
    latest = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?limit=3")).json()
    assert latest["items"][0]["id"] == threads[0]["id"]
    ids: list[str] = []
    cursor = None
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads{query}")).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(ids) == sorted(t["id"] for t in threads) and len(ids) == 7
    newest = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?sort=newest")).json()
    assert newest["items"][0]["id"] == threads[-1]["id"]
    unanswered = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?sort=unanswered")).json()
    assert threads[0]["id"] not in {item["id"] for item in unanswered["items"]}
    assert len(unanswered["items"]) == 6
    opening = await forum.db[POSTS].find_one({"number": 1, "thread_id": ObjectId(threads[3]["id"])})
    await client.put(f"/api/v1/forums/posts/{opening['_id']}/vote", headers=forum.headers(bala))
    top = await (await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?sort=top&period=week")).json()
    assert top["items"][0]["id"] == threads[3]["id"]
    bad = await client.get(f"/api/v1/forums/categories/{category['slug']}/threads?sort=hottest")
    assert bad.status == 422


async def test_pages_work_without_javascript(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    await sign_in(client, asha)
    token = await csrf_token(client, f"/forums/c/{category['slug']}/new")
    response = await client.post(f"/forums/c/{category['slug']}/new", allow_redirects=False, data={
        "csrf_token": token, "title": "Drafting an office memorandum", "body": "Which format do you follow?",
        "kind": "question", "tags": "drafting"})
    assert response.status == 303
    thread_path = response.headers["Location"]
    page = await client.get(thread_path)
    html = await page.text()
    assert "Drafting an office memorandum" in html and "Which format do you follow?" in html
    token = await csrf_token(client, thread_path)
    response = await client.post(thread_path + "/reply", data={"csrf_token": token, "body": "We use the CSMOP format."},
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].endswith("/p/2")
    response = await client.post(thread_path + "/reply", data={"csrf_token": token, "body": ""})
    assert response.status == 422
    html = await response.text()
    assert 'aria-invalid="true"' in html and "reply-body-error" in html
    assert await forum.db[POSTS].count_documents({}) == 2


async def test_each_post_shows_its_authors_face_designation_and_a_link_to_their_profile(
        client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person(name="Asha Verma", designation="Deputy Secretary")
    thread = await forum.thread(category, asha, title="Who approves a study leave request?")
    html = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert f'<img class="avatar" src="/people/{asha["_id"]}/avatar"' in html
    assert f'<a id="post-1-by" class="author" href="/people/{asha["_id"]}">Asha Verma</a>' in html
    assert '<span class="meta designation">Deputy Secretary</span>' in html
    listing = await (await client.get(f"/forums/c/{category['slug']}")).text()
    assert f'<div class="meta last-poster"><img class="avatar" src="/people/{asha["_id"]}/avatar"' in listing


async def test_signed_out_pages_carry_each_readers_own_csrf_token(client: TestClient, forum: Forum) -> None:
    from aiohttp import ClientSession

    category = await forum.category()
    thread = await forum.thread(category, await forum.person())
    tokens = set()
    for _ in range(2):
        async with ClientSession() as browser:
            html = await (await browser.get(client.make_url(f"/forums/t/{thread['id']}"))).text()
            tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', html).group(1))
            assert "\x00" not in html
    assert len(tokens) == 2, "two readers, two tokens, though the page was rendered once"


async def test_quote_prefills_the_reply_form(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person(name="Asha Verma")
    thread = await forum.thread(category, asha, body="Line one of the question\nLine two")
    await sign_in(client, asha)
    html = await (await client.get(f"/forums/t/{thread['id']}?quote=1")).text()
    assert "&gt; **Asha Verma** (#1):" in html
    assert 'name="reply_to" min="1" value="1"' in html


async def test_permalink_leads_to_the_page_holding_the_post(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    for index in range(25):
        await forum.reply(thread, bala, f"Reply {index} about tenders")
    response = await client.get(f"/forums/t/{thread['id']}/p/24", allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert location.endswith("#post-24") and "cursor=" in location
    page = await (await client.get(location.split("#")[0])).text()
    assert 'id="post-24"' in page and 'id="post-2"' not in page
    first = await client.get(f"/forums/t/{thread['id']}/p/3", allow_redirects=False)
    assert "cursor" not in first.headers["Location"]


async def test_edit_history_is_kept_and_visible(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha = await forum.person()
    thread = await forum.thread(category, asha, body="The original wording of the question")
    post = (await (await client.get(f"/api/v1/forums/threads/{thread['id']}")).json())["posts"][0]
    response = await client.patch(f"/api/v1/forums/posts/{post['id']}", headers=forum.headers(asha),
                                  json={"body": "The corrected wording of the question", "title": "A clearer title here",
                                        "reason": "typo"})
    assert response.status == 200
    assert (await response.json())["edit_count"] == 1
    history = await (await client.get(f"/api/v1/forums/posts/{post['id']}/revisions")).json()
    assert history["items"][0]["body"] == "The original wording of the question"
    assert history["items"][0]["title"] == "How to handle a single bid?"
    page = await (await client.get(f"/forums/t/{thread['id']}/p/1/history")).text()
    assert "The original wording of the question" in page and "The corrected wording" in page
    stranger = await forum.person()
    refused = await client.patch(f"/api/v1/forums/posts/{post['id']}", headers=forum.headers(stranger),
                                 json={"body": "Vandalised"})
    assert refused.status == 403


async def test_author_soft_deletes_own_reply(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    asha, bala = await forum.person(), await forum.person()
    thread = await forum.thread(category, asha)
    reply: dict[str, Any] = await forum.reply(thread, bala, "I will regret posting this")
    assert (await client.delete(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(asha))).status == 403
    response = await client.delete(f"/api/v1/forums/posts/{reply['id']}", headers=forum.headers(bala))
    assert (await response.json())["changed"] is True
    stored = await forum.db[POSTS].find_one({"number": 2})
    assert stored["deleted"] and stored["body"] == "I will regret posting this"
    page = await (await client.get(f"/forums/t/{thread['id']}")).text()
    assert "I will regret posting this" not in page and "This post was deleted." in page
    assert (await forum.db[THREADS].find_one({}))["reply_count"] == 0


async def test_a_refused_thread_says_what_is_wrong_and_keeps_the_draft(client: TestClient, forum: Forum) -> None:
    category = await forum.category()
    await sign_in(client, await forum.person())
    token = await csrf_token(client, f"/forums/c/{category['slug']}/new")
    refused = await client.post(f"/forums/c/{category['slug']}/new", data={
        "csrf_token": token, "title": "Leave", "body": "Which form do I fill for earned leave?", "kind": "question"})
    assert refused.status == 422
    html = await refused.text()
    assert "Use at least 8 characters; you typed 5." in html
    assert "Which form do I fill for earned leave?" in html and 'value="Leave"' in html
    assert await forum.db[THREADS].count_documents({}) == 0
