"""The events API's bodies and answers, which the pages' forms share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from community.validation import Block, Day, Line, Moment

TITLE_MAX = 200
DESCRIPTION_MAX = 20000
CAPACITY_MAX = 10000
"""Seats an event may offer: a larger hall is a broadcast, not an event with a list of people."""
VENUE_MAX = 300
PEOPLE_MAX = 500
"""Invitations an event holds."""
COHOSTS_MAX = 20
"""Co-hosts an event has besides its host."""

SERIES_MAX = 52
"""Occurrences one series may have: a year of weekly sessions."""

Repeat = Literal["none", "weekly", "monthly", "dates"]
Audience = Literal["everyone", "organisation", "invitation"]
PlaceKind = Literal["link", "jitsi", "bbb", "venue"]
RsvpChoice = Literal["going", "interested", "not_going"]
RsvpStatus = Literal["going", "waitlisted", "interested", "not_going", "none"]


class EventIn(BaseModel):
    """An event as its host writes it: times are wall-clock times in ``zone``."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Line(3, TITLE_MAX)]
    description: Annotated[str, Block(0, DESCRIPTION_MAX)] = Field("", description="Markdown, as in posts")
    start: Moment = Field(description="local start time in `zone`, e.g. 2026-12-20T10:00")
    end: Moment = Field(description="local end time in `zone`")
    zone: Annotated[str, Line(1, 64)] = Field("Asia/Kolkata", description="an IANA time zone name")
    capacity: int = Field(ge=1, le=CAPACITY_MAX, description="seats; more people going join the waitlist")
    audience: Audience = "everyone"
    invite: list[Annotated[str, Line(3, 254)]] = Field([], max_length=PEOPLE_MAX, description=(
        "e-mail addresses of members invited (invitation only); on a change, people invited besides "
        "those already, who stay invited"))
    invite_ids: list[Annotated[str, Line(24, 24)]] = Field([], max_length=PEOPLE_MAX, description=(
        "ids of members invited besides the addresses in `invite`, as the form's people picker chooses them"))
    uninvite: list[Annotated[str, Line(24, 24)]] = Field([], max_length=PEOPLE_MAX, description=(
        "on a change: the ids (`invited_ids`) of invited members whose invitation is withdrawn"))
    cohosts: list[Annotated[str, Line(3, 254)]] = Field([], max_length=COHOSTS_MAX, description=(
        "e-mail addresses of members made co-hosts; on a change, co-hosts besides those already, who stay co-hosts"))
    add_cohost_ids: list[Annotated[str, Line(24, 24)]] = Field([], max_length=COHOSTS_MAX, description=(
        "ids of members made co-hosts besides the addresses in `cohosts`, as the form's people picker chooses them"))
    remove_cohost_ids: list[Annotated[str, Line(24, 24)]] = Field([], max_length=COHOSTS_MAX, description=(
        "on a change: the ids (`cohost_ids`) of co-hosts who stop co-hosting; the host cannot be removed"))
    competencies: list[Annotated[str, Line(1, 80)]] = Field([], max_length=20,
                                                            description="ids from the competency dictionary")
    language: Annotated[str, Line(2, 10)] = Field("en", description="the language spoken, e.g. en, hi")
    place: PlaceKind = "link"
    link: Annotated[str, Line(0, 500)] = Field("", description="for a link place: the meeting or stream's https address")
    venue: Annotated[str, Line(0, VENUE_MAX)] = Field("", description="for a venue: where to meet, such as a room and building")
    rsvp_closes: Moment | None = Field(None, description="local time RSVP closes; the start when absent")
    repeat: Repeat = Field("none", description="on creation: repeat weekly, monthly, or on the listed `dates`")
    repeat_count: int | None = Field(None, ge=2, le=SERIES_MAX, description="how many occurrences in all")
    repeat_until: Day | None = Field(None, description="the last date an occurrence may fall on")
    dates: list[Moment] = Field([], max_length=SERIES_MAX - 1,
                                  description="for `dates`: further local start times, each as long as the first")


class RsvpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RsvpChoice


SUMMARY_MAX = 20_000
COMMENT_MAX = 1000


class RecordIn(BaseModel):
    """What the hosts add once the session has started: where to watch it again, and what was said."""

    recording_url: Annotated[str, Line(0, 500)] = Field("", description="the recording's https address; empty removes it")
    summary: Annotated[str, Block(0, SUMMARY_MAX)] = Field("", description="Markdown, as in posts")


class FeedbackIn(BaseModel):
    """One attendee's feedback; given again, it replaces theirs."""

    rating: int = Field(ge=1, le=5, description="how useful the session was, from 1 to 5")
    comment: Annotated[str, Block(0, COMMENT_MAX)] = Field("", description="optional; the hosts read it without a name")


class EvidenceIn(BaseModel):
    """The hosts' confirmation that attending counts as evidence of the event's competencies."""

    level: int = Field(ge=1, le=5, description="the level attending shows, at most the level the host holds in each")


class FeedbackOut(BaseModel):
    """What the hosts see of the feedback: how many gave it, the average, each rating's count
    (``ratings[0]`` is the number of 1s), and the comments, newest first, without names."""

    count: int
    average: float | None
    ratings: list[int]
    comments: list[str]


class EventOut(BaseModel):
    id: str
    title: str
    description_html: str
    status: Literal["draft", "published", "cancelled"]
    start_at: datetime = Field(description="UTC")
    end_at: datetime = Field(description="UTC")
    zone: str = Field(description="the zone the host set the times in")
    capacity: int
    going: int
    waitlisted: int
    interested: int
    audience: Audience
    competencies: list[str]
    language: str
    place: PlaceKind
    venue: str | None = Field(description="for a venue: where to meet")
    host_id: str
    cohost_ids: list[str] = Field(description="the co-hosts, who change the event as its host does")
    invited_ids: list[str] | None = Field(description="for its hosts: the members invited; null for everyone else")
    rsvp: RsvpStatus = Field(description="your answer")
    rsvp_open: bool
    url: str
    calendar_url: str
    recording_url: str | None = Field(description="where to watch the session again, once a host adds it")
    summary_html: str = Field(description="the hosts' summary, rendered")


class EventListOut(BaseModel):
    items: list[EventOut]


class ListQuery(BaseModel):
    when: Literal["upcoming", "week", "past", "mine"] = "upcoming"
    competency: str | None = Field(None, max_length=80)
    organisation: str | None = Field(None, min_length=24, max_length=24)
