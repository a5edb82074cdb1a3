"""Shared fixtures: settings on an isolated in-memory store, the app, a client, CSRF helpers.

Every test gets its own ``sqlite:///:memory:`` store and temporary data folder, so tests never
share state and can never reach a real deployment's database.

Every ``/api/v1`` response that any test client receives is checked against the app's own
OpenAPI document (``api_responses_match_the_document``), and a success answer's body against
the pydantic model its route declares, undeclared fields included: a response the document or
the model does not describe fails the test that received it, so neither can drift from the server.

Every store a test's app or ``bare_db`` used is checked when the test ends
(``only_declared_collections``): a collection that no feature declares in its ``storage.py``
fails the test that wrote it, so no data lives outside the indexes, erasure and export.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.testing import MockRequest, MockResponse
from pydantic import BaseModel, ValidationError

from community import actions, api, keys
from community.app import create_app, declare_storage
from community.config import Settings, load_settings
from community.storage import connect, facts
from community.storage.indexes import ensure_indexes
from search.embedded import EmbeddedEngine
from tests.realtime.probe import SocketProbe

TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
DOCUMENT_PATH = f"{api.PREFIX}/openapi.json"


class DocumentMismatch(AssertionError):
    """An API response that the OpenAPI document does not describe."""


_validators: dict[str, OpenAPI] = {}
_app_validators: weakref.WeakKeyDictionary[web.Application, OpenAPI] = weakref.WeakKeyDictionary()


def document_validator(app: web.Application) -> OpenAPI:
    """The validator for ``app``'s document: the document is made once per app, and the validator
    once per distinct document (building one resolves every schema, which takes seconds)."""
    if app not in _app_validators:
        text = json.dumps(api.openapi_document(app), sort_keys=True)
        if text not in _validators:
            _validators[text] = OpenAPI.from_dict(json.loads(text), config=Config(
                extra_media_type_deserializers={"application/problem+json": json.loads, "text/csv": bytes.decode,
                                                 # a binary body the document declares as a string of its media type
                                                 "application/pdf": lambda body: body.decode("latin-1")}))
        _app_validators[app] = _validators[text]
    return _app_validators[app]


async def check_against_document(app: web.Application, method: str, response: ClientResponse) -> None:
    """Raise :class:`DocumentMismatch` unless ``app``'s OpenAPI document describes ``response``."""
    path = response.url.path
    if not path.startswith(api.PREFIX + "/") or path == DOCUMENT_PATH:
        return
    if method.upper() in ("HEAD", "OPTIONS"):
        return
    body = await response.read()
    request = MockRequest("http://testserver", method.lower(), path, args=dict(response.url.query))
    answer = MockResponse(body, status_code=response.status, headers=dict(response.headers),
                          content_type=response.content_type if body or response.status != 204 else "")
    try:
        document_validator(app).validate_response(request, answer)
    except (PathNotFound, OperationNotFound):
        if response.status in (404, 405):
            return  # no such route or method: nothing for the document to describe
        raise DocumentMismatch(f"{method.upper()} {path} answered {response.status} but the document has no such operation") from None
    except OpenAPIError as error:  # an undocumented status or media type, or a body off its schema
        detail = "; ".join(str(cause) for cause in getattr(error, "schema_errors", ())) or str(error)
        raise DocumentMismatch(f"{method.upper()} {path} answered {response.status} {body[:300]!r}, "
                               f"which the OpenAPI document does not describe: {type(error).__name__}: {detail}") from None
    check_against_model(app, method, path, response.status, body)


def declared_model(app: web.Application, method: str, path: str, status: int) -> type[BaseModel] | None:
    """The pydantic model ``app`` declares for a ``status`` answer to ``method path`` (``api.route``)."""
    parts = path.split("/")
    candidates = [op for op in app.get(api.OPENAPI_OPERATIONS, []) if op.method == method.lower()
                  and len(op.path.split("/")) == len(parts)
                  and all(mine.startswith("{") or mine == theirs for mine, theirs in zip(op.path.split("/"), parts))]
    if not candidates:
        return None
    exact = min(candidates, key=lambda op: op.path.count("{"))  # /people/me before /people/{user_id}
    declared = exact.responses.get(status)
    return declared if isinstance(declared, type) and issubclass(declared, BaseModel) else None


def undeclared_fields(sent: Any, declared: Any, where: str = "") -> list[str]:
    """Where ``sent`` (a parsed body) holds a key that ``declared`` (the model's dump of it) has not."""
    if isinstance(sent, dict) and isinstance(declared, dict):
        return [found for key, value in sent.items()
                for found in ([f"{where}/{key}"] if key not in declared else undeclared_fields(value, declared[key], f"{where}/{key}"))]
    if isinstance(sent, list) and isinstance(declared, list):
        return [found for index, (one, other) in enumerate(zip(sent, declared))
                for found in undeclared_fields(one, other, f"{where}/{index}")]
    return []


