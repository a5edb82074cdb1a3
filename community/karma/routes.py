from __future__ import annotations

from aiohttp import web

from community import api
from community.karma import views


def setup(app: web.Application) -> None:
    app.router.add_get("/leaderboard", views.leaderboard_page, name="leaderboard")
    api.route(app, "GET", "/karma/leaderboard", views.leaderboard_api,
              summary="Karma Points leaderboard (members only)", tag="karma",
              query={"period": "week, month or all",
                     "org": "an organisation id; lists only members whose organisation the caller may see",
                     "limit": "1-100"})
