"""The leaderboard page and API: members only, ordered by points per period, and an organisation's
board lists only people whose organisation the viewer may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.karma.leaderboard import Period, period_start
from tests.factories import bearer_token, make_org, make_user, sign_in
from tests.profiles.helpers import call

ROW = re.compile(r"<tr><td>(\d+)</td><td>([^<]+)</td>")


async def earn(db: Any, person: dict[str, Any], points: int, at: datetime | None = None) -> None:
    """A ledger entry as the Karma service writes it, at any moment in the past."""
    await db.karma_ledger.insert_one({
        "key": f"{person['_id']}|test|t|{ObjectId()}", "seq": 1, "kind": "award", "user_id": person["_id"],
        "org_id": person["org_id"], "points": points, "reason": "test", "object_type": "t", "object_id": ObjectId(),
        "at": at or datetime.now(UTC),
    })


async def hide_organisation(db: Any, person: dict[str, Any], privacy: str) -> None:
    await db.profiles.insert_one({"_id": person["_id"], "privacy": {"organisation": privacy}})


async def names(client: TestClient, token: str, **query: str) -> list[str]:
    status, body = await call(client, "GET", "/api/v1/karma/leaderboard", token, params=query)
    assert status == 200, body
    assert [row["rank"] for row in body["items"]] == list(range(1, len(body["items"]) + 1))
    return [row["name"] for row in body["items"]]


async def test_signed_out_visitors_are_refused(client: TestClient) -> None:
    page = await client.get("/leaderboard?period=month", allow_redirects=False)
    assert page.status == 303
    location = urlsplit(page.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == ["/leaderboard?period=month"]
    response = await client.get("/api/v1/karma/leaderboard")
    assert response.status == 401 and response.content_type == "application/problem+json"
    assert (await response.json(content_type=None))["type"].endswith("/unauthenticated")


async def test_members_see_each_period_ordered_by_points(client: TestClient, db: Any) -> None:
    org = await make_org(db)
    asha, bala, chitra, dev, eve = [await make_user(db, org=org, name=name) for name in ("Asha", "Bala", "Chitra", "Dev", "Eve")]
    await earn(db, asha, 5)
    await earn(db, bala, 8)
    await earn(db, chitra, 1)
    await earn(db, chitra, 100, at=datetime.now(UTC) - timedelta(days=400))
    await earn(db, dev, 30, at=datetime.now(UTC) - timedelta(days=40))
    starts = {period: period_start(period) for period in (Period.WEEK, Period.MONTH)}
    later = max(starts.values())
    await earn(db, eve, 50, at=later - timedelta(seconds=1))  # in whichever period began earlier, if either did
    token = await bearer_token(db, asha)
    for period, start in starts.items():
        expected = (["Eve"] if start < later else []) + ["Bala", "Asha", "Chitra"]
        assert await names(client, token, period=period.value) == expected
    assert await names(client, token, period="all") == ["Chitra", "Eve", "Dev", "Bala", "Asha"]
    assert await names(client, token) == await names(client, token, period="week")

    await sign_in(client, asha)
    html = await (await client.get("/leaderboard?period=all")).text()
    assert ROW.findall(html) == [("1", "Chitra"), ("2", "Eve"), ("3", "Dev"), ("4", "Bala"), ("5", "Asha")]
    assert 'aria-current="page">All time</a>' in html


async def test_an_organisations_board_honours_organisation_privacy(client: TestClient, db: Any) -> None:
    home, other = await make_org(db, name="Ministry of Home Affairs"), await make_org(db, name="Ministry of Railways")
    open_, colleagues, friends, private = [await make_user(db, org=home, name=name)
                                           for name in ("Open", "Colleagues only", "Friends only", "Only me")]
    for person, points, privacy in ((private, 40, "me"), (friends, 30, "connections"), (colleagues, 20, "organisation"),
                                    (open_, 10, "everyone")):
        await earn(db, person, points)
        await hide_organisation(db, person, privacy)
    colleague, outsider, friend = (await make_user(db, org=home), await make_user(db, org=other),
                                   await make_user(db, org=other))
    await db.connections.insert_one({"a": friend["_id"], "b": friends["_id"], "status": "accepted"})
    org = str(home["_id"])

    assert await names(client, await bearer_token(db, colleague), org=org) == ["Colleagues only", "Open"]
    assert await names(client, await bearer_token(db, outsider), org=org) == ["Open"]
    assert await names(client, await bearer_token(db, friend), org=org) == ["Friends only", "Open"]
    assert await names(client, await bearer_token(db, private), org=org) == ["Only me", "Colleagues only", "Open"]
    assert await names(client, await bearer_token(db, outsider), org=org, limit="1") == ["Open"], \
        "people left out do not shorten the board"
    everyone = await names(client, await bearer_token(db, outsider))
    assert everyone == ["Only me", "Friends only", "Colleagues only", "Open"], "the overall board names no organisation"

    await sign_in(client, outsider)
    html = await (await client.get(f"/leaderboard?org={org}")).text()
    assert ROW.findall(html) == [("1", "Open")]


async def test_page_has_an_organisation_picker_and_a_link_to_my_organisation(client: TestClient, db: Any) -> None:
    home, other = await make_org(db, name="Ministry of Home Affairs"), await make_org(db, name="Ministry of Railways")
    me = await make_user(db, org=home)
    await sign_in(client, me)
    html = await (await client.get(f"/leaderboard?period=month&org={other['_id']}")).text()
    assert '<form method="get" action="/leaderboard"' in html
    assert '<label for="leaderboard-org">' in html and '<select id="leaderboard-org" name="org">' in html
    assert f'<option value="{other["_id"]}" selected>' in html and f'<option value="{home["_id"]}">' in html
    assert '<input type="hidden" name="period" value="month">' in html
    assert f'href="/leaderboard?period=month&amp;org={home["_id"]}">My organisation</a>' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


async def test_unknown_organisation_is_refused(client: TestClient, db: Any) -> None:
    token = await bearer_token(db, await make_user(db))
    for org in ("not-an-id", str(ObjectId())):
        status, problem = await call(client, "GET", "/api/v1/karma/leaderboard", token, params={"org": org})
        assert status == 422 and problem["errors"][0]["field"] == "org"
