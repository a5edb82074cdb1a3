"""The JSON API's shared pieces: problem+json bodies (RFC 9457), cursors, timestamps, and the OpenAPI record.

Every ``/api/v1`` route is added with :func:`route`, which registers the handler and describes
it in the OpenAPI document in the same call, so the document cannot fall behind the router
(``tests/test_openapi.py`` checks that every API route is described, and the test suite checks
every API response it receives against the document). A route that takes a body (POST, PUT,
PATCH) must say what it takes: a pydantic model for JSON, a media type such as ``"text/csv"``
for a raw body, or ``None`` when it takes nothing; ``route`` refuses one that says nothing, so a
new write route cannot go undocumented. Query parameters are a pydantic model that the handler
parses the request with (:func:`query`), so the types, ranges and choices the document states
are the ones the server enforces.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from aiohttp import web
from bson import ObjectId
from pydantic import BaseModel

from community import keys
from community.errors import BadRequest, Invalid
from community.i18n import gettext as _
from community.requests import parse_json
from community.validation import parse_query, whole_number

Query = TypeVar("Query", bound=BaseModel)

PREFIX = "/api/v1"
PROBLEM_TYPE_BASE = "https://karmayogi-community.example/problems/"


def problem(status: int, title: str, detail: str, slug: str, *, errors: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None, instance: str | None = None) -> web.Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": name, "message": message} for name, message in errors.items()]
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/problem+json",
        headers=headers,
    )


def encode_cursor(position: Mapping[str, Any]) -> str:
    """An opaque cursor for the next page: the sort key of the last item returned."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":"), default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor holds, read under the JSON body limits (depth, 64-bit integers), so
    a crafted cursor is refused here, naming ``cursor``, before any query sees it."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = parse_json(base64.urlsafe_b64decode(padded.encode()).decode("utf-8"))
    except (binascii.Error, ValueError, BadRequest):
        raise _bad_cursor() from None
    if not isinstance(value, dict):
        raise _bad_cursor()
    return value


def _bad_cursor() -> Invalid:
    return Invalid({"cursor": _("This cursor is not valid; start again from the first page.")})


def page_limit(request: web.Request, default: int = 20, maximum: int = 100) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return default
    number = whole_number(raw)
    if number is None or not 1 <= number <= maximum:
        raise Invalid({"limit": f"Use a whole number from 1 to {maximum}."})
    return number


def timestamp(value: datetime) -> str:
    """A moment as every API response gives it: RFC 3339 in UTC with ``Z``, to the millisecond
    (what the store keeps). A naive value is UTC, as PyMongo and the embedded engine return them."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ObjectId):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form in the API")


def dumps(data: Any) -> str:
    """The API's JSON: timestamps through :func:`timestamp`, ids as strings, anything else refused."""
    return json.dumps(data, ensure_ascii=False, default=_json_value)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)


def query(request: web.Request, model: type[Query]) -> Query:
    """The request's query parameters parsed with the model its route declares (``route(query=...)``)."""
    return parse_query(model, request.query)


Body = type[BaseModel] | str | None
"""A request body: a model (JSON), a media type (a raw body of that type), or ``None`` (none)."""
Response = type[BaseModel] | str | None
"""A success response: a model (JSON), a media type (a body of that type), or ``None`` (no body)."""

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True, slots=True)
class Link:
    """An OpenAPI link: the operation (by ``name=`` of its route) that reads what this one answered,
    and where each of its path parameters comes from (a runtime expression such as
    ``$response.body#/id``)."""

    operation: str
    parameters: Mapping[str, str]
    description: str = ""


class _Undeclared:
    """The default of ``route(body=...)``: a write route must replace it with a declaration."""


UNDECLARED = _Undeclared()


