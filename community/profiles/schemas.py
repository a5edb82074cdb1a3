"""What a person may put on their profile, checked field by field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from bson import ObjectId
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, create_model, field_validator

from community.i18n import gettext as _
from community.profiles import fields
from community.validation import DisplayName, Line

MAX_COMPETENCIES = 60


class ProfileUpdate(BaseModel):
    """The fields of a profile update that every profile has; ``profile_update_model`` adds one
    per input of each declared field (``community.profiles.fields``) and the privacy choices."""

    model_config = ConfigDict(extra="forbid")

    name: DisplayName


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
    """What every member sees of a profile; ``profile_out_model`` adds the declared fields."""

    id: str
    name: str | None
    karma: int


def _object_id(value: str | None) -> str | None:
    if value and not ObjectId.is_valid(value):
        raise ValueError(_("Choose an organisation from the list."))
    return value or None


class PeopleQuery(BaseModel):
    """The directory's filters, for the page's form and the API alike; an empty value is no filter."""

    q: Annotated[str, Line(0, 100)] = Field("", description="words to find through the people search index")
    competency: Annotated[str, Line(0, 80)] = Field("", description="only people holding this competency id")
    min_level: Annotated[Annotated[int, Field(ge=1, le=5)] | None, BeforeValidator(lambda v: v or None)] = Field(
        None, description="with `competency`: at least this level, 1-5")
    basis: Literal["any", "verified"] = Field("any", description="`verified`: count verified levels only")
    org: Annotated[str | None, BeforeValidator(_object_id)] = Field(None, description="an organisation id")
    state: Literal[("", *fields.STATES)] = Field("", description="state or union territory")  # type: ignore[valid-type]
    language: Literal[("", *fields.LANGUAGES)] = Field("", description="a language they work in")  # type: ignore[valid-type]
    role: Literal["", "expert", "officer"] = Field("", description="experts, or officers who are not experts")
    mentoring: bool = Field(False, description="only experts whose mentoring offer is open with a place left this month")
    after: str | None = Field(None, max_length=600, description="the `next` of the previous page")
    limit: Annotated[int, Field(ge=1, le=100)] = Field(20, description="how many people, 1-100")


class DirectoryMatch(BaseModel):
    """The level that matched the directory's competency filter, and on what evidence."""

    competency_id: str
    level: int
    basis: Literal["verified", "declared"]


class MentoringTopic(BaseModel):
    """A competency a person offers mentoring in."""

    id: str
    name: str


class EndorsedOut(BaseModel):
    created: bool = Field(description="false when you had already endorsed this competency at this level")


class RecordedOut(BaseModel):
    recorded: bool


@dataclass(frozen=True, slots=True)
class _Declared:
    update: type[ProfileUpdate]
    out: type[ProfileOut]
    people_page: type[BaseModel]


@cache
def _declared(declared: tuple[fields.ProfileField, ...]) -> _Declared:
    names = tuple(field.name for field in declared)
    inputs: dict[str, Any] = {item.key: (item.schema, item.empty) for field in declared for item in field.inputs}
    update = create_model(
        "ProfileUpdate", __base__=ProfileUpdate, __doc__="Every field of the edit form; the form always sends them all.",
        **inputs, privacy=(dict[Literal[names], fields.PrivacyLevel], {}),  # type: ignore[valid-type]
    )
    shown: dict[str, Any] = {field.name: (field.api_type | None, None) for field in declared}
    out = create_model(
        "ProfileOut", __base__=ProfileOut,
        __doc__="A profile as a viewer may see it (the API's response, for the OpenAPI document); fields the "
                "viewer may not see are absent, not null.",
        **shown, gap=(list[dict[str, object]] | None, None),
    )
    card = create_model(
        "PeopleCard", __base__=out, match=(DirectoryMatch | None, None),
        mentoring=(bool, Field(description="whether they are available for mentoring: an open offer with a place "
                                           "left this month")),
        mentoring_topics=(list[MentoringTopic], Field(
            description="the competencies their mentoring offer lists; empty unless `mentoring`")),
    )
    page = create_model(
        "PeoplePage", items=(list[card], ...),
        next=(str | None, Field(description="pass as `after` for the next page; null on the last one")),
    )
    return _Declared(update, out, page)


def profile_update_model() -> type[ProfileUpdate]:
    """The body of a profile update, built from the declared fields."""
    return _declared(fields.FIELDS).update


def profile_out_model() -> type[ProfileOut]:
    return _declared(fields.FIELDS).out


def people_page_model() -> type[BaseModel]:
    return _declared(fields.FIELDS).people_page
