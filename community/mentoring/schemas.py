"""Mentoring's bodies and answers, for the pages' forms and the API alike."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from community.i18n import gettext as _
from community.validation import Block, Line

OFFER_MAX = 1000
GOAL_MAX = 1000
NOTE_MAX = 500
PLACE_MAX = 300
COMMENT_MAX = 1000
MAX_TOPICS = 10
MAX_SLOTS = 7
ID_MAX = 200
"""Competency ids of the seeded dictionary run past 80 characters."""
CAP_MAX = 20
SLOT_MINUTES = (30, 45, 60, 90)
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

Status = Literal["requested", "accepted", "declined", "withdrawn", "expired", "ended"]
Side = Literal["mentor", "mentee"]


class Slot(BaseModel):
    """A weekly time the mentor keeps free, in Indian Standard Time."""

    model_config = ConfigDict(extra="forbid")

    weekday: StrictInt = Field(ge=0, le=6, description="0 Monday ... 6 Sunday")
    start: str = Field(description="HH:MM, 24-hour, Indian Standard Time")
    minutes: Literal[30, 45, 60, 90] = 60

    @field_validator("start")
    @classmethod
    def _time(cls, value: str) -> str:
        if not TIME.match(value):
            raise ValueError(_("Give a time as HH:MM, such as 16:30."))
        return value


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competencies: Annotated[list[Annotated[str, Line(1, ID_MAX)]], Field(min_length=1, max_length=MAX_TOPICS)] = Field(
        description="the competency ids you mentor in (your topics), 1-10")
    offer: Annotated[str, Block(1, OFFER_MAX)] = Field(description="a short offer: what you can help with and how")
    slots: Annotated[list[Slot], Field(max_length=MAX_SLOTS)] = Field(default_factory=list,
                                                                      description="weekly times you keep free")
    monthly_cap: StrictInt = Field(ge=1, le=CAP_MAX, description="new mentees you take in a month, 1-20")
    open: bool = Field(True, description="false: your offer is shown closed and nobody can ask")


class SlotOut(BaseModel):
    weekday: int
    start: str
    minutes: int


class OfferOut(BaseModel):
    mentor_id: str
    competencies: list[dict[str, str]] = Field(description="each topic's `id` and `name`")
    offer: str
    slots: list[SlotOut]
    monthly_cap: int
    open: bool
    places_left: int = Field(description="requests the mentor can still take this month")


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency_id: Annotated[str, Line(1, ID_MAX)] = Field(description="one of the mentor's topics")
    goal: Annotated[str, Block(1, GOAL_MAX)] = Field(description="what you want to achieve with the mentor's help")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Block(0, NOTE_MAX)] = Field("", description="a note to the mentee; when accepting, the "
                                                                     "first message of your conversation")


class SessionTimeIn(BaseModel):
    """When a session starts and ends; each time with its zone (the pages give Indian Standard Time)."""

    model_config = ConfigDict(extra="forbid")

    start: datetime = Field(description="when it starts, with its zone, such as 2026-12-20T10:00+05:30")
    end: datetime = Field(description="when it ends, with its zone")

    @field_validator("start", "end")
    @classmethod
    def _zoned(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(_("Give the time with its zone, such as 2026-12-20T10:00+05:30."))
        return value


class SessionIn(SessionTimeIn):
    place: Annotated[str, Line(1, PLACE_MAX)] = Field(description="a meeting link (https://...), or where to meet")


class SessionMoveIn(SessionTimeIn):
    """A session's new time, and its new place when given."""

    place: Annotated[str, Line(1, PLACE_MAX)] | None = Field(None, description=(
        "a new meeting link (https://...), or where to meet; left out, the place stays"))


class MentoringFeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: StrictInt = Field(ge=1, le=5, description="how useful it was, 1-5")
    comment: Annotated[str, Block(0, COMMENT_MAX)] = ""
    endorse_level: StrictInt | None = Field(None, ge=1, le=5, description=(
        "also endorse the other person's competency of this mentorship at this level, when the endorsement rule "
        "lets you"))


class SessionOut(BaseModel):
    """A session: an invitation-only event for the two, on its own event page."""

    id: str = Field(description="the session's event id")
    start_at: str
    end_at: str
    place: str = Field(description="the meeting link, or where to meet")
    status: Literal["scheduled", "cancelled"]
    url: str = Field(description="the event page")


class MentoringFeedbackOut(BaseModel):
    rating: int
    comment: str
    at: str
    endorsed_level: int | None


class MentorshipOut(BaseModel):
    id: str
    mentor: dict[str, str | None] = Field(description="`id` and `name` (null for an erased account)")
    mentee: dict[str, str | None]
    competency: dict[str, str] = Field(description="`id` and `name`")
    goal: str
    status: Status
    note: str = Field(description="the mentor's note with the answer")
    requested_at: str
    conversation_id: str | None
    sessions: list[SessionOut]
    feedback: dict[str, MentoringFeedbackOut] = Field(description="by side: `mentor`, `mentee`")
    completed: bool = Field(description="ended after a session took place (Karma Points were given)")
    side: Side = Field(description="which side you are on")


class MentorshipListOut(BaseModel):
    items: list[MentorshipOut]
