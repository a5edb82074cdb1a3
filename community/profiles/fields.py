"""Profile fields, each declared once.

As in Misago's profile fields (``misago.users.profilefields``), a field is one declaration: its
label, the form inputs it takes and how they are validated and stored, how a viewer sees it, who
sees it by default, and how search weighs it. The edit form and the API's input schema
(``schemas.profile_update_model``), the person page and the API's output schema, the search
document (``search_values``), the privacy defaults (``privacy_of``) and the edit service all
iterate :data:`FIELDS`, so a new field is one more entry there. A field stored in the profile
document (``store="profile"``) is exported with it and erased with it; one stored on the account
(``store="account"``) is anonymised by the account's erasure rule, which must name it.

Functions here read :data:`FIELDS` when called, never at import, so a test may swap the tuple.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from community.competencies import queries as dictionary
from community.forums import markdown
from community.i18n import gettext as _
from community.i18n import N_, lazy_gettext
from community.organisations.states import STATES
from community.validation import Block, Line
from community.storage.api import Database

if TYPE_CHECKING:
    from community.policy import Actor

PrivacyLevel = Literal["everyone", "organisation", "connections", "me"]
InputKind = Literal["line", "block", "choice", "choices", "lines"]
"""How the edit form asks: one line of text, a text area, a select, checkboxes, or a text area
whose lines are the list's items."""
Placement = Literal["lead", "details", "section"]
"""Where the person page shows a field: under the name, in the list of details, or as a section
with its own heading. ``None`` on a field means the page shows it in a part of its own."""

LANGUAGES: tuple[str, ...] = (
    N_("Assamese"), N_("Bengali"), N_("Bodo"), N_("Dogri"), N_("English"), N_("Gujarati"), N_("Hindi"),
    N_("Kannada"), N_("Kashmiri"), N_("Konkani"), N_("Maithili"), N_("Malayalam"), N_("Manipuri"),
    N_("Marathi"), N_("Nepali"), N_("Odia"), N_("Punjabi"), N_("Sanskrit"), N_("Santali"), N_("Sindhi"),
    N_("Tamil"), N_("Telugu"), N_("Urdu"),
)
"""The 22 languages of the Eighth Schedule, and English."""

BIO_MAX = 2000
MAX_EXPERTISE = 10

Options = Callable[[Any], Awaitable[list[tuple[str, str]]]]
"""``async def options(db)``: the ``(value, label)`` pairs of a select."""
Check = Callable[[Any, Any], Awaitable[str | None]]
"""``async def check(db, value)``: the message for a value the schema accepts but the data refuses."""


@dataclass(frozen=True, eq=False, slots=True)
class Input:
    """One control of the edit form; ``key`` names it in the form, the API body and storage."""

    key: str
    label: Any
    kind: InputKind
    schema: Any
    """The pydantic type of the value (the API body's field and the form's, once parsed)."""
    hint: Any = None
    max_length: int | None = None
    rows: int = 5
    choices: tuple[str, ...] = ()
    """For ``choices``: the checkbox values, each its own label."""
    options: Options | None = None
    """For ``choice``: the select's options."""
    check: Check | None = None
    none_if_empty: bool = False
    """Store an empty answer as null (a reference to something else, such as a position)."""

    @property
    def empty(self) -> Any:
        return [] if self.kind in ("choices", "lines") else ""


@dataclass(frozen=True, slots=True)
class Sources:
    """What one person's profile is shown from, loaded for a whole page of people at once."""

    user: Mapping[str, Any]
    profile: Mapping[str, Any]
    organisation: str | None
    """The name of the person's organisation."""
    has_avatar: bool
    position: Mapping[str, Any] | None
    """The dictionary's position the person holds."""
    held: list[dict[str, Any]]
    """The competencies the person holds, with their evidence (as ``show.visible_profiles`` lists them)."""


