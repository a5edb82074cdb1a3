"""The For-you page's forms and API bodies and answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DismissedKind = Literal["thread", "expert", "event", "vacancy", "competency"]
ID_PATTERN = r"^([0-9a-f]{24}|(beh|fun|dom)(\.[a-z0-9]+(-[a-z0-9]+)*)+)$"
"""A thread's, person's, event's or vacancy's id, or a competency's (``community.competencies.dictionary``)."""
POSITION_PATTERN = r"^pos(\.[a-z0-9]+(-[a-z0-9]+)*)+$"


class DismissalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DismissedKind = Field(description="what is dismissed: one suggestion, or a whole competency")
    id: str = Field(pattern=ID_PATTERN, max_length=120,
                    description="the suggested thread, person, event or vacancy, or the competency's id")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position_id: str | None = Field(None, pattern=POSITION_PATTERN, max_length=120,
                                    description="the position you want to move to; null: back to your own")


class DigestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: bool = Field(description="whether new suggestions come in your e-mail digest")


class PositionOut(BaseModel):
    id: str
    title: str
    organisation: str


class NeedOut(BaseModel):
    competency_id: str
    name: str
    required: int = Field(description="the level the position needs, 1-5")
    held: int = Field(description="the level you hold, verified first (0: none)")
    verified: bool
    short_by: int = Field(description="how many levels short (0: met)")
    weight: int = Field(description="how many of the position's activities need it")
    dismissed: bool = Field(description="whether you put it aside (not for you now)")


class SuggestionOut(BaseModel):
    kind: Literal["thread", "expert", "event", "vacancy"]
    id: str
    competency_id: str
    title: str
    url: str
    reason: str = Field(description="why it is suggested, in the language of the request")
    detail: str
    request_url: str | None = Field(description="an expert's: the form to ask them for mentoring in this competency, "
                                                "when they offer it with a place left this month; else null")


class ForYouOut(BaseModel):
    position: PositionOut | None = Field(description="the position the gap is to; null when you have none")
    target: bool = Field(description="whether the position is the one you want to move to")
    digest: bool = Field(description="whether new suggestions come in your e-mail digest")
    needs: list[NeedOut] = Field(description="the position's competencies, the most short and essential first")
    suggestions: list[SuggestionOut] = Field(description="threads, experts, events and vacancies, each with its reason")


class DismissalOut(BaseModel):
    kind: DismissedKind
    id: str
    dismissed: bool = Field(description="whether it is dismissed now")
