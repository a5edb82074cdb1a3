"""The request helpers every handler shares (``community.requests``): one way to learn who asks,
read a form and redirect."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, make_mocked_request
from bson import ObjectId

from community import keys
from community.errors import Unauthenticated
from community.policy import ANONYMOUS, Actor, Member
from community.requests import actor_of, form_fields, see_other, signed_in, url_for
from tests.conftest import csrf_token
from tests.factories import make_user, sign_in

COMMUNITY = Path(__file__).resolve().parent.parent / "community"
REDIRECTS = {"HTTPSeeOther", "HTTPFound", "HTTPMovedPermanently", "HTTPTemporaryRedirect", "HTTPPermanentRedirect"}


def test_no_handler_raises_a_redirect() -> None:
    """A redirect is returned (``see_other``), never raised, so what a handler answers is what it returns."""
    raised = [f"{path.relative_to(COMMUNITY)}:{node.lineno}" for path in COMMUNITY.rglob("*.py")
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Raise)
              and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Attribute)
              and node.exc.func.attr in REDIRECTS]
    assert raised == []


def test_the_asking_person_is_anonymous_unless_the_middleware_named_one() -> None:
    request = make_mocked_request("GET", "/")
    assert actor_of(request) is ANONYMOUS
    with pytest.raises(Unauthenticated):
        signed_in(request)
    person = Actor(user_id=ObjectId())
    request[keys.ACTOR] = person
    assert actor_of(request) is person
    member = signed_in(request)
    assert isinstance(member, Member) and member.user_id == person.user_id


def test_see_other_and_url_for_build_the_redirect_from_the_route_name() -> None:
    async def thing(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    app.router.add_get("/things/{thing_id}", thing, name="thing")
    request = make_mocked_request("GET", "/", app=app)
    response = see_other(url_for(request, "thing", {"saved": "1"}, thing_id="7"))
    assert (response.status, response.headers["Location"]) == (303, "/things/7?saved=1")


async def test_form_fields_are_the_text_fields_without_the_csrf_token(aiohttp_client: Any) -> None:
    async def echo(request: web.Request) -> web.Response:
        names = request.query.getall("name", None)
        return web.json_response(await form_fields(request, names))

    app = web.Application()
    app.router.add_post("/", echo)
    client = await aiohttp_client(app)
    form = FormData({"csrf_token": "t", "title": "Single bid", "body": "What now?"})
    form.add_field("file", b"%PDF", filename="bid.pdf", content_type="application/pdf")
    assert await (await client.post("/", data=form)).json() == {"title": "Single bid", "body": "What now?"}
    form = FormData({"title": "Single bid", "body": "What now?"})
    form.add_field("file", b"%PDF", filename="bid.pdf", content_type="application/pdf")
    chosen = await client.post("/?name=title&name=file&name=tags", data=form)
    assert await chosen.json() == {"title": "Single bid"}, "only the names asked for, a file or an absent one left out"


@pytest.mark.parametrize("path", ["/notifications/read-all", "/notifications/preferences"])
async def test_the_redirects_that_were_raised_still_answer_303(client: TestClient, db: Any, path: str) -> None:
    await sign_in(client, await make_user(db))
    token = await csrf_token(client, "/notifications/preferences")
    response = await client.post(path, data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/notifications")


async def test_the_leaderboard_sends_a_signed_out_visitor_to_sign_in_and_back(client: TestClient) -> None:
    response = await client.get("/leaderboard?period=week", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login?next=/leaderboard?period%3Dweek"


def test_validation_messages_say_what_was_given_and_what_is_allowed() -> None:
    from typing import Annotated

    from pydantic import BaseModel, Field

    from community.errors import Invalid
    from community.validation import validate

    class Asked(BaseModel):
        name: Annotated[str, Field(max_length=5)]
        seats: Annotated[int, Field(ge=1, le=500)]
        tags: Annotated[list[str], Field(max_length=2)]

    with pytest.raises(Invalid) as refused:
        validate(Asked, {"name": "Lakshmi", "seats": 0, "tags": ["a", "b", "c"]})
    assert refused.value.errors == {"name": "Use at most 5 characters; you typed 7.", "seats": "Enter 1 or more.",
                                    "tags": "Give at most 2; you gave 3."}
    with pytest.raises(Invalid) as refused:
        validate(Asked, {"name": "Asha", "seats": 501, "tags": []})
    assert refused.value.errors == {"seats": "Enter 500 or less."}
