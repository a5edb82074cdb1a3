"""Input validation for forum forms and API bodies, and the shapes of API responses."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from bson import ObjectId
from bson.errors import InvalidId
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationInfo, WithJsonSchema, field_validator

from community.errors import NotFound
from community.i18n import gettext as _
from community.validation import Block, Line

MAX_TAGS = 5
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COMPETENCY_ID = re.compile(r"^(beh|fun|dom)(\.[a-z0-9]+(-[a-z0-9]+)*)+$")
"""The competency dictionary's id format (``community.competencies.dictionary.CompetencyId``)."""


def object_id(raw: str) -> ObjectId:
    """An id from a URL; anything malformed is simply not found."""
    try:
        return ObjectId(raw)
    except (InvalidId, TypeError):
        raise NotFound(_("We could not find that.")) from None


def _tag(value: object) -> object:
    if not isinstance(value, str):
        return value
    tag = unicodedata.normalize("NFC", value).strip().lower().replace(" ", "-")
    if not 1 <= len(tag) <= 30:
        raise ValueError(_("Each tag has 1 to 30 characters."))
    for char in tag:
        if char != "-" and unicodedata.category(char)[0] not in ("L", "M", "N"):
            raise ValueError(_("Tags use letters, digits and hyphens only."))
    return tag


def _competency(value: object) -> object:
    if not isinstance(value, str):
        return value
    tag = value.strip().lower()
    if not COMPETENCY_ID.match(tag) or len(tag) > 120:
        raise ValueError(_("Use competencies from the dictionary, such as fun.grievance-redressal.public-grievance-handling."))
    return tag


def _unique(values: list[str]) -> list[str]:
    if len(values) > MAX_TAGS:
        raise ValueError(_("Use at most %(n)s tags.", n=MAX_TAGS))
    return list(dict.fromkeys(values))


