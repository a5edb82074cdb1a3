"""Turn untrusted input into validated models, with one message per field."""

from __future__ import annotations

import types
import typing
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, StringConstraints, ValidationError

from community.errors import Invalid
from community.i18n import gettext as _

Model = TypeVar("Model", bound=BaseModel)


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_short",) and ctx.get("min_length") == 1:
        return _("This field cannot be empty.")
    if kind == "string_too_short":
        return _("Use at least %(n)s characters.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.", n=ctx.get("max_length"))
    if kind in ("int_parsing", "int_type", "float_parsing", "int_from_float"):
        return _("Enter a number.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("This number is out of range.")
    if kind in ("string_type", "bool_type", "list_type", "dict_type", "model_type"):
        return _("This value has the wrong type.")
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the offered options.")
    return _("This value is not valid.")


def _invalid(error: ValidationError) -> Invalid:
    errors: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "__root__"
        errors.setdefault(name, _message(item))
    return Invalid(errors)


def validate(model: type[Model], data: Mapping[str, Any]) -> Model:
    """Validate ``data`` against ``model``; raise :class:`Invalid` naming each bad field.

    Input models take JSON's own types (their integers are ``StrictInt``: no ``"1"``, no
    ``false``; their lists are lists); an HTML form's strings go through :func:`form_values` first."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise _invalid(error) from None


def parse_query(model: type[Model], data: Mapping[str, str]) -> Model:
    """A query string parsed with ``model``: every value arrives as text, so numbers are read from it."""
    try:
        return model.model_validate(dict(data), strict=False)
    except ValidationError as error:
        raise _invalid(error) from None


def _field_kind(annotation: Any) -> str:
    """``"int"``, ``"list"`` or ``"other"``: how a form's text becomes this field's value."""
    options = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    for option in options:
        while typing.get_origin(option) is Annotated:
            option = typing.get_args(option)[0]
        if option is int:
            return "int"
        if typing.get_origin(option) in (list, tuple):
            return "list"
    return "other"


def form_values(model: type[BaseModel], form: Mapping[str, Any]) -> dict[str, Any]:
    """An HTML form's fields as ``model`` takes them: a whole number's text becomes the number, a
    list arrives as one comma-separated field, and an empty number field means "not given"."""
    values: dict[str, Any] = {}
    for name, value in form.items():
        field = model.model_fields.get(name)
        if field is None or not isinstance(value, str):
            values[name] = value
            continue
        kind = _field_kind(field.annotation)
        text = value.strip()
        if kind == "int" and not text:
            continue
        if kind == "int" and (text.isascii() and text.lstrip("-").isdigit()):
            values[name] = int(text)
        elif kind == "list":
            values[name] = [part for part in (piece.strip() for piece in value.split(",")) if part]
        else:
            values[name] = value
    return values


def _clean_line(value: object) -> object:
    """One-line text: NFC-normalised, trimmed, no control or bidi-override characters."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).strip()
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Co") or char in BIDI_OVERRIDES:
            raise ValueError(_("Remove the invisible control characters from this field."))
    return value


def _clean_block(value: object) -> object:
    """Multi-line text: as :func:`_clean_line` but newlines and tabs are kept."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    for char in value:
        if char not in "\n\t" and (unicodedata.category(char) in ("Cc", "Cs", "Co") or char in BIDI_OVERRIDES):
            raise ValueError(_("Remove the invisible control characters from this field."))
    return value


BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def Line(min_length: int = 1, max_length: int = 200) -> Any:  # noqa: N802 - reads as a type
    """A one-line text field type for pydantic models."""
    return Annotated[str, BeforeValidator(_clean_line), StringConstraints(min_length=min_length, max_length=max_length)]


def Block(min_length: int = 1, max_length: int = 20000) -> Any:  # noqa: N802 - reads as a type
    """A multi-line text field type (Markdown bodies, bios) for pydantic models."""
    return Annotated[str, BeforeValidator(_clean_block), StringConstraints(min_length=min_length, max_length=max_length)]
