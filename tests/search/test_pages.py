"""The results page, suggestions and the JSON API, through the real app and the embedded engine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import keys
from community.competencies.queries import COMPETENCIES
from community.forums.queries import CATEGORIES, POSTS, THREADS
from community.search_pages.routes import INDEXER, LAG_READY_SECONDS
from search import embedded
from search.outbox import OUTBOX, record
from tests.factories import make_org, make_user, sign_in


async def add_thread(db: Any, title: str, body: str, *, org_id: ObjectId | None = None,
                     competencies: tuple[str, ...] = ()) -> ObjectId:
    thread_id, post_id, now = ObjectId(), ObjectId(), datetime(2026, 11, 5, tzinfo=UTC)
    await db[THREADS].insert_one({"_id": thread_id, "title": title, "org_id": org_id, "first_post_id": post_id,
                                  "competency_tags": list(competencies), "created_at": now, "votes": 0,
                                  "hidden": False, "deleted": False})
    await db[POSTS].insert_one({"_id": post_id, "thread_id": thread_id, "number": 1, "body": body,
                                "created_at": now, "hidden": False, "deleted": False})
    await record(db, None, "threads_posts", thread_id)
    return thread_id


async def indexed(client: TestClient) -> None:
    await client.app[INDEXER].drain()


async def test_results_page_with_facets_and_highlights(client: TestClient, db: Any) -> None:
    await db[COMPETENCIES].insert_one({"_id": "budgeting", "name": "Budgeting"})
    await add_thread(db, "Budget <planning> for districts", "How do districts plan the budget?",
                     competencies=("budgeting",))
    await add_thread(db, "Railway safety audit", "Signals and tracks")
    await indexed(client)
    response = await client.get("/search", params={"q": "budgt "})
    page = await response.text()
    assert response.status == 200
    assert "<mark>Budget</mark> &lt;planning&gt;" in page
    assert '<span class="suggestion-kind">Discussion</span>' in page, "one result is a discussion, in the singular"
    assert "Railway safety" not in page
    assert "Budgeting" in page and "competency=budgeting" in page, "the competency facet is labelled and linked"
    narrowed = await client.get("/search", params={"q": "", "competency": "budgeting"})
    assert "Railway safety" not in await narrowed.text()


async def test_private_spaces_stay_private_on_the_page_and_the_api(client: TestClient, db: Any) -> None:
    org, other = await make_org(db), await make_org(db)
    await add_thread(db, "Internal drought memo", "secret", org_id=org["_id"])
    await add_thread(db, "Public drought guidance", "open")
    await indexed(client)
    anonymous = await (await client.get("/api/v1/search", params={"q": "drought"})).json()
    assert [h["title"] for h in anonymous["hits"]] == ["Public drought guidance"] and anonymous["total"] == 1
    assert str(org["_id"]) not in json.dumps(anonymous["facets"])
    await sign_in(client, await make_user(db, org=other))
    outsider = await (await client.get("/api/v1/search", params={"q": "drought"})).json()
    assert outsider["total"] == 1


async def test_member_sees_their_organisation(client: TestClient, db: Any) -> None:
    org = await make_org(db, name="Ministry of Jal Shakti")
    await add_thread(db, "Internal drought memo", "secret", org_id=org["_id"])
    await indexed(client)
    await sign_in(client, await make_user(db, org=org))
    body = await (await client.get("/api/v1/search", params={"q": "drought", "kind": "discussions"})).json()
    assert body["total"] == 1
    assert body["facets"]["org_id"] == [{"value": str(org["_id"]), "label": "Ministry of Jal Shakti", "count": 1}]


async def test_suggestions_fragment(client: TestClient, db: Any) -> None:
    await add_thread(db, "Panchayat elections", "ward delimitation")
    await indexed(client)
    fragment = await (await client.get("/search/suggest", params={"q": "panch"})).text()
    assert "<mark>Panch</mark>ayat elections" in fragment and 'href="/forums/t/' in fragment
    assert (await (await client.get("/search/suggest", params={"q": "  "})).text()).strip() == ""


async def test_bad_parameters_are_explained(client: TestClient) -> None:
    page = await client.get("/search", params={"q": "x", "month": "2026-13", "page": "0"})
    assert page.status == 422
    text = await page.text()
    assert "Use a month like 2026-11." in text and "Use a page number from 1 to 50." in text
    problem = await client.get("/api/v1/search", params={"kind": "secrets"})
    assert problem.status == 422 and problem.content_type == "application/problem+json"
    assert (await problem.json())["errors"] == [{"field": "kind", "message": "Choose one of the offered options."}]


async def test_header_box_is_a_plain_form(client: TestClient) -> None:
    home = await (await client.get("/")).text()
    assert 'role="search"' in home and 'action="/search"' in home and 'name="q"' in home


async def wait_for_retry(db: Any) -> None:
    """An outbox entry as the indexer leaves one after a failed attempt: not due again for an
    hour, so the app's own indexer leaves it pending while the test looks."""
    now = datetime.now(UTC)
    await db[OUTBOX].insert_one({"index": "threads_posts", "doc_id": str(ObjectId()), "op": "upsert",
                                 "created_at": now, "next_attempt_at": now + timedelta(hours=1), "attempts": 1,
                                 "last_error": "ConnectionError('search engine away')"})


