"""Turn untrusted input into validated models, with one message per field."""

from __future__ import annotations

import functools
import types
import typing
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from annotated_types import GroupedMetadata
from confusable_homoglyphs import confusables
from pydantic import AfterValidator, BaseModel, BeforeValidator, StringConstraints, ValidationError

from community.errors import Invalid
from community.i18n import gettext as _

Model = TypeVar("Model", bound=BaseModel)


def _typed(error: Mapping[str, Any]) -> int:
    """How many characters (or items) the person gave, for messages that say what they typed."""
    given = error.get("input")
    return len(given) if isinstance(given, str | list | tuple) else 0


def _message(error: Mapping[str, Any]) -> str:
    """What is wrong, said so the person can put it right ("Use at least 8 characters; you typed 5.")."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1 and isinstance(error.get("input"), str):
        return _("This field cannot be empty.")
    text = isinstance(error.get("input"), str)
    if kind == "string_too_short" or (kind == "too_short" and text):
        return _("Use at least %(n)s characters; you typed %(typed)s.", n=ctx.get("min_length"), typed=_typed(error))
    if kind == "string_too_long" or (kind == "too_long" and text):
        return _("Use at most %(n)s characters; you typed %(typed)s.", n=ctx.get("max_length"), typed=_typed(error))
    if kind == "too_short":
        return _("Give at least %(n)s; you gave %(typed)s.", n=ctx.get("min_length"), typed=_typed(error))
    if kind == "too_long":
        return _("Give at most %(n)s; you gave %(typed)s.", n=ctx.get("max_length"), typed=_typed(error))
    if kind in ("int_parsing", "int_type", "float_parsing", "int_from_float"):
        return _("Enter a whole number, such as 12.")
    if kind == "greater_than_equal":
        return _("Enter %(n)s or more.", n=ctx.get("ge"))
    if kind == "less_than_equal":
        return _("Enter %(n)s or less.", n=ctx.get("le"))
    if kind == "greater_than":
        return _("Enter more than %(n)s.", n=ctx.get("gt"))
    if kind == "less_than":
        return _("Enter less than %(n)s.", n=ctx.get("lt"))
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "date_parsing", "date_type"):
        return _("Enter a date and time, such as 2027-01-15 10:30.")
    if kind in ("url_parsing", "url_scheme", "url_type"):
        return _("Enter a web address starting with https://.")
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


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """``text`` as a whole number when it is written as one: decimal digits in any script (``12``,
    ``१२``), at most ``digits`` of them, an optional leading minus; otherwise None, for the caller
    to refuse with its own message. ``²`` (a digit to ``str.isdigit`` that ``int`` refuses),
    ``--1`` and 5,000 digits (past ``int``'s limit) are text, not numbers."""
    body = text[1:] if text.startswith("-") else text
    return int(text) if body.isdecimal() and len(body) <= digits else None


def number_or_text(text: str) -> int | str:
    """A form field meant as a whole number: the number when it is written as one, else the text
    as typed, for the model to refuse beside its field."""
    number = whole_number(text)
    return text if number is None else number


FIRST_YEAR, LAST_YEAR = 1900, 9000


When = TypeVar("When", bound=date)


def plausible_year(value: When) -> When:
    """A date or time whose year a calendar can work with: converting a time near year 1 or 9999
    to another zone, or adding a week to it, leaves the range Python's dates can hold."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(_("Choose a date between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
    return value


Moment = Annotated[datetime, AfterValidator(plausible_year)]
"""A date and time a person gives, in a year a calendar can work with."""
Day = Annotated[date, AfterValidator(plausible_year)]
"""A date a person gives, in a year a calendar can work with."""


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
        if kind == "int" and (number := whole_number(text)) is not None:
            values[name] = number
        elif kind == "list":
            values[name] = [part for part in (piece.strip() for piece in value.split(",")) if part]
        else:
            values[name] = value
    return values


def clean_line(value: object) -> object:
    """One-line text: NFC-normalised, trimmed, no control or bidi-override characters."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).strip()
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Co") or char in BIDI_OVERRIDES:
            raise ValueError(_("Remove the invisible control characters from this field."))
    return value


def clean_block(value: object) -> object:
    """Multi-line text: as :func:`clean_line` but newlines and tabs are kept."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    for char in value:
        if char not in "\n\t" and (unicodedata.category(char) in ("Cc", "Cs", "Co") or char in BIDI_OVERRIDES):
            raise ValueError(_("Remove the invisible control characters from this field."))
    return value


BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True, slots=True)
class Line(GroupedMetadata):
    """The rules of a one-line text field of a pydantic model: ``Annotated[str, Line(0, 120)]``
    (metadata, not a type, so a type checker sees the field as the ``str`` it is)."""

    min_length: int = 1
    max_length: int = 200

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(clean_line)
        yield from StringConstraints(min_length=self.min_length, max_length=self.max_length)


@dataclass(frozen=True, slots=True)
class Block(GroupedMetadata):
    """The rules of a multi-line text field (Markdown bodies, bios): ``Annotated[str, Block(0, 2000)]``."""

    min_length: int = 1
    max_length: int = 20000

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(clean_block)
        yield from StringConstraints(min_length=self.min_length, max_length=self.max_length)


JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: they shape Indic conjuncts after a virama, and do nothing
(visible) anywhere else."""
MAX_MARKS_IN_A_ROW = 3
"""A Devanagari letter can carry a nukta, a vowel sign and a candrabindu; more is a mark flood."""


def _clean_display_name(value: object) -> object:
    """A person's name as others see it: NFKC-normalised (so full-width and styled letters
    become plain ones), spaces collapsed; refused with invisible or direction characters, markup
    or a flood of combining marks. A joiner after a virama is kept (it chooses a conjunct's
    form); elsewhere it does nothing visible and is dropped, as some Hindi keyboards type it."""
    if not isinstance(value, str):
        return value
    value = " ".join(unicodedata.normalize("NFKC", value).split())
    kept: list[str] = []
    for char in value:
        if char in JOINERS:
            if kept and unicodedata.combining(kept[-1]) == 9:
                kept.append(char)
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or char in BIDI_OVERRIDES:
            raise ValueError(_("Remove the invisible characters and direction marks from the name."))
        if char in "<>":
            raise ValueError(_("Remove the characters < and > from this field."))
        kept.append(char)
    marks = 0
    for char in unicodedata.normalize("NFD", value):
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        if marks > MAX_MARKS_IN_A_ROW:
            raise ValueError(_("Use at most %(n)s marks on one letter.", n=MAX_MARKS_IN_A_ROW))
    return "".join(kept)


DisplayName = Annotated[str, BeforeValidator(_clean_display_name), StringConstraints(min_length=1, max_length=120)]
"""The one type for a person's display name, wherever it is set (registration, profile edit,
the API, the first administrator's set-up)."""


# Cached per process, not per app: built from Unicode's data alone.
@functools.cache
def _prototypes() -> dict[str, str]:
    """Each character mapped to one representative of its Unicode TR39 confusable class.

    The classes come from ``confusable_homoglyphs`` (Unicode's confusables.txt as data): two
    characters are in one class when either is listed as the other's homoglyph, closed under
    that relation; the representative is the class's lowest code point. Homoglyphs of more than
    one character ("rn" for "m") are left out, so this is a little weaker than TR39's skeleton.
    """
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.get(char, char) != char:
            parent[char] = parent.get(parent[char], parent[char])
            char = parent[char]
        return char

    for char, homoglyphs in confusables.confusables_data.items():
        for homoglyph in homoglyphs:
            other = homoglyph["c"].strip("\u200e")
            if len(char) == 1 and len(other) == 1:
                first, second = root(char), root(other)
                if first != second:
                    parent[max(first, second)] = min(first, second)
    return {char: root(char) for char in list(parent)}


def skeleton(text: str) -> str:
    """Unicode TR39's skeleton: NFD, each character to its class's representative, NFD again
    (after NFKC, and ignoring joiners and spaces). Equal skeletons read the same to a person."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in decomposed
                                                if c not in JOINERS and not c.isspace()))


def _readings(text: str) -> tuple[str, str, str]:
    """The skeleton as written ("Ilya" reads as "lIya"), with case folded ("ADMIN" as "аdmin"),
    and of the folded skeleton (mixed case and look-alikes together: "MEERA lYER")."""
    return skeleton(text), skeleton(text.casefold()), skeleton(skeleton(text).casefold())


def confusable(first: str, second: str) -> bool:
    """Whether two names can be mistaken for each other: any of their readings agree."""
    return any(a == b for a, b in zip(_readings(first), _readings(second), strict=True))
