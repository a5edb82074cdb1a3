"""The JSON API's shared pieces: problem+json bodies (RFC 9457), cursors, and the OpenAPI record.

Every ``/api/v1`` route is added with :func:`route`, which registers the handler and describes
it in the OpenAPI document in the same call, so the document cannot fall behind the router
(``tests/test_openapi.py`` checks that every API route is described). A route that takes a
body (POST, PUT, PATCH) must say what it takes: a pydantic model for JSON, a media type such as
``"text/csv"`` for a raw body, or ``None`` when it takes nothing; ``route`` refuses one that
says nothing, so a new write route cannot go undocumented.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from community import keys
from community.errors import BadRequest, Invalid
from community.i18n import gettext as _
from community.requests import parse_json

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
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Invalid({"limit": f"Use a whole number from 1 to {maximum}."})
    return int(raw)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False, default=str))


Body = type[BaseModel] | str | None
"""A request body: a model (JSON), a media type (a raw body of that type), or ``None`` (none)."""

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
    response: type[BaseModel] | None = None
    auth: bool = True
    query: dict[str, str] = field(default_factory=dict)
    status: int = 200


OPENAPI_OPERATIONS: web.AppKey[list[Operation]] = web.AppKey("openapi_operations")


def route(app: web.Application, method: str, path: str, handler: keys.Handler, *, summary: str, tag: str,
          body: Body | _Undeclared = UNDECLARED, response: type[BaseModel] | None = None, auth: bool = True,
          query: dict[str, str] | None = None, name: str | None = None, status: int = 200) -> None:
    """Add an API route under ``/api/v1`` and describe it for the OpenAPI document.

    ``status`` is the success status the handler answers with (201 for a creation, 204 for no
    content)."""
    full = PREFIX + path
    if isinstance(body, _Undeclared):
        if method.upper() in BODY_METHODS:
            raise TypeError(f"{method} {full}: declare body= (a model, a media type, or None for no body)")
        body = None
    app.router.add_route(method, full, handler, name=name)
    app.setdefault(OPENAPI_OPERATIONS, []).append(
        Operation(method.lower(), full, summary, tag, body, response, auth, dict(query or {}), status)
    )


def _request_body(body: Body, schemas: dict[str, Any]) -> dict[str, Any] | None:
    if body is None:
        return None
    if isinstance(body, str):
        raw = {"type": "string"} if body.startswith("text/") else {"type": "string", "contentMediaType": body}
        return {"required": True, "content": {body: {"schema": raw}}}
    schemas[body.__name__] = body.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}


def openapi_document(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for op in app.get(OPENAPI_OPERATIONS, []):
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {"default": {"description": "A problem", "content": {"application/problem+json": {"schema": problem_ref}}}},
        }
        parameters = [
            {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
            for part in op.path.split("/") if part.startswith("{")
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
            for name, text in op.query.items()
        ]
        if parameters:
            entry["parameters"] = parameters
        request_body = _request_body(op.body, schemas)
        if request_body is not None:
            entry["requestBody"] = request_body
        ok: dict[str, Any] = {"description": "Success"}
        if op.response is not None:
            schemas[op.response.__name__] = op.response.model_json_schema(ref_template="#/components/schemas/{model}")
            ok["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.response.__name__}"}}}
        entry["responses"][str(op.status)] = ok
        if op.auth:
            entry["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(op.path, {})[op.method] = entry
    for schema in list(schemas.values()):
        schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = {
        "type": "object",
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
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
