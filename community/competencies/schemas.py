"""What the competency dictionary's API takes in its query strings and sends back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CompetencyQuery(BaseModel):
    kind: Literal["behavioural", "functional", "domain"] | None = Field(None, description="only competencies of this kind")
    theme: str | None = Field(None, max_length=200, description="only competencies of this theme")


class LevelOut(BaseModel):
    level: int = Field(ge=1, le=5)
    description: str


class CompetencyOut(BaseModel):
    id: str
    kind: Literal["behavioural", "functional", "domain"]
    area: str
    theme: str
    name: str
    description: str
    owner: str | None
    levels: list[LevelOut] = Field(min_length=5, max_length=5)


class CompetencyList(BaseModel):
    items: list[CompetencyOut]


class RequiredOut(BaseModel):
    competency: str
    level: int = Field(ge=1, le=5)


class ActivityOut(BaseModel):
    name: str
    competencies: list[RequiredOut]


class RoleOut(BaseModel):
    name: str
    activities: list[ActivityOut]


class PositionOut(BaseModel):
    id: str
    title: str
    organisation: str
    roles: list[RoleOut]
    requirements: dict[str, int] = Field(description="competency id -> the highest level any activity needs")


class PositionList(BaseModel):
    items: list[PositionOut]


class ImportOut(BaseModel):
    which: Literal["competencies", "positions"]
    created: int
    replaced: int
