"""Input for creating and changing organisations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from community.accounts.schemas import Name, ObjectIdText, ShortText
from community.i18n import gettext as _
from community.organisations.states import STATES

KINDS = ("ministry", "department", "office")
LEVELS = ("central", "state")


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    short_name: ShortText
    kind: Literal["ministry", "department", "office"]
    level: Literal["central", "state"]
    state: str | None = None
    parent_id: ObjectIdText | None = None

    @field_validator("state")
    @classmethod
    def known_state(cls, value: str | None) -> str | None:
        if value is not None and value not in STATES:
            raise ValueError(_("Choose a State or Union Territory from the list."))
        return value


class OrganisationChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    short_name: ShortText


class OrganisationOut(BaseModel):
    id: str
    name: str
    short_name: str
    kind: Literal["ministry", "department", "office"]
    level: Literal["central", "state"]
    state: str | None
    parent_id: str | None
    path: list[str]


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    next_cursor: str | None


class OrganisationNode(BaseModel):
    id: str
    name: str
    short_name: str
    kind: str
    level: str
    state: str | None
    children: list[OrganisationNode]


class OrganisationTree(BaseModel):
    items: list[OrganisationNode]


class OrganisationQuery(BaseModel):
    parent: str | None = Field(None, max_length=64, description="an organisation id, or `none` for top-level ones")
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    limit: int = Field(20, ge=1, le=100, description="how many organisations, 1-100")