@dataclass(frozen=True, eq=False, slots=True)
class ProfileField:
    """One part of a profile whose audience the person chooses (the name is always shown)."""

    name: str
    """The key in the privacy settings, the shown profile and the API's output."""
    label: Any
    """What the privacy settings call it."""
    default_privacy: PrivacyLevel
    api_type: Any
    """The type of the shown value in the API's output."""
    inputs: tuple[Input, ...] = ()
    """The edit form's controls; none for a field edited elsewhere (the account, competencies)."""
    store: Literal["profile", "account"] = "profile"
    """Where the inputs are stored: the profile document, or the person's account."""
    fillable: Callable[[Actor], bool] | None = None
    """Who may give it a value; everyone who edits their profile when ``None``."""
    refusal: Any = None
    """The message for a value given by someone ``fillable`` refuses."""
    value: Callable[[Sources], Any] | None = None
    """The shown value, ``None`` when there is nothing to show; by default the stored value of
    the field's one input."""
    place: Placement | None = "details"
    shows_as: str = "text"
    """The macro of ``templates/profiles/partials/values.html`` that shows the value."""
    display_label: Any = None
    """What the person page calls it, when not ``label``."""
    search: Literal["text", "keyword"] | None = None
    """Whether search matches words in it (``text``) or filters and counts by its values."""
    search_weight: int = 1
    search_key: str | None = None
    """The search document's field, when not ``name``."""
    search_value: Callable[[Mapping[str, Any], Mapping[str, Any]], Any] | None = None
    """``(user, profile)`` to the indexed value; by default the stored value of the one input."""

    @property
    def heading(self) -> Any:
        return self.display_label or self.label

    def shown(self, sources: Sources) -> Any:
        if self.value is not None:
            return self.value(sources)
        return _present(self._record(sources.user, sources.profile).get(self.inputs[0].key))

    def indexed(self, user: Mapping[str, Any], profile: Mapping[str, Any]) -> Any:
        if self.search_value is not None:
            return self.search_value(user, profile)
        return _present(self._record(user, profile).get(self.inputs[0].key))

    def _record(self, user: Mapping[str, Any], profile: Mapping[str, Any]) -> Mapping[str, Any]:
        return user if self.store == "account" else profile


def _present(value: Any) -> Any:
    """A stored value as shown: lists copied, empty values as ``None``."""
    if not value:
        return None
    return list(value) if isinstance(value, (list, tuple)) else value


def _no_repeats(value: list[str]) -> list[str]:
    if len({item.casefold() for item in value}) != len(value):
        raise ValueError(_("Each entry may appear only once."))
    return value


def _at_most(limit: int) -> Callable[[object], object]:
    """Said in words before the type's own check, because a bio is the field people most often overfill."""
    def check(value: object) -> object:
        if isinstance(value, str) and len(value.strip()) > limit:
            raise ValueError(_("Keep this to %(n)s characters; it has %(found)s.", n=limit, found=len(value.strip())))
        return value
    return check


def _experts_only(actor: Actor) -> bool:
    # Imported here: the policy imports search, whose index definitions read these fields.
    from community import policy

    return policy.can_list_expertise(actor)


async def _state_options(db: Database) -> list[tuple[str, str]]:
    return [("", _("Not stated")), *((state, _(state)) for state in STATES)]


async def _position_options(db: Database) -> list[tuple[str, str]]:
    return [("", _("Not stated")), *((row["_id"], f"{row['title']} ({row['organisation']})")
                                     for row in await dictionary.positions(db))]


async def _known_position(db: Database, position_id: str) -> str | None:
    if position_id and await dictionary.position(db, position_id) is None:
        return _("There is no position %(id)s in the dictionary.", id=position_id)
    return None


def _organisation(sources: Sources) -> dict[str, str] | None:
    if sources.organisation is None:
        return None
    return {"id": str(sources.user["org_id"]), "name": sources.organisation}


def _location(sources: Sources) -> dict[str, str] | None:
    state, district = sources.profile.get("state"), sources.profile.get("district")
    return {"state": state or "", "district": district or ""} if state or district else None


def _position(sources: Sources) -> dict[str, str] | None:
    position = sources.position
    if not position:
        return None
    return {"id": position["_id"], "title": position["title"], "organisation": position["organisation"]}


def _location_text(user: Mapping[str, Any], profile: Mapping[str, Any]) -> str | None:
    return ", ".join(str(part) for part in (profile.get("state"), profile.get("district")) if part) or None


