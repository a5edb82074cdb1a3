from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate as validate_spec
from pydantic import BaseModel

from community.api import PREFIX, Link, dumps, json_response, openapi_document, route, timestamp
from tests.conftest import DocumentMismatch
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


async def test_the_document_is_valid_openapi_3_1(client: TestClient) -> None:
    validate_spec(await described(client))


async def test_every_json_success_answer_has_a_schema(client: TestClient) -> None:
    paths = (await described(client))["paths"]
    undescribed = [
        (method.upper(), path, status)
        for path, operations in paths.items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2") and status != "204" and "content" not in answer
    ]
    assert not undescribed, f"success answers the document does not describe: {undescribed}"


async def test_accepted_work_is_documented_as_202(client: TestClient) -> None:
    paths = (await described(client))["paths"]
    for path in ("/accounts/verify/resend", "/accounts/reset/request"):
        assert set(paths[PREFIX + path]["post"]["responses"]) == {"202", "default"}
        token = (await (await client.get(f"{PREFIX}/accounts/csrf")).json())["csrf_token"]
        response = await client.post(PREFIX + path, json={"email": "nobody@example.gov.in"}, headers={"X-CSRF-Token": token})
        assert response.status == 202, await response.text()


async def test_query_parameters_carry_the_types_the_server_enforces(client: TestClient) -> None:
    paths = (await described(client))["paths"]
    listing = {p["name"]: p["schema"] for p in paths[f"{PREFIX}/forums/categories/{{slug}}/threads"]["get"]["parameters"]}
    assert listing["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 30}
    schemas = (await described(client))["components"]["schemas"]
    assert schemas[listing["sort"]["$ref"].rsplit("/", 1)[1]]["enum"] == ["latest", "newest", "top", "unanswered"]
    search = {p["name"]: p["schema"] for p in paths[f"{PREFIX}/search"]["get"]["parameters"]}
    assert search["page"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 1}
    assert search["kind"]["enum"] == ["all", "discussions", "people", "events", "vacancies"]
    board = {p["name"]: p["schema"] for p in paths[f"{PREFIX}/karma/leaderboard"]["get"]["parameters"]}
    assert board["limit"]["maximum"] == 100 and board["limit"]["type"] == "integer"
    async with client.get(f"{PREFIX}/forums/categories/none/threads?limit=101") as too_many:
        assert too_many.status == 422
        assert [e["field"] for e in (await too_many.json())["errors"]] == ["limit"]


async def test_the_documented_formats_are_declared(client: TestClient) -> None:
    document = await described(client)
    schemas = document["components"]["schemas"]
    assert schemas["LoginIn"]["properties"]["email"]["format"] == "email"
    assert schemas["UserOut"]["properties"]["email"]["format"] == "email"
    assert (schemas["Competency"]["properties"]["levels"]["minItems"], schemas["Competency"]["properties"]["levels"]["maxItems"]) == (5, 5)
    assert schemas["PostOut"]["properties"]["created_at"] == {"format": "date-time", "title": "Created At", "type": "string"}
    delete = document["paths"][f"{PREFIX}/forums/posts/{{post_id}}"]["delete"]["requestBody"]
    assert delete["required"] is False
    assert schemas[delete["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["reason"]


async def test_create_operations_link_to_the_read_that_follows(client: TestClient) -> None:
    document = await described(client)
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values() if "operationId" in op}
    expected = {
        ("/forums/categories/{slug}/threads", "post", "201"): "api.forums.thread",
        ("/forums/threads/{thread_id}/replies", "post", "201"): "api.forums.thread",
        ("/forums/categories", "post", "201"): "api.forums.threads",
        ("/organisations", "post", "201"): "api.organisation",
        ("/competencies", "post", "201"): "api.competency",
        ("/positions", "post", "201"): "api.position",
        ("/accounts/login", "post", "200"): "api.me",
    }
    for (path, method, status), target in expected.items():
        links = document["paths"][PREFIX + path][method]["responses"][status]["links"]
        assert target in {link["operationId"] for link in links.values()}, path
    every_link = [link for ops in document["paths"].values() for op in ops.values()
                  for answer in op["responses"].values() for link in answer.get("links", {}).values()]
    assert every_link and {link["operationId"] for link in every_link} <= operation_ids


def test_a_link_to_an_undeclared_operation_is_refused() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    route(app, "POST", "/things", handler, summary="Make a thing", tag="things", body=None, status=201,
          links={"read": Link("things.read", {"thing_id": "$response.body#/id"})})
    with pytest.raises(LookupError, match="things.read"):
        openapi_document(app)


def test_api_timestamps_are_rfc_3339_in_utc() -> None:
    assert timestamp(datetime(2026, 11, 30, 0, 39, 22, 655000)) == "2026-11-30T00:39:22.655Z"
    india = timezone(timedelta(hours=5, minutes=30))
    assert timestamp(datetime(2026, 11, 30, 6, 9, 22, tzinfo=india)) == "2026-11-30T00:39:22.000Z"
    assert dumps({"at": datetime(2026, 1, 2, 3, 4, 5)}) == '{"at": "2026-01-02T03:04:05.000Z"}'


class Thing(BaseModel):
    id: str
    made_at: datetime


def drifting_app(answer: Callable[[], web.Response]) -> web.Application:
    async def make(request: web.Request) -> web.Response:
        return answer()

    app = web.Application()
    route(app, "POST", "/things", make, summary="Make a thing", tag="things", body=None, response=Thing, status=201)
    return app


@pytest.mark.parametrize("answer", [
    pytest.param(lambda: json_response({"id": "1", "made_at": datetime(2026, 1, 1)}, status=200), id="undocumented status"),
    pytest.param(lambda: json_response({"id": 1, "made_at": datetime(2026, 1, 1)}, status=201), id="wrong type"),
    pytest.param(lambda: json_response({"made_at": datetime(2026, 1, 1)}, status=201), id="missing field"),
    pytest.param(lambda: web.json_response({"id": "1", "made_at": "2026-11-30 00:39:22.655000"}, status=201),
                 id="timestamp without offset"),
    pytest.param(lambda: web.Response(text="made", status=201), id="not JSON"),
    pytest.param(lambda: json_response({"id": "1", "made_at": datetime(2026, 1, 1), "secret": "x"}, status=201),
                 id="undeclared field"),
])
async def test_a_response_that_drifts_from_the_document_fails_the_test(aiohttp_client: Callable[..., Any],
                                                                     answer: Callable[[], web.Response]) -> None:
    client = await aiohttp_client(drifting_app(answer))
    with pytest.raises(DocumentMismatch, match="POST /api/v1/things"):
        await client.post(f"{PREFIX}/things")


async def test_a_response_that_matches_the_document_passes(aiohttp_client: Callable[..., Any]) -> None:
    client = await aiohttp_client(drifting_app(lambda: json_response({"id": "1", "made_at": datetime(2026, 1, 1)}, status=201)))
    async with client.post(f"{PREFIX}/things") as response:
        assert (await response.json())["made_at"] == "2026-01-01T00:00:00.000Z"


class Things(BaseModel):
    items: list[Thing]


async def test_a_field_the_model_does_not_declare_fails_the_test_even_deep_in_a_list(
        aiohttp_client: Callable[..., Any]) -> None:
    made = datetime(2026, 1, 1)

    async def things(request: web.Request) -> web.Response:
        return json_response({"items": [{"id": "1", "made_at": made}, {"id": "2", "made_at": made, "owner_email": "x"}]})

    app = web.Application()
    route(app, "GET", "/things", things, summary="List things", tag="things", response=Things)
    client = await aiohttp_client(app)
    with pytest.raises(DocumentMismatch, match="does not declare: /items/1/owner_email"):
        await client.get(f"{PREFIX}/things")


async def test_an_api_route_left_out_of_the_document_fails_the_test(aiohttp_client: Callable[..., Any]) -> None:
    async def hidden(request: web.Request) -> web.Response:
        return json_response({"secret": True})

    app = drifting_app(lambda: web.Response(status=201))
    app.router.add_get(f"{PREFIX}/hidden", hidden)
    client = await aiohttp_client(app)
    with pytest.raises(DocumentMismatch, match="no such operation"):
        await client.get(f"{PREFIX}/hidden")
    assert (await client.get(f"{PREFIX}/nowhere")).status == 404


def test_two_models_of_one_name_are_refused_rather_than_one_describing_both() -> None:
    """Components are keyed by class name: the events' and mentoring's FeedbackOut once left the
    events' feedback route documented with mentoring's fields."""
    from pydantic import BaseModel

    from community.api import _schema_ref

    def model(field: str) -> type[BaseModel]:
        return type("Feedback", (BaseModel,), {"__annotations__": {field: int}})

    schemas: dict[str, object] = {}
    first = model("rating")
    assert _schema_ref(first, schemas) == {"$ref": "#/components/schemas/Feedback"}
    assert _schema_ref(first, schemas) == {"$ref": "#/components/schemas/Feedback"}, "the same model twice is one"
    with pytest.raises(TypeError, match="two API models are named Feedback"):
        _schema_ref(model("count"), schemas)
