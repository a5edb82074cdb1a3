"""The vacancies API's bodies and answers, which the pages' forms are validated by too."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from community.profiles.fields import STATES
from community.timezones import IST
from community.vacancies.closing import Closing
from community.validation import Block, Line

MODES = ("deputation", "transfer", "contract", "promotion")
Mode = Literal["deputation", "transfer", "contract", "promotion"]
Stage = Literal["submitted", "under_review", "shortlisted", "not_selected", "selected"]
Status = Literal["submitted", "under_review", "shortlisted", "not_selected", "selected", "withdrawn"]
SHAREABLE = ("designation", "organisation", "service", "location", "languages", "bio", "email", "mobile")
"""Profile fields an applicant may share with the department (the match against the vacancy's
competencies is always shown to it; the consent says so)."""
Shareable = Literal["designation", "organisation", "service", "location", "languages", "bio", "email", "mobile"]
STATEMENT_MAX = 3000
DESCRIPTION_MAX = 20000
NOTE_MAX = 2000
MAX_REQUIRED = 20
PAY_LEVELS = range(1, 19)
"""The levels of the Seventh Pay Commission's pay matrix."""


class RequiredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency: Annotated[str, Line(1, 120)] = Field(description="a competency id of the dictionary")
    level: int = Field(ge=1, le=5, description="the proficiency level required, 1-5")
    essential: bool = Field(description="essential, or only desirable")


class VacancyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: str = Field(pattern=r"^[0-9a-f]{24}$", description="the organisation the vacancy is for: yours or one below it")
    title: Annotated[str, Line(1, 160)]
    position_id: Annotated[str, Line(0, 120)] = Field("", description="the FRAC position (a dictionary position id), or empty")
    state: Literal[STATES]  # type: ignore[valid-type]
    city: Annotated[str, Line(1, 80)]
    pay_level: int = Field(ge=1, le=18, description="the level of the pay matrix, 1-18")
    mode: Mode
    eligibility_service: Annotated[str, Line(0, 160)] = Field("", description="which services may apply")
    eligibility_grade: Annotated[str, Line(0, 160)] = Field("", description="the grade an applicant must hold")
    eligibility_years: int = Field(0, ge=0, le=40, description="years of service an applicant must have")
    posts: int = Field(1, ge=1, le=1000, description="how many posts")
    closes_at: datetime = Field(description="when applications close (ISO 8601; without an offset, Indian Standard Time)")
    description: Annotated[str, Block(1, DESCRIPTION_MAX)] = Field(description="Markdown")
    contact: Annotated[str, Line(1, 200)]
    required: list[RequiredIn] = Field(min_length=1, max_length=MAX_REQUIRED,
                                       description="the required competencies, at least one")

    @field_validator("closes_at")
    @classmethod
    def _in_ist_when_naive(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=IST) if value.tzinfo is None else value


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Mode | None = None
    state: Literal[STATES] | None = None  # type: ignore[valid-type]
    pay_level: int | None = Field(None, ge=1, le=18)
    words: Annotated[str, Line(0, 200)] = Field("", description="every word must be in the vacancy")
    min_match: int = Field(0, ge=0, le=100, description="the lowest match (0-100) worth an alert")


class SavedSearchOut(BaseModel):
    id: str
    mode: Mode | None
    state: str | None
    pay_level: int | None
    words: str
    min_match: int


class SavedSearchListOut(BaseModel):
    items: list[SavedSearchOut]


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    closes_at: datetime = Field(description="the new closing time (ISO 8601; without an offset, Indian Standard Time)")

    @field_validator("closes_at")
    @classmethod
    def _in_ist_when_naive(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=IST) if value.tzinfo is None else value


class ApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: Annotated[str, Block(1, STATEMENT_MAX)] = Field(description="why you are applying")
    share: list[Shareable] = Field([], description="the profile fields the department may see")


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applications: list[Annotated[str, Line(1, 60)]] = Field(min_length=1, max_length=500,
                                                            description="application ids")
    status: Stage


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Block(1, NOTE_MAX)]


