"""The direct-messages API's bodies and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from community.validation import Block, Line

BODY_MAX = 4000
"""The longest body the API reads; the rules' ``max_length`` (at most this) decides."""
ObjectIdText = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: list[ObjectIdText] = Field(min_length=1, max_length=50, description="the people to message (ids)")
    body: Annotated[str, Block(0, BODY_MAX)] = Field(description="the first message, in Markdown")
    title: Annotated[str, Line(0, 100)] = Field("", description="a group conversation's name")


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Block(0, BODY_MAX)] = Field(description="the message, in Markdown")


class ConversationQuery(BaseModel):
    tab: Literal["conversations", "requests"] = Field("conversations", description="your conversations, or message requests")
    cursor: str | None = Field(None, max_length=200, description="the `next` of the previous page")


class MessagesQuery(BaseModel):
    cursor: str | None = Field(None, max_length=200, description="the `next` of the previous page (older messages)")


class DmParticipantOut(BaseModel):
    id: str
    name: str | None = Field(description="null for an erased account")


class DmConversationOut(BaseModel):
    id: str
    kind: Literal["direct", "group"]
    title: str = Field(description="the group's name, or the other people's names")
    participants: list[DmParticipantOut] = Field(description="the other people in it")
    state: Literal["active", "request"] = Field(description="request: a message request you have not accepted")
    unread: int
    last_at: str | None


class DmConversationPage(BaseModel):
    items: list[DmConversationOut]
    counts: dict[str, int] = Field(description="conversations and requests")
    unread: int = Field(description="unread messages in all of them (the header's badge)")
    next: str | None


class DmMessageOut(BaseModel):
    id: str
    author_id: str | None = Field(description="null for an erased account")
    author_name: str | None
    html: str = Field(description="the message rendered and sanitised; empty when deleted")
    body: str = Field(description="the Markdown, for your own messages (to edit); empty otherwise")
    at: str
    edited: bool
    deleted: bool
    mine: bool
    can_edit: bool
    can_delete: bool


class DmMessagePage(BaseModel):
    conversation: DmConversationOut
    items: list[DmMessageOut] = Field(description="newest first")
    read_by: dict[str, str] = Field(description="when each other participant last read (ISO 8601), "
                                    "for people who show read receipts; empty if you turned them off")
    next: str | None


class DmReadOut(BaseModel):
    unread: int = Field(description="unread messages left in all your conversations")
