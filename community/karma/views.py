"""The leaderboard page and API: members only; an organisation's board honours profile privacy."""

from __future__ import annotations

from functools import partial
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId

from community import api, keys, policy
from community.errors import Invalid, Unauthenticated
from community.i18n import gettext as _
from community.karma.leaderboard import Period, leaderboard
from community.karma.schemas import LeaderboardQuery
from community.organisations import queries as org_queries
from community.organisations.service import choices
from community.profiles.show import on_organisation_leaderboard


async def _query(request: web.Request) -> tuple[Period, ObjectId | None]:
    """The period and the organisation (``None``: everyone) asked for; an unknown one is refused."""
    raw_period = request.query.get("period", Period.WEEK.value)
    try:
        period = Period(raw_period)
    except ValueError:
        raise Invalid({"period": _("Choose week, month or all.")}) from None
    raw_org = request.query.get("org", "")
    if not raw_org:
        return period, None
    try:
        org = ObjectId(raw_org)
    except (InvalidId, TypeError):
        org = None
    if org is None or await org_queries.by_id(request.app[keys.DB], org) is None:
        raise Invalid({"org": _("This organisation does not exist.")})
    return period, org


async def _board(request: web.Request, default_limit: int) -> tuple[Period, ObjectId | None, list[dict[str, Any]]]:
    """Check the viewer may see leaderboards, then build the one the query asks for."""
    actor = request[keys.ACTOR]
    policy.require(actor, policy.can_view_leaderboard(actor))
    period, org = await _query(request)
    db = request.app[keys.DB]
    listed = partial(on_organisation_leaderboard, db, actor) if org else None
    board = await leaderboard(db, period=period, org_id=org, limit=api.page_limit(request, default_limit),
                              listed=listed)
    return period, org, board


async def leaderboard_page(request: web.Request) -> web.Response:
    """Signed-out visitors are sent to sign in and brought back to the board they asked for."""
    if not policy.can_view_leaderboard(request[keys.ACTOR]):
        raise Unauthenticated(_("Please sign in to continue."))
    period, org, board = await _board(request, 50)
    organisations = await choices(request.app[keys.DB])
    return aiohttp_jinja2.render_template("karma/leaderboard.html", request, {
        "board": board, "period": period, "periods": list(Period), "org": org, "organisations": organisations,
        "org_name": next((item["name"] for _depth, item in organisations if item["_id"] == org), None),
        "own_org": request[keys.ACTOR].org_id,
    })


async def leaderboard_api(request: web.Request) -> web.Response:
    api.query(request, LeaderboardQuery)
    period, org, board = await _board(request, 20)
    return api.json_response({"period": period.value, "org": str(org) if org else None,
                              "items": [{**row, "user_id": str(row["user_id"])} for row in board]})