class VacancyListQuery(BaseModel):
    mode: Mode | None = None
    state: Literal[STATES] | None = None  # type: ignore[valid-type]
    pay_level: int | None = Field(None, ge=1, le=18)
    org: str | None = Field(None, max_length=24, description="the posting organisation's id, as `counts` gives it")
    competency: str | None = Field(None, max_length=120, description="a required competency's id, as `counts` gives it")
    closing: Closing | None = Field(None, description="when it closes, in days of Indian Standard Time from today: "
                                                      "`week` (the 7 days starting today), `month` (the 30 days "
                                                      "starting today, this week included) or `later`")
    limit: int = Field(20, ge=1, le=100)


class ApplicantsQuery(BaseModel):
    status: Stage | None = None
    essentials: bool = Field(False, description="only applicants who meet every essential competency")
    after: str | None = Field(None, max_length=200, description="the `next` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class RowOut(BaseModel):
    competency: str
    name: str
    required: int
    essential: bool
    outcome: Literal["meets", "short", "missing"]
    basis: Literal["verified", "declared"] | None
    held: int
    short_by: int
    text: str = Field(description="the row in words, in your language")


class MatchOut(BaseModel):
    score: int = Field(ge=0, le=100)
    essentials_met: bool
    summary: str
    rows: list[RowOut]


class VacancyRequirementOut(BaseModel):
    competency: str
    name: str
    level: int
    essential: bool


class VacancyOut(BaseModel):
    id: str
    org_id: str
    organisation: str
    title: str
    position_id: str | None
    state: str
    city: str
    pay_level: int
    mode: Mode
    eligibility_service: str
    eligibility_grade: str
    eligibility_years: int
    posts: int
    closes_at: str
    description: str
    description_html: str
    contact: str
    required: list[VacancyRequirementOut]
    status: Literal["draft", "open", "closed"]
    applications: int
    match: MatchOut | None = Field(description="your match, when you are signed in")
    application_status: Status | None = Field(description="your application's status, if you applied")
    can_manage: bool
    can_apply: bool


class VacancyListItemOut(BaseModel):
    id: str
    title: str
    organisation: str
    state: str
    city: str
    mode: Mode
    pay_level: int
    closes_at: str
    match: MatchOut | None


class FilterCountOut(BaseModel):
    value: str = Field(description="the value to pass as the filter")
    label: str = Field(description="the value in your language")
    count: int = Field(description="how many open vacancies choosing it lists, the other filters applied")


class VacancyListOut(BaseModel):
    items: list[VacancyListItemOut] = Field(description="open vacancies, best match first")
    counts: dict[Literal["state", "mode", "pay_level", "org", "competency", "closing"], list[FilterCountOut]] = Field(
        description="the values of each filter, in the order offered, with their counts of open vacancies: every "
                    "state, mode, pay level and closing window; the organisations and competencies of open vacancies "
                    "(and the one chosen)")


class MappingOut(BaseModel):
    position_id: str
    required: list[VacancyRequirementOut] = Field(description="the position's FRAC requirements, each essential")


class ApplicationOut(BaseModel):
    id: str
    vacancy_id: str
    status: Status
    statement: str
    shared: list[str]
    consent_purpose: str
    consent_at: str
    history: list[dict[str, str]]


class ApplicantOut(BaseModel):
    id: str
    status: Status
    statement: str
    shared: dict[str, str] = Field(description="only the fields the applicant chose to share")
    match: MatchOut
    notes: list[dict[str, str]]


class ApplicantsOut(BaseModel):
    items: list[ApplicantOut] = Field(description="a page of applicants, best match first")
    next: str | None = Field(description="pass as `after` for the next page; null on the last one")


class StageOut(BaseModel):
    moved: int


class GapLinkOut(BaseModel):
    label: str
    url: str


class GapOut(BaseModel):
    competency: str
    name: str
    short_by: int
    threads_url: str
    experts_url: str
    experts: list[GapLinkOut]


class GapListOut(BaseModel):
    items: list[GapOut] = Field(description="one entry per required competency you fall short of")