def _bio_text(user: Mapping[str, Any], profile: Mapping[str, Any]) -> str | None:
    """The About as a reader sees it, so search neither matches nor shows Markdown's marks."""
    bio = profile.get("bio")
    return markdown.text(markdown.render_html(bio)) or None if bio else None


def _competency_ids(user: Mapping[str, Any], profile: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(str(row["competency_id"]) for row in profile.get("competencies", [])
                              if row.get("competency_id")))


FIELDS: tuple[ProfileField, ...] = (
    ProfileField(
        "designation", lazy_gettext("Designation"), "everyone", str, store="account", place="lead",
        inputs=(Input("designation", lazy_gettext("Designation"), "line", Annotated[str, Line(0, 120)], max_length=120),),
        search="text", search_weight=2),
    ProfileField(
        "organisation", lazy_gettext("Organisation"), "everyone", dict[str, str], value=_organisation,
        shows_as="organisation", search="keyword", search_key="org_id",
        search_value=lambda user, profile: str(user["org_id"]) if user.get("org_id") is not None else None),
    ProfileField(
        "service", lazy_gettext("Service or cadre"), "everyone", str,
        inputs=(Input("service", lazy_gettext("Service or cadre"), "line", Annotated[str, Line(0, 120)], max_length=120,
                      hint=lazy_gettext("For example IAS 2012, Kerala cadre.")),),
        search="text"),
    ProfileField(
        "location", lazy_gettext("State and district"), "organisation", dict[str, str], value=_location,
        display_label=lazy_gettext("Posted in"), shows_as="location",
        inputs=(Input("state", lazy_gettext("State or union territory"), "choice",
                      Literal[("", *STATES)], options=_state_options),
                Input("district", lazy_gettext("District"), "line", Annotated[str, Line(0, 80)], max_length=80)),
        search="text", search_value=_location_text),
    ProfileField(
        "languages", lazy_gettext("Languages"), "everyone", list[str], shows_as="names",
        inputs=(Input("languages", lazy_gettext("Languages you work in"), "choices",
                      Annotated[list[Literal[LANGUAGES]], Field(max_length=len(LANGUAGES)),  # type: ignore[valid-type]
                                AfterValidator(_no_repeats)], choices=LANGUAGES),),
        search="keyword"),
    ProfileField(
        "bio", lazy_gettext("About you"), "everyone", str, place="section", shows_as="markdown",
        display_label=lazy_gettext("About"),
        inputs=(Input("bio", lazy_gettext("About you"), "block",
                      Annotated[str, Block(0, BIO_MAX), BeforeValidator(_at_most(BIO_MAX))], max_length=BIO_MAX,
                      hint=lazy_gettext("Markdown, as in posts: **bold**, _italic_, lists and links; at most %(n)s characters.",
                                        n=BIO_MAX)),),
        search="text", search_value=_bio_text),
    ProfileField(
        "expertise", lazy_gettext("Areas of expertise"), "everyone", list[str], place="section", shows_as="items",
        fillable=_experts_only, refusal=lazy_gettext("Only experts list areas of expertise."),
        inputs=(Input("expertise", lazy_gettext("Areas of expertise"), "lines",
                      Annotated[list[Annotated[str, Line(1, 80)]], Field(max_length=MAX_EXPERTISE), AfterValidator(_no_repeats)],
                      hint=lazy_gettext("One per line, at most 10."), rows=4),),
        search="text", search_weight=2),
    ProfileField(
        "position", lazy_gettext("Position"), "everyone", dict[str, str], value=_position, shows_as="position",
        inputs=(Input("position_id", lazy_gettext("Your position (for the gap against its competency requirements)"),
                      "choice", Annotated[str, Line(0, 80)], options=_position_options, check=_known_position, none_if_empty=True),)),
    ProfileField(
        "competencies", lazy_gettext("Competencies"), "everyone", list[dict[str, object]], place=None,
        value=lambda sources: sources.held, search="keyword", search_value=_competency_ids),
    ProfileField(
        "avatar", lazy_gettext("Profile picture"), "everyone", str, place=None,
        value=lambda sources: f"/people/{sources.user['_id']}/avatar" if sources.has_avatar else None),
    ProfileField(
        "email", lazy_gettext("E-mail"), "connections", str, store="account", shows_as="mailto",
        value=lambda sources: sources.user.get("email") or None),
    ProfileField(
        "mobile", lazy_gettext("Mobile"), "me", str, store="account",
        value=lambda sources: sources.user.get("mobile") or None),
)


