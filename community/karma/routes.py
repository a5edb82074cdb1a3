from __future__ import annotations

from aiohttp import web

from community import api
from community.karma import storage, views
from community.karma.schemas import LeaderboardOut, LeaderboardQuery
from community.storage.facts import declare


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.router.add_get("/leaderboard", views.leaderboard_page, name="leaderboard")
    api.route(app, "GET", "/karma/leaderboard", views.leaderboard_api,
              summary="Karma Points leaderboard (members only)", tag="karma",
              query=LeaderboardQuery, response=LeaderboardOut)
