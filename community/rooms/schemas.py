"""Validated input of room actions (pages, API and sockets alike) and the API's answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from community.polls.schemas import PollOut
from community.validation import clean_block, clean_line
from pydantic import BeforeValidator

ObjectIdText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageIn(_In):
    body: Annotated[str, BeforeValidator(clean_block), StringConstraints(min_length=1, max_length=1000)]


class QuestionIn(_In):
    body: Annotated[str, BeforeValidator(clean_block), StringConstraints(min_length=3, max_length=500)]
    anonymous: bool = False


class HandIn(_In):
    raised: bool = True


class RoomRef(_In):
    """A socket message naming a room."""

    kind: Kind
    subject_id: ObjectIdText


class MessageEvent(RoomRef):
    body: Annotated[str, BeforeValidator(clean_block), StringConstraints(min_length=1, max_length=1000)]


class QuestionEvent(RoomRef):
    body: Annotated[str, BeforeValidator(clean_block), StringConstraints(min_length=3, max_length=500)]
    anonymous: bool = False


class TargetEvent(RoomRef):
    """A host's action on one message, question or person."""

    target_id: ObjectIdText


class HandEvent(RoomRef):
    raised: bool = True


class MuteIn(_In):
    user_id: ObjectIdText
    minutes: int = Field(ge=1, le=240)


class SlowModeIn(_In):
    seconds: int = Field(ge=0, le=600)


class QuestionStateIn(_In):
    state: Literal["open", "answering", "answered"]


class AttendanceIn(_In):
    user_id: ObjectIdText
    attended: bool
    reason: Annotated[str, BeforeValidator(clean_line), StringConstraints(min_length=3, max_length=300)]


class RoomPollIn(_In):
    """A poll a host adds during the session; checked by the polls module's rules (two to 50
    different options, min and max within them)."""

    question: Annotated[str, StringConstraints(max_length=1000)] = Field(description="what the poll asks")
    type: Literal["single", "multiple", "number"] = Field("single", description="number: a rating from min to max")
    options: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(
        default_factory=list, max_length=200, description="the options' texts, in order; none for a number poll")
    min: int | None = Field(None, ge=0, le=9999, description="fewest choices (multiple), or the lowest rating")
    max: int | None = Field(None, ge=0, le=9999, description="most choices (multiple), or the highest rating")
    results: Literal["always", "on_vote", "on_close", "staff_only"] = "always"
    public: bool = Field(False, description="list who chose each option; otherwise anonymous")


class RoomPollAnswer(BaseModel):
    poll: PollOut


class MessageOut(BaseModel):
    id: str
    author: str
    author_id: str
    body: str
    at: str
    pinned: bool


class QuestionOut(BaseModel):
    id: str
    body: str
    author: str | None
    """None when asked anonymously (hosts always see who asked)."""
    votes: int
    state: str
    voted: bool
    at: str


class HandOut(BaseModel):
    user_id: str
    name: str
    at: str


class RoomOut(BaseModel):
    kind: str
    subject_id: str
    title: str
    url: str
    open: bool
    host: bool
    slow_seconds: int
    present: int
    messages: list[MessageOut]
    pinned: MessageOut | None
    questions: list[QuestionOut]
    hands: list[HandOut] | None
    """Only for hosts."""
    hand_raised: bool


class QuestionAnswer(BaseModel):
    question: QuestionOut


class MessageAnswer(BaseModel):
    message: MessageOut


class HandAnswer(BaseModel):
    raised: bool
