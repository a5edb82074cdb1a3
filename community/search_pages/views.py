"""Thin handlers: read the request, call ``find``/``suggest``, render."""

from __future__ import annotations

import functools

import aiohttp_jinja2
from aiohttp import web

from community import api, keys
from community.errors import Invalid
from community.policy import ANONYMOUS
from community.search_pages import find, schemas


async def results_page(request: web.Request) -> web.Response:
    """The results page; with bad parameters, the form again with a message beside each field."""
    try:
        params = schemas.parse(request.query)
    except Invalid as error:
        return aiohttp_jinja2.render_template("search_pages/results.html", request,
                                              {"params": schemas.SearchParams(), "errors": error.errors,
                                               "found": None}, status=422)
    found = await find.find(request.app[keys.DB], request.app[keys.SEARCH], request.get(keys.ACTOR, ANONYMOUS), params,
                            request.app[keys.CLOCK]())
    return aiohttp_jinja2.render_template("search_pages/results.html", request,
                                          {"params": params, "errors": {}, "found": found,
                                           "scope_of_index": schemas.SCOPE_OF_INDEX,
                                           "link": functools.partial(link, request, params)})


def link(request: web.Request, params: schemas.SearchParams, **changes: object) -> str:
    """This search with some parameters changed (a facet chosen or cleared, another page)."""
    defaults = schemas.SearchParams().model_dump()
    wanted = {**params.model_dump(), "page": 1, **changes}
    query = {name: str(value) for name, value in wanted.items() if value != defaults[name]}
    return str(request.app.router["search"].url_for().with_query(query))


async def suggestions(request: web.Request) -> web.Response:
    """A fragment of links for the header box (``static/js/search.js`` swaps it in)."""
    hits = await find.suggest(request.app[keys.SEARCH], request.get(keys.ACTOR, ANONYMOUS),
                              request.query.get("q", ""))
    return aiohttp_jinja2.render_template("search_pages/partials/suggestions.html", request,
                                          {"hits": hits, "q": request.query.get("q", "")})


async def search_api(request: web.Request) -> web.Response:
    params = schemas.parse(request.query)
    found = await find.find(request.app[keys.DB], request.app[keys.SEARCH], request.get(keys.ACTOR, ANONYMOUS), params,
                            request.app[keys.CLOCK]())
    return api.json_response(found.model_dump())
