"""What a person may put on their profile, checked field by field."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from community.i18n import gettext as _
from community.validation import Block, DisplayName, Line

PrivacyLevel = Literal["everyone", "organisation", "connections", "me"]

PRIVATE_FIELDS: tuple[str, ...] = (
    "designation", "organisation", "service", "location", "languages", "bio", "expertise",
    "position", "competencies", "avatar", "email", "mobile",
)
"""Profile fields whose audience the person chooses; the name is always shown to members."""

DEFAULT_PRIVACY: dict[str, str] = {
    "designation": "everyone", "organisation": "everyone", "service": "everyone", "location": "organisation",
    "languages": "everyone", "bio": "everyone", "expertise": "everyone", "position": "everyone",
    "competencies": "everyone", "avatar": "everyone", "email": "connections", "mobile": "me",
}

STATES: tuple[str, ...] = (
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat", "Haryana",
    "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh", "Maharashtra", "Manipur",
    "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab", "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana",
    "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal", "Andaman and Nicobar Islands", "Chandigarh",
    "Dadra and Nagar Haveli and Daman and Diu", "Delhi", "Jammu and Kashmir", "Ladakh", "Lakshadweep",
    "Puducherry",
)
"""The 28 states and 8 union territories."""

LANGUAGES: tuple[str, ...] = (
    "Assamese", "Bengali", "Bodo", "Dogri", "English", "Gujarati", "Hindi", "Kannada", "Kashmiri", "Konkani",
    "Maithili", "Malayalam", "Manipuri", "Marathi", "Nepali", "Odia", "Punjabi", "Sanskrit", "Santali",
    "Sindhi", "Tamil", "Telugu", "Urdu",
)
"""The 22 languages of the Eighth Schedule, and English."""

BIO_MAX = 2000
MAX_EXPERTISE = 10
MAX_COMPETENCIES = 60


class ProfileUpdate(BaseModel):
    """Every field of the edit form; the form always sends them all."""

    model_config = ConfigDict(extra="forbid")

    name: DisplayName
    designation: Annotated[str, Line(0, 120)] = ""
    service: Annotated[str, Line(0, 120)] = ""
    state: Literal[("", *STATES)] = ""  # type: ignore[valid-type]
    district: Annotated[str, Line(0, 80)] = ""
    languages: Annotated[list[Literal[LANGUAGES]], Field(max_length=len(LANGUAGES))] = []  # type: ignore[valid-type]
    bio: Annotated[str, Block(0, BIO_MAX)] = ""
    expertise: Annotated[list[Annotated[str, Line(1, 80)]], Field(max_length=MAX_EXPERTISE)] = []
    position_id: Annotated[str, Line(0, 80)] = ""
    privacy: dict[Literal[PRIVATE_FIELDS], PrivacyLevel] = {}  # type: ignore[valid-type]

    @field_validator("bio", mode="before")
    @classmethod
    def _bio_length(cls, value: object) -> object:
        """Said here in words, because a bio is the field people most often overfill."""
        if isinstance(value, str) and len(value.strip()) > BIO_MAX:
            raise ValueError(_("Keep this to %(n)s characters; it has %(found)s.", n=BIO_MAX, found=len(value.strip())))
        return value

    @field_validator("languages", "expertise")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len({item.casefold() for item in value}) != len(value):
            raise ValueError(_("Each entry may appear only once."))
        return value


class HeldCompetency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency_id: Annotated[str, Line(1, 80)]
    level: StrictInt = Field(ge=1, le=5)


class HeldCompetencies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competencies: Annotated[list[HeldCompetency], Field(max_length=MAX_COMPETENCIES)]

    @field_validator("competencies")
    @classmethod
    def _no_duplicates(cls, value: list[HeldCompetency]) -> list[HeldCompetency]:
        seen: set[str] = set()
        for item in value:
            if item.competency_id in seen:
                raise ValueError(_("%(id)s is listed more than once.", id=item.competency_id))
            seen.add(item.competency_id)
        return value


class Endorsement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency_id: Annotated[str, Line(1, 80)]
    level: StrictInt = Field(ge=1, le=5)


class Verification(BaseModel):
    """An assessment or course result, entered by an administrator."""

    model_config = ConfigDict(extra="forbid")

    competency_id: Annotated[str, Line(1, 80)]
    level: StrictInt = Field(ge=1, le=5)
    source: Literal["assessment", "course"]
    reference: Annotated[str, Line(1, 200)]


class ProfileOut(BaseModel):
    """A profile as a viewer may see it (the API's response, for the OpenAPI document); fields the
    viewer may not see are absent, not null."""

    id: str
    name: str | None
    karma: int
    designation: str | None = None
    organisation: dict[str, str] | None = None
    service: str | None = None
    location: dict[str, str] | None = None
    languages: list[str] | None = None
    bio: str | None = None
    expertise: list[str] | None = None
    position: dict[str, str] | None = None
    competencies: list[dict[str, object]] | None = None
    gap: list[dict[str, object]] | None = None
    avatar: str | None = None
    email: str | None = None
    mobile: str | None = None


class PeopleQuery(BaseModel):
    competency: str | None = Field(None, max_length=80, description="only experts holding this competency id")
    after: str | None = Field(None, max_length=64, description="the `next` of the previous page")
    limit: Annotated[int, Field(ge=1, le=100)] = Field(30, description="how many people, 1-100")


class PeoplePage(BaseModel):
    items: list[ProfileOut]
    next: str | None = Field(description="pass as `after` for the next page; null on the last one")


class EndorsedOut(BaseModel):
    created: bool = Field(description="false when you had already endorsed this competency at this level")


class RecordedOut(BaseModel):
    recorded: bool