@dataclass(slots=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    body: Body = None
    responses: dict[int, Response] = field(default_factory=dict)
    auth: bool = True
    query: type[BaseModel] | Mapping[str, str] | None = None
    name: str | None = None
    links: dict[str, Link] = field(default_factory=dict)


OPENAPI_OPERATIONS: web.AppKey[list[Operation]] = web.AppKey("openapi_operations")


def route(app: web.Application, method: str, path: str, handler: keys.Handler, *, summary: str, tag: str,
          body: Body | _Undeclared = UNDECLARED, response: Response = None, auth: bool = True,
          query: type[BaseModel] | Mapping[str, str] | None = None, name: str | None = None, status: int = 200,
          also: Mapping[int, Response] | None = None, links: Mapping[str, Link] | None = None) -> None:
    """Add an API route under ``/api/v1`` and describe it for the OpenAPI document.

    ``status`` is the success status the handler answers with (201 for a creation, 202 for work
    accepted, 204 for no content) and ``response`` what it sends then; ``also`` names any other
    success status and its response. A DELETE that reads a body declares it with ``body=`` too.
    ``query`` is the model the handler parses its query string with (:func:`query`); a mapping of
    names to descriptions documents untyped string parameters. ``name`` also serves as the
    operation's id, which ``links`` (what to read next, by name) refer to."""
    full = PREFIX + path
    if isinstance(body, _Undeclared):
        if method.upper() in BODY_METHODS:
            raise TypeError(f"{method} {full}: declare body= (a model, a media type, or None for no body)")
        body = None
    if status == 204 and response is not None:
        raise TypeError(f"{method} {full}: a 204 answer has no body")
    app.router.add_route(method, full, handler, name=name)
    app.setdefault(OPENAPI_OPERATIONS, []).append(
        Operation(method.lower(), documented_path(full), summary, tag, body, {status: response, **(also or {})}, auth, query, name,
                  dict(links or {}))
    )


PATTERNED = re.compile(r"\{(\w+):(?:[^{}]|\{\d+(?:,\d*)?\})+\}")
"""A path part with its pattern, ``{vacancy_id:[0-9a-f]{24}}``."""


def documented_path(path: str) -> str:
    """``path`` as OpenAPI writes it: ``{vacancy_id:[0-9a-f]{24}}`` is ``{vacancy_id}``."""
    return PATTERNED.sub(r"{\1}", path)


def _schema_ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    """The model's schema under its class name, which the document's components are keyed by:
    two features' models of one name would otherwise describe one of them with the other's."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    if schemas.get(model.__name__, schema) != schema:
        raise TypeError(f"two API models are named {model.__name__} ({model.__module__} and another): rename one")
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _content(kind: type[BaseModel] | str, schemas: dict[str, Any]) -> dict[str, Any]:
    if isinstance(kind, str):
        raw = {"type": "string"} if kind.startswith("text/") else {"type": "string", "contentMediaType": kind}
        return {kind: {"schema": raw}}
    return {"application/json": {"schema": _schema_ref(kind, schemas)}}


def _query_parameters(declared: type[BaseModel] | Mapping[str, str] | None, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if declared is None:
        return []
    if isinstance(declared, Mapping):
        return [{"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in declared.items()]
    schema = declared.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "title"}
        description = prop.pop("description", None)
        present = [option for option in prop.pop("anyOf", []) if option != {"type": "null"}]
        if len(present) == 1:  # an optional parameter is absent, never null: a query string has no null
            prop |= present[0]
        elif present:
            prop["anyOf"] = present
        if prop.get("default", ...) is None:
            del prop["default"]
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _links(op: Operation) -> dict[str, Any]:
    return {name: {"operationId": link.operation, "parameters": dict(link.parameters),
                   **({"description": link.description} if link.description else {})}
            for name, link in op.links.items()}


def openapi_document(app: web.Application) -> dict[str, Any]:
    operations = app.get(OPENAPI_OPERATIONS, [])
    named = {op.name for op in operations if op.name}
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for op in operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {"default": {"description": "A problem", "content": {"application/problem+json": {"schema": problem_ref}}}},
        }
        if op.name:
            entry["operationId"] = op.name
        parameters = [
            {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
            for part in op.path.split("/") if part.startswith("{")
        ]
        parameters += _query_parameters(op.query, schemas)
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": op.method != "delete", "content": _content(op.body, schemas)}
        for status, response in op.responses.items():
            ok: dict[str, Any] = {"description": "Success"}
            if response is not None:
                ok["content"] = _content(response, schemas)
            if op.links and 200 <= status < 300:
                missing = {link.operation for link in op.links.values()} - named
                if missing:
                    raise LookupError(f"{op.method.upper()} {op.path} links to undeclared operations {sorted(missing)}")
                ok["links"] = _links(op)
            entry["responses"][str(status)] = ok
        if op.auth:
            entry["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(op.path, {})[op.method] = entry
    for schema in list(schemas.values()):
        schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = {
        "type": "object",
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                                                   "required": ["field", "message"]}},
        },
        "required": ["type", "title", "status"],
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Karmayogi Community API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
