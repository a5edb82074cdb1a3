from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import api, keys
from community.errors import Invalid
from community.i18n import gettext as _
from community.karma.leaderboard import Period, leaderboard


def _query(request: web.Request) -> tuple[Period, ObjectId | None]:
    raw_period = request.query.get("period", Period.WEEK.value)
    try:
        period = Period(raw_period)
    except ValueError:
        raise Invalid({"period": _("Choose week, month or all.")}) from None
    raw_org = request.query.get("org")
    try:
        org = ObjectId(raw_org) if raw_org else None
    except (InvalidId, TypeError):
        raise Invalid({"org": _("This organisation does not exist.")}) from None
    return period, org


@aiohttp_jinja2.template("karma/leaderboard.html")
async def leaderboard_page(request: web.Request) -> dict[str, Any]:
    period, org = _query(request)
    board = await leaderboard(request.app[keys.DB], period=period, org_id=org, limit=api.page_limit(request, 50))
    return {"board": board, "period": period, "periods": list(Period), "org": org}


async def leaderboard_api(request: web.Request) -> web.Response:
    period, org = _query(request)
    board = await leaderboard(request.app[keys.DB], period=period, org_id=org, limit=api.page_limit(request, 20))
    return api.json_response({"period": period.value, "org": str(org) if org else None,
                              "items": [{**row, "user_id": str(row["user_id"])} for row in board]})
