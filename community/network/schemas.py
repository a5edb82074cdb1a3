"""The network API's bodies and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from community.validation import Block

NOTE_MAX = 300

ConnectionState = Literal["none", "sent", "received", "connected"]


class ConnectionRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Block(0, NOTE_MAX)] = Field("", description="a short note the person sees with your request")


class RelationOut(BaseModel):
    """Where the caller stands with a person."""

    connection: ConnectionState = Field(description="sent: your request waits; received: theirs waits for you")
    note: str = Field(description="the note of a request waiting for you")
    following: bool
    blocked: bool = Field(description="whether you have blocked this person")
    can_connect: bool
    can_follow: bool
    can_block: bool


class ListedPersonOut(BaseModel):
    id: str
    name: str | None = Field(description="null for an erased account")
    designation: str | None
    at: str | None = Field(description="when the entry was made (ISO 8601)")
    note: str = Field(description="a request's note; empty elsewhere")


class NetworkListOut(BaseModel):
    name: Literal["connections", "received", "sent", "followers", "following", "blocked"]
    counts: dict[str, int] = Field(description="how many people each of your lists holds")
    items: list[ListedPersonOut] = Field(description="a page of entries, newest first")
    next: str | None = Field(description="pass as `cursor` for the next page; null on the last one")


class ListQuery(BaseModel):
    cursor: str | None = Field(None, max_length=200, description="the `next` of the previous page")
    limit: Annotated[int, Field(ge=1, le=100)] = Field(50, description="how many people, 1-100")


class SuggestedPersonOut(BaseModel):
    id: str
    name: str
    designation: str | None
    reasons: list[str] = Field(description="why they are suggested, in your language, the strongest first")


class SuggestionsOut(BaseModel):
    items: list[SuggestedPersonOut] = Field(description="people you may know, the most likely first")


class SuggestionDismissalOut(BaseModel):
    id: str
    dismissed: bool = Field(description="true: they will not be suggested to you again")
