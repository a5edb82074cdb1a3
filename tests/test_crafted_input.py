"""Crafted bodies on every route that reads one: deep or broken JSON on each JSON operation the
OpenAPI document lists, undecodable form bodies on each page that takes a form. Each answers
a 4xx naming what is wrong, logs no error and writes nothing; never a 500."""

from __future__ import annotations

import io
import logging
import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import keys
from community.api import PREFIX
from community.errors import BadRequest
from community.requests import MAX_JSON_BYTES, MAX_JSON_DEPTH, nests_deeper_than, parse_json
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, bearer_token, make_user

DEEP = "[" * 1000 + "]" * 1000
"""About 1,000 levels in 2 KB: deep enough to exhaust Python's recursion limit while parsing."""

PLACEHOLDER = "0123456789abcdef01234567"
"""A well-formed id for every path parameter; it names nothing, which must not matter either."""

PUBLIC_OPERATIONS = {"/accounts/register", "/accounts/verify", "/accounts/verify/resend", "/accounts/login",
                     "/accounts/reset/request", "/accounts/reset"}


def _filled(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda match: "1" if match.group(1) == "number" else PLACEHOLDER, path)


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Every record at ERROR or with a traceback, from any logger, while the test runs."""
    caplog.set_level(logging.WARNING)
    return caplog.records


def _failures(records: list[logging.LogRecord]) -> list[str]:
    return [record.getMessage() for record in records if record.levelno >= logging.ERROR or record.exc_info]


async def json_operations(client: TestClient) -> list[tuple[str, str]]:
    document = await (await client.get(f"{PREFIX}/openapi.json")).json()
    return sorted((method.upper(), path) for path, operations in document["paths"].items()
                  for method, operation in operations.items()
                  if "application/json" in operation.get("requestBody", {}).get("content", {}))


async def _headers(client: TestClient, path: str) -> dict[str, str]:
    """A bearer token of a platform administrator, or for the public account calls the CSRF
    token an API client fetches first: either way the request reaches its handler."""
    if path.removeprefix(PREFIX) in PUBLIC_OPERATIONS:
        token = (await (await client.get(f"{PREFIX}/accounts/csrf")).json())["csrf_token"]
        return {"X-CSRF-Token": token}
    admin = await make_user(client.app[keys.DB], roles=("admin",))
    return {"Authorization": f"Bearer {await bearer_token(client, admin)}"}


async def test_the_openapi_document_lists_the_json_operations(client: TestClient) -> None:
    operations = await json_operations(client)
    assert len(operations) >= 35
    assert ("POST", f"{PREFIX}/accounts/login") in operations and ("POST", f"{PREFIX}/accounts/register") in operations


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 40 + "1" + "}" * 40, '{"n": 1' + "0" * 30 + "}", '{"n": NaN}',
                                  b'{"name": "\xff"}', '{"a": 1', "[1, 2]", '"text"'],
                         ids=["deep-array", "deep-object", "beyond-64-bits", "nan", "invalid-utf8", "truncated",
                              "array", "string"])
async def test_every_json_operation_refuses_a_crafted_body_with_a_problem(client: TestClient, db: Any,
                                                                         errors_logged: list[logging.LogRecord],
                                                                         body: str | bytes) -> None:
    for method, path in await json_operations(client):
        headers = {**await _headers(client, path), "Content-Type": "application/json"}
        async with client.request(method, _filled(path), data=body, headers=headers) as response:
            assert 400 <= response.status < 500, f"{method} {path}: {response.status} {await response.text()}"
            assert response.content_type == "application/problem+json", f"{method} {path}"
    assert not _failures(errors_logged)


@pytest.mark.parametrize("path", sorted(PUBLIC_OPERATIONS))
async def test_sign_in_and_registration_name_the_body_that_is_too_deep(client: TestClient, db: Any, path: str) -> None:
    response = await client.post(PREFIX + path, data=DEEP, headers={**await _headers(client, PREFIX + path),
                                                                     "Content-Type": "application/json"})
    assert response.status == 400
    problem = await response.json(content_type=None)
    assert problem["errors"] == [{"field": "body", "message": f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."}]
    assert await db.users.count_documents({}) == 0


async def test_a_body_that_is_not_json_is_refused_by_media_type(client: TestClient, db: Any) -> None:
    headers = await _headers(client, f"{PREFIX}/accounts/login")
    cases = [({"Content-Type": "text/plain"}, 415, "Content-Type"),
             ({"Content-Type": "application/json; charset=latin-1"}, 415, "Content-Type"),
             ({"Content-Type": "application/json; charset=no-such-charset"}, 415, "Content-Type")]
    for extra, status, field in cases:
        response = await client.post(f"{PREFIX}/accounts/login", data='{"email": "a@b.in", "password": "x"}',
                                     headers={**headers, **extra})
        assert response.status == status, extra
        assert [error["field"] for error in (await response.json(content_type=None))["errors"]] == [field]


async def test_a_json_body_over_the_limit_is_refused_unread(client: TestClient, db: Any) -> None:
    headers = {**await _headers(client, f"{PREFIX}/accounts/login"), "Content-Type": "application/json"}
    big = '{"email": "' + "a" * MAX_JSON_BYTES + '"}'
    response = await client.post(f"{PREFIX}/accounts/login", data=io.BytesIO(big.encode()), headers=headers)
    assert response.status == 413 and response.content_type == "application/problem+json"


async def test_an_optional_body_may_be_absent_but_not_crafted(client: TestClient, db: Any) -> None:
    """Forum moderation takes an optional reason: no body is fine, a deep one is not."""
    admin = await make_user(db, roles=("admin",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, admin)}"}
    absent = await client.post(f"{PREFIX}/forums/threads/{PLACEHOLDER}/lock", headers=headers)
    assert absent.status == 404
    deep = await client.post(f"{PREFIX}/forums/threads/{PLACEHOLDER}/lock", data=DEEP,
                             headers={**headers, "Content-Type": "application/json"})
    assert deep.status == 400


def test_depth_is_found_without_recursion_and_limits_hold_at_their_edges() -> None:
    assert nests_deeper_than(json.loads("[" * 900 + "]" * 900), 32)
    nested_three = {"a": "[[[[", "b": [1, {"c": "]]"}]}
    assert nests_deeper_than(nested_three, 2) and not nests_deeper_than(nested_three, 3)
    assert not nests_deeper_than("[[[[", 0) and not nests_deeper_than(7, 0)
    assert parse_json('{"a": [[1]]}') == {"a": [[1]]}
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    for deeper in (MAX_JSON_DEPTH + 1, 5000):
        with pytest.raises(BadRequest):
            parse_json("[" * deeper + "]" * deeper)
    assert parse_json(str(2**63 - 1)) == 2**63 - 1 and parse_json(str(-(2**63))) == -(2**63)
    with pytest.raises(BadRequest):
        parse_json(str(2**63))


# --- forms ------------------------------------------------------------------------------------

CRAFTED_FORMS = [
    (b"lang=hi&name=\xff\xfe", "application/x-www-form-urlencoded"),
    (b"lang=hi", "application/x-www-form-urlencoded; charset=no-such-charset"),
    (b"lang=hi", "application/x-www-form-urlencoded; charset=utf-16"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--x--\r\n", "multipart/form-data; boundary=x"),
    (b"--x\r\nContent-Disposition: form-data; name=lang\r\nContent-Type: text/plain; charset=nope\r\n\r\nhi\r\n--x--\r\n",
     "multipart/form-data; boundary=x"),
    (b"garbage", "multipart/form-data"),
    (b"lang=hi&name=%ED%A0%80abc", "application/x-www-form-urlencoded"),  # percent-escapes that are not UTF-8
]


def form_paths(client: TestClient) -> list[str]:
    """Every page route that accepts a POST (not the API, not the socket)."""
    paths = set()
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if route.method in ("POST", "*") and not path.startswith((PREFIX, "/socket.io", "/static")):
            paths.add(path)
    return sorted(paths)


@pytest.mark.parametrize(("body", "content_type"), CRAFTED_FORMS,
                         ids=["invalid-utf8", "unknown-charset", "other-charset", "part-without-name",
                              "part-with-unknown-charset", "no-boundary", "escaped-invalid-utf8"])
async def test_every_form_refuses_undecodable_bytes_before_the_csrf_check(client: TestClient, db: Any,
                                                                         errors_logged: list[logging.LogRecord],
                                                                         body: bytes, content_type: str) -> None:
    await client.get("/")
    paths = form_paths(client)
    assert "/language" in paths and "/login" in paths and len(paths) > 30
    for path in paths:
        response = await client.post(_filled(path), data=body,
                                     headers={"Content-Type": content_type}, allow_redirects=False)
        assert response.status == 400, f"{path}: {response.status}"
        assert response.content_type == "text/html" and "Bad request" in await response.text()
    assert not _failures(errors_logged)
    assert "lang" not in {cookie.key for cookie in client.session.cookie_jar}


async def test_a_form_sent_with_the_csrf_header_is_read_by_the_same_rule(client: TestClient, db: Any,
                                                                       errors_logged: list[logging.LogRecord]) -> None:
    """With the token in ``X-CSRF-Token`` the CSRF check does not read the form; the page does."""
    token = await csrf_token(client)
    response = await client.post("/language", data=b"lang=hi&next=\xff",
                                 headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
                                 allow_redirects=False)
    assert response.status == 400
    assert "lang" not in {cookie.key for cookie in client.session.cookie_jar}
    assert not _failures(errors_logged)


# --- 405 --------------------------------------------------------------------------------------

PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def test_every_route_answers_a_wrong_method_with_405_and_allow(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, admin)}"}
    allowed: dict[str, set[str]] = {}
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and not path.startswith("/static"):
            allowed.setdefault(path, set()).add(route.method)
    probed = 0
    for path, methods in sorted(allowed.items()):
        wrong = [method for method in PROBED_METHODS if method not in methods]
        if "*" in methods or not wrong or "{action}" in path or "{decision}" in path:  # one of a fixed set of words
            continue
        async with client.request(wrong[0], _filled(path), headers=headers) as response:
            assert response.status == 405, f"{wrong[0]} {path}: {response.status}"
            allow = set(response.headers["Allow"].split(","))
            assert methods <= allow and wrong[0] not in allow, path  # a path two routes match allows both's
            expected = "application/problem+json" if path.startswith(PREFIX) else "text/html"
            assert response.content_type == expected, path
        probed += 1
    assert probed > 50


async def test_a_method_not_allowed_says_which_are(client: TestClient, db: Any) -> None:
    admin = await make_user(db, roles=("admin",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, admin)}"}
    api = await client.delete(f"{PREFIX}/openapi.json", headers=headers)
    assert api.status == 405 and api.content_type == "application/problem+json"
    assert set(api.headers["Allow"].split(",")) == {"GET", "HEAD"}
    page = await client.put("/healthz", headers={"X-CSRF-Token": await csrf_token(client)})
    assert page.status == 405 and page.content_type == "text/html"
    assert set(page.headers["Allow"].split(",")) == {"GET", "HEAD"}


async def test_a_typed_replacement_character_is_not_taken_for_undecodable_bytes(client: TestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/language", data={"csrf_token": token, "lang": "hi", "next": "/?q=\ufffd"},
                                 allow_redirects=False)
    assert response.status == 303


async def test_a_body_that_does_not_decompress_is_a_bad_request(client: TestClient, db: Any,
                                                                errors_logged: list[logging.LogRecord]) -> None:
    """A body found broken as it is read is refused by the reader, in the problem or page the
    route answers with; one aiohttp finds broken while parsing (deflate, here) it refuses itself,
    with a plain 400. Neither is a server error, and neither logs one."""
    admin = await make_user(db, roles=("admin",))
    api = await client.post(f"{PREFIX}/forums/preview", data=b'{"body": "x"}', headers={
        "Authorization": f"Bearer {await bearer_token(client, admin)}", "Content-Type": "application/json",
        "Content-Encoding": "gzip", "Connection": "close"})  # aiohttp drops the connection after such a body
    assert api.status == 400 and api.content_type == "application/problem+json"
    assert [error["field"] for error in (await api.json(content_type=None))["errors"]] == ["Content-Encoding"]
    await client.get("/")
    for encoding in ("gzip", "deflate"):
        form = await client.post("/language", data=b"lang=hi", allow_redirects=False, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": encoding, "Connection": "close"})
        assert form.status == 400, encoding
    assert not _failures(errors_logged)
    assert "lang" not in {cookie.key for cookie in client.session.cookie_jar}


# --- methods a form page takes ----------------------------------------------------------------


async def test_every_address_that_answers_get_answers_head_without_a_body(client: TestClient, db: Any) -> None:
    for resource in client.app.router.resources():
        methods = {route.method for route in resource}
        assert "*" not in methods or resource.canonical.startswith("/socket.io"), resource.canonical
        assert "GET" not in methods or "HEAD" in methods, resource.canonical
    for path in ("/forums", "/events", "/login", "/healthz"):
        response = await client.head(path, allow_redirects=False)
        assert response.status == 200, path
        assert await response.read() == b""
        assert response.headers["Content-Type"] == (await client.get(path)).headers["Content-Type"]


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE"])
async def test_a_form_page_writes_only_for_a_post(client: TestClient, db: Any, method: str) -> None:
    """Sign-in, registration and the other pages whose form posts back to them: a method the CSRF
    check lets through as changing nothing must change nothing."""
    await make_user(db, email="asha@example.gov.in")
    response = await client.request(method, "/login", data={"email": "asha@example.gov.in", "password": DEFAULT_PASSWORD},
                                    allow_redirects=False)
    assert response.status in (200, 405), response.status
    assert "session" not in {cookie.key for cookie in client.session.cookie_jar}
    registered = await client.request(method, "/register", data={"name": "Ravi Kumar", "email": "ravi@example.gov.in",
                                                                 "password": "a long enough passphrase"},
                                      allow_redirects=False)
    assert registered.status in (200, 405)
    assert await db.users.count_documents({}) == 1


async def test_a_redirect_target_too_long_for_a_header_falls_back_home(client: TestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/language", data={"csrf_token": token, "lang": "hi", "next": "/" + "a" * 10_000},
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