def field_names() -> tuple[str, ...]:
    return tuple(field.name for field in FIELDS)


def default_privacy() -> dict[str, str]:
    return {field.name: field.default_privacy for field in FIELDS}


def privacy_of(profile: Mapping[str, Any]) -> dict[str, str]:
    """Who sees each field of a stored profile: the person's choices over the defaults."""
    return {**default_privacy(), **profile.get("privacy", {})}


def inputs() -> list[tuple[ProfileField, Input]]:
    return [(field, item) for field in FIELDS for item in field.inputs]


def may_fill(field: ProfileField, actor: Actor) -> bool:
    return field.fillable is None or field.fillable(actor)


def edit_values(user: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, Any]:
    """The edit form's inputs filled from what is stored (a list of lines as one text)."""
    values: dict[str, Any] = {}
    for field, item in inputs():
        stored = (user if field.store == "account" else profile).get(item.key)
        if item.kind == "lines":
            values[item.key] = "\n".join(stored or [])
        elif item.kind == "choices":
            values[item.key] = list(stored or [])
        else:
            values[item.key] = stored or ""
    return values


def from_form(form: Any) -> dict[str, Any]:
    """A submitted edit form as the update schema takes it (the privacy choices included)."""
    data: dict[str, Any] = {}
    for _field, item in inputs():
        if item.kind == "choices":
            data[item.key] = form.getall(item.key, [])
        elif item.kind == "lines":
            data[item.key] = [line.strip() for line in str(form.get(item.key, "")).splitlines() if line.strip()]
        else:
            data[item.key] = form.get(item.key, "")
    data["privacy"] = {field.name: form.get(f"privacy_{field.name}", field.default_privacy) for field in FIELDS}
    return data


def form_redisplay(form: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a refused form shows again: the parsed values, and a list of lines as it was typed."""
    return {**data, **{item.key: str(form.get(item.key, "")) for _field, item in inputs() if item.kind == "lines"}}


async def check_update(db: Database, actor: Actor, values: Mapping[str, Any]) -> dict[str, str]:
    """Errors, by input, that the schema cannot see: fields this actor may not fill, references
    the data does not hold. The first one only, as the form shows it."""
    for field in FIELDS:
        given = next((item for item in field.inputs if values.get(item.key)), None)
        if given is not None and not may_fill(field, actor):
            return {given.key: str(field.refusal)}
        for item in field.inputs:
            if item.check is not None and (message := await item.check(db, values.get(item.key, item.empty))):
                return {item.key: message}
    return {}


def stored_changes(values: Mapping[str, Any], store: Literal["profile", "account"]) -> dict[str, Any]:
    """The ``$set`` of a validated update's inputs kept in ``store``."""
    return {item.key: (values[item.key] or None) if item.none_if_empty else values[item.key]
            for field, item in inputs() if field.store == store}


def search_weights() -> dict[str, int]:
    """The text fields of a person's search document and their weights, heaviest first."""
    declared = [(field.search_key or field.name, field.search_weight) for field in FIELDS if field.search == "text"]
    return dict(sorted(declared, key=lambda pair: -pair[1]))


def search_keywords() -> tuple[str, ...]:
    return tuple(field.search_key or field.name for field in FIELDS if field.search == "keyword")


def search_values(user: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Each searched field of a person's document: ``key -> (privacy field, value)``."""
    return {field.search_key or field.name: (field.name, field.indexed(user, profile))
            for field in FIELDS if field.search is not None}


def shown_fields(sources: Sources, sees: Callable[[str], bool]) -> dict[str, Any]:
    """The fields ``sees`` allows that have something to show, in declaration order."""
    shown: dict[str, Any] = {}
    for field in FIELDS:
        if sees(field.name):
            value = field.shown(sources)
            if value is not None:
                shown[field.name] = value
    return shown
