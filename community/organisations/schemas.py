"""Input for creating and changing organisations."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from community.accounts.schemas import Name, ObjectIdText, Reason, ShortText
from community.i18n import gettext as _
from community.organisations.domains import MAX_DOMAINS, normalise
from community.organisations.states import STATES

Domain = Annotated[str, AfterValidator(normalise),
                   WithJsonSchema({"type": "string", "format": "idn-hostname", "maxLength": 253,
                                   "description": "a domain; it covers its subdomains too"})]

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


class DomainsIn(BaseModel):
    """The domains whose verified addresses join the organisation directly (each covers its subdomains)."""

    model_config = ConfigDict(extra="forbid")

    domains: list[Domain] = Field(max_length=MAX_DOMAINS)


class OrganisationOut(BaseModel):
    id: str
    name: str
    short_name: str
    kind: Literal["ministry", "department", "office"]
    level: Literal["central", "state"]
    state: str | None
    parent_id: str | None
    path: list[str]
    domains: list[str]
    """Claimed e-mail domains in their ASCII (IDNA) form."""


class MembershipAskIn(BaseModel):
    """Ask to join, or move to, an organisation."""

    model_config = ConfigDict(extra="forbid")

    org_id: ObjectIdText


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = None


class MembershipRequestOut(BaseModel):
    id: str
    user_id: str
    org_id: str
    previous_org_id: str | None
    status: Literal["unverified", "pending", "approved", "rejected", "withdrawn"]
    created_at: str
    reason: str | None


class PendingRequestOut(MembershipRequestOut):
    name: str
    email: str
    designation: str


class MembershipQueue(BaseModel):
    items: list[PendingRequestOut]
    next_cursor: str | None


class MyMembershipOut(BaseModel):
    org_id: str | None
    """The organisation the person belongs to (None while none has admitted them)."""
    request: MembershipRequestOut | None
    """The open request, if any."""


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
    cursor: str | None = Field(None, description="next_cursor of the previous page (the request line bounds its length)")
    limit: int = Field(20, ge=1, le=100, description="how many organisations, 1-100")
