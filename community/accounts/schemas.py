"""What people may send to the accounts pages and API, and what the API sends back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Annotated, Literal

from annotated_types import GroupedMetadata
from bson import ObjectId
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from community.i18n import gettext as _
from community.validation import DisplayName, clean_line

EMAIL_PATTERN = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]+@[^@\s<>\"'(),;:\\\[\]]+\.[^@\s<>\"'(),;:\\\[\]]{2,}$")


def _length(low: int, high: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) < low:
            raise ValueError(_("This field cannot be empty.") if low == 1 else _("Use at least %(n)s characters.", n=low))
        if len(value) > high:
            raise ValueError(_("Use at most %(n)s characters.", n=high))
        return value

    return AfterValidator(check)


class Text(GroupedMetadata):
    """The rules of a text field, ``Annotated[str, Text(1, 120)]``: like ``validation.Line`` (NFC,
    trimmed, no control or bidi-override characters), with a message that names the length
    limit: pydantic reports constraints on a chained type as a generic ``too_short``, which the
    shared message table does not know. ``checks`` run after those; ``json_format`` is the
    OpenAPI ``format`` the document states (``email``)."""

    __slots__ = ("low", "high", "checks", "json_format")

    def __init__(self, low: int = 1, high: int = 200, *checks: AfterValidator, json_format: str | None = None) -> None:
        self.low, self.high, self.checks, self.json_format = low, high, checks, json_format

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(clean_line)
        yield _length(self.low, self.high)
        yield from self.checks
        yield WithJsonSchema({"type": "string", "minLength": self.low, "maxLength": self.high,
                              **({"format": self.json_format} if self.json_format else {})})


def _no_markup(value: str) -> str:
    """Names and designations never need angle brackets; refusing them keeps markup out early."""
    if "<" in value or ">" in value:
        raise ValueError(_("Remove the characters < and > from this field."))
    return value


def _email(value: str) -> str:
    value = value.lower()
    if not EMAIL_PATTERN.fullmatch(value):
        raise ValueError(_("Enter an e-mail address like name@example.gov.in."))
    return value


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value)
    if not re.fullmatch(r"\+?[0-9]{10,15}", digits):
        raise ValueError(_("Enter a mobile number of 10 to 15 digits, for example +91 98765 43210."))
    return digits


def _object_id(value: str) -> str:
    if not ObjectId.is_valid(value):
        raise ValueError(_("Choose one of the offered options."))
    return value


def _password(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError(_("Remove the invisible control characters from this field."))
    return value


def _code(value: str) -> str:
    value = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{6}", value):
        raise ValueError(_("Enter the 6-digit code from the e-mail."))
    return value


Name = Annotated[str, Text(1, 120, AfterValidator(_no_markup))]
PersonName = DisplayName
Designation = Annotated[str, Text(1, 120, AfterValidator(_no_markup))]
ShortText = Annotated[str, Text(1, 30, AfterValidator(_no_markup))]
Email = Annotated[str, Text(1, 254, AfterValidator(_email), json_format="email")]
EmailOut = Annotated[str, WithJsonSchema({"type": "string", "format": "email"})]
Mobile = Annotated[Annotated[str, Text(1, 20, AfterValidator(_mobile))] | None, BeforeValidator(_blank_is_none)]
ObjectIdText = Annotated[str, AfterValidator(_object_id)]
NewPassword = Annotated[str, BeforeValidator(_password), _length(10, 200),
                        WithJsonSchema({"type": "string", "minLength": 10, "maxLength": 200, "format": "password"})]
GivenPassword = Annotated[str, _length(1, 200), WithJsonSchema({"type": "string", "format": "password"})]
Code = Annotated[str, Text(1, 12, AfterValidator(_code))]
Reason = Annotated[Annotated[str, Text(1, 500, AfterValidator(_no_markup))] | None, BeforeValidator(_blank_is_none)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    name: PersonName
    email: Email
    mobile: Mobile = None
    org_id: ObjectIdText
    designation: Designation
    password: NewPassword


class VerifyIn(Strict):
    email: Email
    code: Code


class EmailIn(Strict):
    email: Email


class LoginIn(Strict):
    email: Email
    password: GivenPassword


class ResetIn(Strict):
    email: Email
    code: Code
    password: NewPassword


class RoleChangeIn(Strict):
    role: Literal["expert", "mdo_admin", "moderator", "admin"]
    action: Literal["grant", "revoke"]
    reason: Reason = None


class UserSummary(BaseModel):
    """A person in a list: no mobile number. Lists are not audited per person, so they carry only
    what telling people apart needs; one person's record (``UserOut``) is audited when viewed."""

    id: str
    name: str
    email: EmailOut
    org_id: str | None
    """The organisation the person belongs to; None while their request to join one is pending."""
    designation: str
    roles: list[str]


class UserOut(UserSummary):
    mobile: str | None


class UserPage(BaseModel):
    items: list[UserSummary]
    next_cursor: str | None


class TokenOut(BaseModel):
    token: str
    token_type: Literal["Bearer"]
    expires_in: int


class CsrfOut(BaseModel):
    csrf_token: str


class Accepted(BaseModel):
    status: str
    detail: str


def user_summary(user: dict) -> dict:
    return {"id": str(user["_id"]), "name": user["name"], "email": user["email"],
            "org_id": str(user["org_id"]) if user.get("org_id") else None, "designation": user.get("designation", ""),
            "roles": sorted(set(user.get("roles", [])) | {"officer"})}


def user_out(user: dict) -> dict:
    return {**user_summary(user), "mobile": user.get("mobile")}
