"""The leaderboard API's query string and answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from community.karma.leaderboard import Period


class LeaderboardQuery(BaseModel):
    period: Period = Field(Period.WEEK, description="the points earned in this period")
    org: str | None = Field(None, max_length=64, description="an organisation id; lists only members whose organisation the caller may see")
    limit: int = Field(20, ge=1, le=100, description="how many places, 1-100")


class PlaceOut(BaseModel):
    user_id: str
    name: str | None = Field(description="null for an erased account")
    points: int
    rank: int = Field(ge=1)


class LeaderboardOut(BaseModel):
    period: Period
    org: str | None
    items: list[PlaceOut]