def _unique_competencies(values: list[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    if len(unique) > MAX_TAGS:
        raise ValueError(_("Choose at most %(n)s competencies; you chose %(chosen)s.", n=MAX_TAGS, chosen=len(unique)))
    return unique


def _optional_object_id(value: object) -> object:
    if value in (None, ""):
        return None
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    raise ValueError(_("This does not exist."))


def _object_id_list(value: object) -> object:
    if not isinstance(value, list):
        return value
    result = []
    for item in value:
        parsed = _optional_object_id(item)
        if parsed is None:
            raise ValueError(_("This does not exist."))
        result.append(parsed)
    return result


Tag = Annotated[str, BeforeValidator(_tag)]
CompetencyTag = Annotated[str, BeforeValidator(_competency)]
Tags = list[Tag]
"""A JSON list; a form's comma-separated field is split by ``validation.form_values``."""
CompetencyTags = list[CompetencyTag]
OptionalId = Annotated[ObjectId | None, BeforeValidator(_optional_object_id),
                       WithJsonSchema({"type": ["string", "null"], "pattern": "^[0-9a-f]{24}$"})]
IdList = Annotated[list[ObjectId], BeforeValidator(_object_id_list),
                   WithJsonSchema({"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{24}$"}})]


class Kind(StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"


class Sort(StrEnum):
    LATEST = "latest"
    NEWEST = "newest"
    TOP = "top"
    UNANSWERED = "unanswered"


class TopPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class FlagReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True, str_strip_whitespace=False)


class CategoryIn(_Input):
    name: Annotated[str, Line(2, 80)]
    slug: Annotated[str, Line(2, 60)]
    description: Annotated[str, Block(0, 500)] = ""
    parent_id: OptionalId = None
    org_id: OptionalId = None
    """Set for a space private to one organisation; empty for a public category."""
    moderator_ids: IdList = Field(default_factory=list)
    competency_tags: CompetencyTags = Field(default_factory=list)
    position: StrictInt = Field(default=0, ge=0, le=10_000)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(_("Use lower-case letters, digits and single hyphens."))
        return value

    @field_validator("competency_tags")
    @classmethod
    def _few_competencies(cls, value: list[str]) -> list[str]:
        return _unique_competencies(value)


class ThreadIn(_Input):
    title: Annotated[str, Line(8, 150)]
    body: Annotated[str, Block(10, 20_000)]
    kind: Kind = Kind.DISCUSSION
    tags: Tags = Field(default_factory=list)
    competency_tags: CompetencyTags = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _few(cls, value: list[str]) -> list[str]:
        return _unique(value)

    @field_validator("competency_tags")
    @classmethod
    def _few_competencies(cls, value: list[str]) -> list[str]:
        return _unique_competencies(value)


class ReplyIn(_Input):
    body: Annotated[str, Block(2, 20_000)]
    reply_to: StrictInt | None = Field(default=None, ge=1, le=10_000_000)


class PreviewIn(_Input):
    body: Annotated[str, Block(0, 20_000)]


class PreviewOut(BaseModel):
    html: str
    """The draft as a saved post shows it: rendered and sanitised, safe to insert as it is."""


class EditIn(_Input):
    body: Annotated[str, Block(2, 20_000)]
    title: Annotated[str, Line(8, 150)] | None = None
    """Only for the opening post: the thread's title."""
    reason: Annotated[str, Line(0, 200)] = ""

    @field_validator("title", mode="before")
    @classmethod
    def _blank_title(cls, value: Any) -> Any:
        return None if value == "" else value


class FlagIn(_Input):
    reason: FlagReason
    note: Annotated[str, Line(0, 500)] = Field(default="", validate_default=True)

    @field_validator("note")
    @classmethod
    def _note_for_other(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("reason") is FlagReason.OTHER and not value:
            raise ValueError(_("Say what is wrong when you choose \u201cother\u201d."))
        return value


class ReasonIn(_Input):
    """Every moderator action says why; the reason goes to the audit log."""

    reason: Annotated[str, Line(3, 300)]


class DeleteIn(ReasonIn):
    """A moderator's deletion; ``personal_data`` (the post exposes someone's personal data) also
    erases the post's earlier versions, which would otherwise keep the text."""

    reason_code: Literal["other", "personal_data"] = "other"


class MoveIn(ReasonIn):
    category_id: OptionalId

    @field_validator("category_id")
    @classmethod
    def _required(cls, value: ObjectId | None) -> ObjectId:
        if value is None:
            raise ValueError(_("Choose a category."))
        return value


class SuspendIn(ReasonIn):
    days: StrictInt = Field(ge=1, le=365)


class AcceptIn(_Input):
    number: StrictInt = Field(ge=2, le=10_000_000)


class ResolveFlagIn(_Input):
    outcome: Literal["dismiss", "hide"]
    reason: Annotated[str, Line(3, 300)]


class DeletePostIn(_Input):
    """The body of ``DELETE /forums/posts/{post_id}``: an author deleting their own post sends none."""

    reason: Annotated[str, Line(3, 300)] | None = Field(None, description="Required when a moderator deletes someone else's post; kept in the audit log")
    reason_code: Literal["other", "personal_data"] = Field(
        "other", description="personal_data also erases the post's earlier versions (moderators only)")


class ListQuery(_Input):
    sort: Sort = Sort.LATEST
    period: TopPeriod = Field(TopPeriod.ALL, description="for top: the period whose votes count")
    tag: Tag | None = Field(None, description="only threads with this tag")

    @field_validator("tag", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value == "" else value


class ThreadListQuery(ListQuery):
    cursor: str | None = Field(None, description="next_cursor of the previous page (the request line bounds its length)")
    limit: int = Field(30, ge=1, le=100, description="how many threads, 1-100")


class ThreadQuery(_Input):
    cursor: str | None = Field(None, description="next_cursor of the previous page (the request line bounds its length)")
    limit: int = Field(20, ge=1, le=100, description="how many posts, 1-100")


class MentionQuery(_Input):
    q: str = Field("", max_length=100, description="the start of a full name or of a surname")
    category: str | None = Field(None, max_length=64, description="a category id: only people who may read it")


# --- API responses (for the OpenAPI document) ---------------------------------------------


class AuthorOut(BaseModel):
    id: str | None
    name: str | None
    designation: str | None = None


class PostOut(BaseModel):
    id: str
    number: int
    author: AuthorOut
    html: str
    body: str | None = Field(description="The Markdown source; only for people who may edit the post")
    reply_to: int | None
    created_at: datetime
    edited_at: datetime | None
    edit_count: int
    votes: int
    voted: bool
    accepted: bool
    hidden: bool
    deleted: bool
    url: str


class ThreadOut(BaseModel):
    id: str
    category_id: str
    title: str
    kind: Kind
    tags: list[str]
    competency_tags: list[str]
    author: AuthorOut
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    votes: int
    accepted_post_id: str | None
    pinned: bool
    locked: bool
    unread: int | None = Field(default=None, description="Replies since the caller's last visit")
    url: str


class ThreadPageOut(BaseModel):
    thread: ThreadOut
    posts: list[PostOut]
    next_cursor: str | None


class ThreadListOut(BaseModel):
    items: list[ThreadOut]
    next_cursor: str | None


class CategoryOut(BaseModel):
    id: str
    slug: str
    name: str
    description: str
    parent_id: str | None
    private: bool
    competency_tags: list[str]
    thread_count: int
    post_count: int
    last_activity_at: datetime | None
    url: str


class CategoryListOut(BaseModel):
    items: list[CategoryOut]


class VoteOut(BaseModel):
    post_id: str
    votes: int
    voted: bool


class FlagOut(BaseModel):
    id: str
    post_id: str
    thread_id: str
    reason: FlagReason
    note: str
    status: str
    created_at: datetime


class FlagListOut(BaseModel):
    items: list[FlagOut]


class RevisionOut(BaseModel):
    number: int
    body: str
    html: str
    title: str | None
    edited_at: datetime
    editor: AuthorOut
    reason: str


class RevisionListOut(BaseModel):
    items: list[RevisionOut]


class MentionCandidateOut(BaseModel):
    id: str
    name: str
    designation: str = Field(description="The person's designation, empty when not given")
    organisation: str = Field(description="The person's organisation, empty when none")
    avatar: str = Field(description="The person's picture, or their initials")
    insert: str = Field(description="The Markdown to insert for this mention")


class MentionListOut(BaseModel):
    items: list[MentionCandidateOut]


class OkOut(BaseModel):
    ok: bool
    changed: bool


class SuspendedOut(OkOut):
    suspended_until: datetime
