"""The administrators' page of background jobs: due, running and failed, with retry and discard."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import actions, keys, policy
from community.i18n import gettext as _
from community.jobs import manage, queries
from community.jobs.registry import JOBS
from community.requests import see_other, url_for


@aiohttp_jinja2.template("admin/jobs.html")
async def jobs_page(request: web.Request) -> dict[str, Any]:
    actor = request[keys.ACTOR]
    policy.require(actor, policy.can_manage_jobs(actor))
    return {"jobs": await queries.listing(request.app[keys.DB]), "now": request.app[keys.CLOCK](),
            "labels": {name: _(kind.label) for name, kind in JOBS.items()}}


async def _act(request: web.Request, service: Any) -> web.Response:
    await actions.run(request.app, request[keys.ACTOR], service, request.match_info["key"])
    return see_other(url_for(request, "admin_jobs"))


async def retry_job(request: web.Request) -> web.Response:
    return await _act(request, manage.retry)


async def discard_job(request: web.Request) -> web.Response:
    return await _act(request, manage.discard)
