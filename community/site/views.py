from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web

from community import actions, api, keys
from community.accounts import people
from community.i18n import LOCALES, remember_language
from community.requests import local_target, read_form, see_other, settings_of

log = logging.getLogger("community.site")


@aiohttp_jinja2.template("site/home.html")
async def home(request: web.Request) -> dict[str, object]:
    """What is happening, in the sections the features fill, lightest first."""
    sections = []
    registered: list[keys.HomeSection] = request.app[keys.HOME_SECTIONS]
    for section in sorted(registered, key=lambda s: s.weight):
        data = await section.load(request)
        if data is not None:
            sections.append({"template": section.template, "data": data})
    return {"sections": sections}


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers. Says nothing about its dependencies."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: storage answers, and every feature's own check (e.g. search lag) passes."""
    checks: dict[str, object] = {}
    ready = True
    try:
        await request.app[keys.DB].command("ping")
        checks["storage"] = {"ok": True}
    except Exception as error:  # any failure means not ready; the reason goes to the log
        log.warning("storage not ready", extra={"error": repr(error)})
        checks["storage"] = {"ok": False}
        ready = False
    for check in request.app[keys.READINESS_CHECKS]:
        result = await check()
        checks[result["name"]] = result
        ready = ready and bool(result.get("ok"))
    return web.json_response({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


async def set_language(request: web.Request) -> web.Response:
    form = await read_form(request)
    chosen = form.get("lang")
    response = see_other(local_target(form.get("next")))
    if isinstance(chosen, str) and chosen in LOCALES:
        actor = request.get(keys.ACTOR)
        if actor is not None and actor.is_authenticated:
            await actions.run(request.app, actor, people.set_language, chosen)
        remember_language(response, chosen, secure=settings_of(request).secure_cookies)
    return response


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(api.openapi_document(request.app))