async def test_readiness_reports_search_lag(client: TestClient, db: Any) -> None:
    assert client.app[keys.SEARCH] is not None
    await wait_for_retry(db)
    response = await client.get("/readyz")
    search = (await response.json())["checks"]["search"]
    assert response.status == 200 and search["ok"] is True
    assert (search["pending"], search["failing"]) == (1, 1) and search["oldest_seconds"] < LAG_READY_SECONDS

    await db[OUTBOX].update_one({}, {"$set": {"created_at": datetime.now(UTC) - timedelta(seconds=LAG_READY_SECONDS + 1)}})
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503 and body["status"] == "not ready"
    assert body["checks"]["search"]["ok"] is False and body["checks"]["search"]["pending"] == 1
    assert body["checks"]["search"]["oldest_seconds"] > LAG_READY_SECONDS


async def add_replies(db: Any, thread_id: ObjectId, *bodies: str) -> list[ObjectId]:
    ids = []
    for number, body in enumerate(bodies, start=2):
        post_id = ObjectId()
        await db[POSTS].insert_one({"_id": post_id, "thread_id": thread_id, "number": number, "body": body,
                                    "created_at": datetime(2026, 11, 6, tzinfo=UTC), "hidden": False, "deleted": False})
        await record(db, None, "threads_posts", post_id)
        ids.append(post_id)
    return ids


async def test_a_thread_is_one_result_with_its_best_reply(client: TestClient, db: Any) -> None:
    thread_id = await add_thread(db, "Monsoon preparedness", "Opening notes")
    await add_replies(db, thread_id, "Sandbags first.", "The **culvert** audit: see [the list](https://example.gov.in/list)",
                      "Another photo of a culvert near the old bridge, taken in the last week of heavy rain")
    await indexed(client)
    body = await (await client.get("/api/v1/search", params={"q": "culvert"})).json()
    assert body["total"] == 1 and len(body["hits"]) == 1, "two matching replies, one thread, one result"
    hit = body["hits"][0]
    assert hit["title"] == "Monsoon preparedness" and hit["url"] == f"/forums/t/{thread_id}/p/3"
    assert hit["number"] == 3
    assert hit["snippet_html"] == "The <mark>culvert</mark> audit: see the list", "rendered words, not Markdown"
    page = await (await client.get("/search", params={"q": "culvert"})).text()
    assert page.count('class="search-hit"') == 1 and "Best match: reply #3" in page
    assert "**" not in page and "](https://" not in page


async def test_facets_offer_kind_and_category_and_narrow(client: TestClient, db: Any) -> None:
    category_id = ObjectId()
    await db[CATEGORIES].insert_one({"_id": category_id, "slug": "water", "name": "Water & sanitation", "position": 1})
    thread_id = await add_thread(db, "Borewell permits", "Who signs them?")
    await db[THREADS].update_one({"_id": thread_id}, {"$set": {"category_id": category_id}})
    await record(db, None, "threads_posts", thread_id)
    await add_thread(db, "Borewell subsidy", "Elsewhere")
    await indexed(client)
    page = await (await client.get("/search", params={"q": "borewell"})).text()
    assert "kind=discussions" in page and f"category={category_id}" in page
    assert "Water &amp; sanitation" in page
    assert ">Nov 2026</a>" in page and "month=2026-11" in page, "the month facet reads as a month, linked by its key"
    body = await (await client.get("/api/v1/search", params={"q": "borewell"})).json()
    assert body["facets"]["index"] == [{"value": "threads_posts", "label": "Discussions", "count": 2}]
    assert body["facets"]["category_id"] == [{"value": str(category_id), "label": "Water & sanitation", "count": 1}]
    narrowed = await (await client.get("/api/v1/search", params={"q": "borewell", "category": str(category_id)})).json()
    assert [h["title"] for h in narrowed["hits"]] == ["Borewell permits"]
    chosen = await (await client.get("/search", params={"q": "borewell", "category": str(category_id)})).text()
    assert "Remove filter: Water &amp; sanitation" in chosen


async def test_grouped_pages_neither_repeat_nor_skip_a_thread(client: TestClient, db: Any) -> None:
    for i in range(13):
        thread_id = await add_thread(db, f"Audit note {i}", "audit opening")
        await add_replies(db, thread_id, "audit reply one", "audit reply two")
    await indexed(client)
    pages = [await (await client.get("/api/v1/search", params={"q": "audit", "per_page": "5", "page": str(p)})).json()
             for p in (1, 2, 3)]
    assert [(p["total"], p["pages"], len(p["hits"])) for p in pages] == [(13, 3, 5), (13, 3, 5), (13, 3, 3)]
    titles = [hit["title"] for p in pages for hit in p["hits"]]
    assert sorted(titles) == sorted(f"Audit note {i}" for i in range(13))


async def test_a_result_set_counted_in_part_says_so(client: TestClient, db: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "GROUP_SAMPLE", 4)
    for i in range(13):
        thread_id = await add_thread(db, f"Audit note {i}", "audit opening")
        await add_replies(db, thread_id, "audit reply one", "audit reply two")
    await indexed(client)
    params = {"q": "audit", "per_page": "2"}
    body = await (await client.get("/api/v1/search", params=params)).json()
    assert not body["exact"] and 2 < body["total"] < 13 and len(body["hits"]) == 2
    assert body["facets_sample"] == body["total"] == body["facets"]["index"][0]["count"]
    page = await (await client.get("/search", params=params)).text()
    assert f"At least {body['total']} results" in page and f"Counts among the first {body['total']} results." in page
    assert "Page 1<" in page and 'rel="next"' in page
    hindi = await (await client.get("/search", params=params, headers={"Accept-Language": "hi"})).text()
    assert f"कम से कम {body['total']} परिणाम" in hindi