def check_against_model(app: web.Application, method: str, path: str, status: int, body: bytes) -> None:
    """Raise :class:`DocumentMismatch` unless ``body`` is what the route's declared model holds:
    each field of its type, and no field the model does not declare."""
    model = declared_model(app, method, path, status)
    if model is None:
        return
    try:
        parsed = model.model_validate_json(body)
    except ValidationError as error:
        raise DocumentMismatch(f"{method.upper()} {path} answered {status} {body[:300]!r}, "
                               f"which its model {model.__name__} refuses: {error}") from None
    extra = undeclared_fields(json.loads(body), parsed.model_dump(mode="json"))
    if extra:
        raise DocumentMismatch(f"{method.upper()} {path} answered {status} with fields its model {model.__name__} "
                               f"does not declare: {', '.join(extra)}")


@pytest.fixture(scope="session", autouse=True)
def api_responses_match_the_document() -> Iterator[None]:
    """Every test client checks each API response it receives (see :func:`check_against_document`
    and :func:`check_against_model`)."""
    original = TestClient._request

    async def checked(self: TestClient, method: str, path: Any, **kwargs: Any) -> ClientResponse:
        response = await original(self, method, path, **kwargs)
        app = getattr(self.server, "app", None)
        if isinstance(app, web.Application):
            await check_against_document(app, method, response)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TestClient, "_request", checked)
        yield


@pytest.fixture(scope="session", autouse=True)
def storage_declared(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every feature's storage facts, declared once as a served process declares them, so a store
    opened without an app (``bare_db``, commands, a seeded file) gets the same indexes and rules."""
    declare_storage(load_settings({"DATA_DIR": str(tmp_path_factory.mktemp("declared")), "LOG_LEVEL": "WARNING"}))


async def only_declared_collections(db: Any) -> None:
    """Fail unless every collection in ``db`` is one a feature declared (``community.storage.facts``)."""
    undeclared = await facts.undeclared(db)
    assert not undeclared, f"written to collections no feature declares in its storage.py: {sorted(undeclared)}"


@pytest.fixture
def declare_for_test() -> Iterator[Callable[..., None]]:
    """Declare collections that only a test's own stand-ins write (a test job's effects), for
    that test alone: ``declare_for_test(facts.Collection("effects"))``."""
    declared: list[str] = []

    def declare(*collections: facts.Collection) -> None:
        facts.declare(facts.StorageFacts(collections=collections))
        declared.extend(collection.name for collection in collections)

    yield declare
    for name in declared:
        del facts.COLLECTIONS[name]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Tests block the event loop on purpose (building the OpenAPI validator takes seconds), which
    # would shed the next requests: lag shedding is tested on its own in tests/test_overload.py.
    # The app's job runner looks for due jobs only as it starts: a test runs due jobs itself, on its
    # own clock, and a runner polling the real clock would race it for them on a loaded machine.
    loaded = load_settings({"DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING", "OVERLOAD_MAX_LAG_MS": "60000",
                            "JOBS_POLL_SECONDS": "3600"})
    return replace(loaded, storage_url="sqlite:///:memory:")


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client: Callable[..., Any], app: web.Application) -> AsyncIterator[TestClient]:
    started = await aiohttp_client(app)
    yield started
    await only_declared_collections(started.app[keys.DB])


@pytest.fixture
def db(client: TestClient) -> Any:
    """The started app's database (the client fixture has run the cleanup contexts)."""
    return client.app[keys.DB]


@pytest.fixture
async def bare_db() -> AsyncIterator[Any]:
    """An indexed in-memory store with no app around it, so no indexer drains its search outbox."""
    client = connect("sqlite:///:memory:")
    created = client["community"]
    await ensure_indexes(created)
    yield created
    await only_declared_collections(created)
    await client.close()


@pytest.fixture
async def embedded_engine(tmp_path: Path) -> AsyncIterator[EmbeddedEngine]:
    """An empty embedded search engine in the test's own folder."""
    created = EmbeddedEngine(tmp_path / "search")
    await created.ensure_indexes()
    yield created
    await created.close()


async def csrf_token(client: TestClient, path: str = "/") -> str:
    """Load a page the way a browser would and return the form token it carries."""
    response = await client.get(path)
    match = TOKEN_PATTERN.search(await response.text())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def token() -> Callable[..., Any]:
    return csrf_token


async def post_form(client: TestClient, path: str, data: dict[str, Any], *, from_page: str = "/",
                    **kwargs: Any) -> Any:
    """Submit a form as a browser would: with the CSRF token of a page it loaded first."""
    return await client.post(path, data={**data, "csrf_token": await csrf_token(client, from_page)}, **kwargs)


@pytest.fixture
def submit() -> Callable[..., Any]:
    return post_form



@pytest.fixture
def captured_effects() -> Iterator[actions.Effects]:
    """What every action committed during the test produced: events, notification intents,
    reindexes, scheduled and cancelled jobs (a refused or rolled-back write adds nothing)."""
    with actions.capture() as captured:
        yield captured


@pytest.fixture
async def probes() -> AsyncIterator[Callable[..., SocketProbe]]:
    """Make Socket.IO clients (``tests.realtime.probe``); every one is disconnected when the test ends."""
    made: list[SocketProbe] = []

    def make(local_address: str | None = None, *, reconnect: bool = False,
             transport: str = "websocket") -> SocketProbe:
        probe = SocketProbe(local_address, reconnect=reconnect, transport=transport)
        made.append(probe)
        return probe

    yield make
    for probe in made:
        await probe.close()
