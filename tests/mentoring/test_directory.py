"""The directory's "available for mentoring" filter: experts whose offer is open with a place left
this month, and nobody else; the page keeps the box ticked."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.accounts.sessions import actor_for_user
from community.mentoring import service
from community.mentoring.schemas import OfferIn
from community.profiles import edit
from community.profiles.schemas import HeldCompetency
from community.search_pages.routes import INDEXER
from tests.factories import act, bearer_token, make_user, sign_in
from tests.mentoring.helpers import HEALTH, ask, mentor_with_offer
from tests.profiles.helpers import call


async def test_available_for_mentoring_finds_open_offers_with_places_left(client: TestClient, db: Any) -> None:
    open_one = await mentor_with_offer(client.app, db, name="Dr Open", cap=1)
    full = await mentor_with_offer(client.app, db, name="Dr Full", cap=1)
    closed = await mentor_with_offer(client.app, db, name="Dr Closed")
    await act(client.app, actor_for_user(closed), service.save_offer,
              OfferIn(competencies=[HEALTH], offer="Later", monthly_cap=1, open=False))
    officer = await make_user(db, name="Asha Officer")
    await ask(client.app, officer, full)
    await client.app[INDEXER].drain()
    token = await bearer_token(db, officer)
    status, everyone = await call(client, "GET", "/api/v1/people", token)
    assert status == 200 and {"Dr Open", "Dr Full", "Dr Closed"} <= {p["name"] for p in everyone["items"]}
    status, available = await call(client, "GET", "/api/v1/people?mentoring=true", token)
    assert status == 200 and [person["id"] for person in available["items"]] == [str(open_one["_id"])]
    status, available = await call(client, "GET", f"/api/v1/people?mentoring=true&competency={HEALTH}", token)
    assert [person["name"] for person in available["items"]] == ["Dr Open"]
    await sign_in(client, officer)
    page = await (await client.get("/network?mentoring=on")).text()
    assert "Dr Open" in page and "Dr Full" not in page and 'name="mentoring" checked' in page


def card_of(page: str, name: str) -> str:
    """The directory card (its list item) naming ``name``."""
    start = page.rindex("<li", 0, page.index(f"<strong>{name}</strong>"))
    return page[start:page.index("</li>", start)]


async def test_a_card_says_who_offers_mentoring_and_in_what_and_the_api_item_too(client: TestClient, db: Any) -> None:
    open_one = await mentor_with_offer(client.app, db, name="Dr Open", cap=2)
    full = await mentor_with_offer(client.app, db, name="Dr Full", cap=1)
    closed = await mentor_with_offer(client.app, db, name="Dr Closed")
    await act(client.app, actor_for_user(closed), service.save_offer,
              OfferIn(competencies=[HEALTH], offer="Later", monthly_cap=1, open=False))
    plain = await make_user(db, roles=("expert",), name="Dr Without Offer")
    await act(client.app, actor_for_user(plain), edit.declare_competency, plain["_id"],
              HeldCompetency(competency_id=HEALTH, level=4))
    officer = await make_user(db, name="Asha Officer")
    await ask(client.app, officer, full)
    await client.app[INDEXER].drain()
    token = await bearer_token(db, officer)
    status, found = await call(client, "GET", "/api/v1/people", token)
    assert status == 200
    marked = {person["name"]: (person["mentoring"], person["mentoring_topics"]) for person in found["items"]}
    assert marked["Dr Open"] == (True, [{"id": HEALTH, "name": "Public health programmes"}])
    for name in ("Dr Full", "Dr Closed", "Dr Without Offer"):
        assert marked[name] == (False, []), name
    assert str(open_one["_id"]) in {person["id"] for person in found["items"]}

    await sign_in(client, officer)
    page = await (await client.get("/network")).text()
    assert "Offers mentoring</strong>: Public health programmes" in card_of(page, "Dr Open")
    for name in ("Dr Full", "Dr Closed", "Dr Without Offer"):
        assert "Offers mentoring" not in card_of(page, name), name
    hindi = await (await client.get("/network", headers={"Accept-Language": "hi"})).text()
    assert "मार्गदर्शन देते हैं" in card_of(hindi, "Dr Open")
    assert "मार्गदर्शन देते हैं" not in card_of(hindi, "Dr Without Offer")
