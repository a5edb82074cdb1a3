"""Everyone can browse the dictionary, as pages (no JavaScript) and through the API."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from aiohttp.test_utils import TestClient

from community.competencies.dictionary import load_dictionary


async def test_index_filters_by_kind_and_theme(client: TestClient) -> None:
    shipped = load_dictionary()
    domain = shipped.of_kind("domain")[0]
    behavioural = shipped.of_kind("behavioural")[0]
    html = await (await client.get("/competencies?kind=domain")).text()
    assert domain.name in html and f'href="/competencies/{behavioural.id}"' not in html
    html = await (await client.get("/competencies", params={"theme": behavioural.theme})).text()
    assert behavioural.name in html and f'href="/competencies/{domain.id}"' not in html
    assert (await client.get("/competencies?kind=magic")).status == 422


async def test_competency_and_position_pages(client: TestClient) -> None:
    shipped = load_dictionary()
    position = shipped.positions[0]
    needed = next(iter(position.requirements()))
    competency = shipped.competency(needed)
    html = await (await client.get(f"/competencies/{competency.id}")).text()
    assert escape(competency.levels[4].description) in html
    assert escape(position.title) in html
    html = await (await client.get(f"/positions/{position.id}")).text()
    assert escape(position.roles[0].name) in html and escape(competency.name) in html
    html = await (await client.get("/positions")).text()
    assert all(escape(item.title) in html for item in shipped.positions)
    assert (await client.get("/competencies/beh.nothing-here")).status == 404
    assert (await client.get("/positions/pos.nothing-here")).status == 404


async def test_api_lists_and_shows(client: TestClient, db: Any) -> None:
    shipped = load_dictionary()
    body = await (await client.get("/api/v1/competencies?kind=functional")).json()
    assert {item["id"] for item in body["items"]} == {c.id for c in shipped.of_kind("functional")}
    one = await (await client.get(f"/api/v1/competencies/{shipped.competencies[0].id}")).json()
    assert one["levels"][0] == {"level": 1, "description": shipped.competencies[0].levels[0].description}
    position = await (await client.get(f"/api/v1/positions/{shipped.positions[0].id}")).json()
    assert position["requirements"] == shipped.positions[0].requirements()
    missing = await client.get("/api/v1/positions/pos.none")
    assert missing.status == 404 and missing.content_type == "application/problem+json"
