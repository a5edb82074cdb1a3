"""Turn untrusted input into validated models, with one message per field."""

from __future__ import annotations

from collections.abc import Mapping
import unicodedata
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
    if kind in ("int_parsing", "int_type", "float_parsing"):
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


def validate(model: type[Model], data: Mapping[str, Any]) -> Model:
    """Validate ``data`` against ``model``; raise :class:`Invalid` naming each bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]) or "__root__"
            errors.setdefault(name, _message(item))
        raise Invalid(errors) from None


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
