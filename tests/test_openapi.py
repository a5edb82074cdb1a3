from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community.api import PREFIX, route
from tests.competencies.builders import competency_data
from tests.factories import bearer_token, make_user


async def described(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = await (await client.get(f"{PREFIX}/openapi.json")).json()
    return document


async def test_every_api_route_is_described(client: TestClient) -> None:
    document = await described(client)
    assert document["openapi"].startswith("3.1")
    described_routes = {(path, method) for path, operations in document["paths"].items() for method in operations}
    routed = set()
    for api_route in client.app.router.routes():
        info = api_route.resource.get_info() if api_route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and path.startswith(PREFIX) and path != f"{PREFIX}/openapi.json" and api_route.method not in ("HEAD", "OPTIONS"):
            routed.add((path, api_route.method.lower()))
    missing = routed - described_routes
    assert not missing, f"API routes without an OpenAPI description: {sorted(missing)}"
    assert described_routes <= routed, "the document describes routes that do not exist"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_write_route_must_say_what_body_it_takes(method: str) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    with pytest.raises(TypeError, match="declare body="):
        route(app, method, "/things", handler, summary="Make a thing", tag="things")
    route(app, method, "/things", handler, summary="Make a thing", tag="things", body=None)
    route(app, "GET", "/things", handler, summary="The things", tag="things")


async def test_request_bodies_are_described_with_their_media_type(client: TestClient) -> None:
    paths = (await described(client))["paths"]
    schemas = (await described(client))["components"]["schemas"]
    competency = paths[f"{PREFIX}/competencies"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert competency == {"$ref": "#/components/schemas/Competency"} and "levels" in schemas["Competency"]["properties"]
    assert "text/csv" in paths[f"{PREFIX}/dictionary/import/{{which}}"]["post"]["requestBody"]["content"]
    assert "image/*" in paths[f"{PREFIX}/profiles/me/avatar"]["put"]["requestBody"]["content"]
    erase = paths[f"{PREFIX}/me/erase"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[erase.rsplit("/", 1)[1]]["required"] == ["confirm"]
    assert "requestBody" not in paths[f"{PREFIX}/notifications/read-all"]["post"]


async def test_documented_success_status_is_the_one_answered(client: TestClient, db: Any) -> None:
    paths = (await described(client))["paths"]
    token = await bearer_token(db, await make_user(db, roles=("officer", "admin")))
    headers = {"Authorization": f"Bearer {token}"}
    calls = [
        ("post", "/competencies", "/competencies", {"json": competency_data("fun.budgeting.doc-status")}),
        ("delete", "/competencies/{competency_id}", "/competencies/fun.budgeting.doc-status", {}),
        ("post", "/notifications/read-all", "/notifications/read-all", {}),
    ]
    for method, template, path, options in calls:
        documented = {code for code in paths[PREFIX + template][method]["responses"] if code != "default"}
        async with client.request(method, PREFIX + path, headers=headers, **options) as response:
            assert {str(response.status)} == documented, f"{method.upper()} {template}: {await response.text()}"
