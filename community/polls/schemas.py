"""The polls API's bodies and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from community.polls.blocks import MAX_OPTIONS
from community.polls.results import PollView, Voter


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choices: list[StrictInt] = Field(min_length=1, max_length=MAX_OPTIONS,
                                     description="positions of the chosen options, from 0; one for single and number polls")


class VotersQuery(BaseModel):
    option: int = Field(ge=0, lt=MAX_OPTIONS, description="the option's position, from 0")
    limit: int = Field(25, ge=1, le=100)


class SubjectQuery(BaseModel):
    subject_type: Literal["forum_post"] = Field(description="what the polls belong to")
    subject_id: str = Field(min_length=24, max_length=24, description="its id")


class OptionOut(BaseModel):
    index: int
    text: str
    votes: int | None = Field(description="null while the caller may not see the results")
    percent: int | None
    chosen: bool = Field(description="whether the caller chose it")


class PollOut(BaseModel):
    id: str
    name: str
    question: str | None = Field(description="what the poll asks, for one added by hand (a live room's); null in a post")
    kind: Literal["single", "multiple", "number"]
    min: int
    max: int
    results: Literal["always", "on_vote", "on_close", "staff_only"]
    public: bool
    close_at: datetime | None
    open: bool
    voters: int
    voted: bool
    results_visible: bool
    voters_listed: bool
    can_vote: bool
    can_manage: bool
    can_export: bool
    average: float | None
    options: list[OptionOut]


class PollListOut(BaseModel):
    items: list[PollOut]


class VoterOut(BaseModel):
    user_id: str
    name: str | None = Field(description="null for an erased account")
    at: datetime


class VotersOut(BaseModel):
    poll: PollOut
    option: int
    items: list[VoterOut]


def poll_json(view: PollView) -> dict[str, object]:
    return {
        "id": str(view.id), "name": view.name, "question": view.question, "kind": view.kind, "min": view.min, "max": view.max,
        "results": view.results, "public": view.public, "close_at": view.close_at, "open": view.open,
        "voters": view.voters, "voted": view.voted, "results_visible": view.results_visible,
        "voters_listed": view.voters_listed, "can_vote": view.can_vote, "can_manage": view.can_manage,
        "can_export": view.can_export, "average": view.average,
        "options": [{"index": o.index, "text": o.text, "votes": o.votes, "percent": o.percent, "chosen": o.chosen}
                    for o in view.options],
    }


def voter_json(voter: Voter) -> dict[str, object]:
    return {"user_id": str(voter.user_id), "name": voter.name, "at": voter.at}
