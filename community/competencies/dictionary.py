"""The FRAC competency dictionary: competencies with five proficiency levels, and positions
broken into roles and activities that each require competencies at a level.

The project ships a starting dictionary in ``data/frac.json`` (its shape and provenance are in
``data/README.md``). ``load_dictionary`` reads and checks a file; ``validate_dictionary`` checks
an already-parsed document, so an administrator's import can be checked the same way before
anything of it is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError, model_validator

from community.validation import clean_block, clean_line

DEFAULT_PATH = Path(__file__).parent / "data" / "frac.json"
LEVELS = (1, 2, 3, 4, 5)

Kind = Literal["behavioural", "functional", "domain"]
Text = Annotated[str, BeforeValidator(clean_line), Field(min_length=1)]
"""One line (names, areas, themes), under the text rules of every other field: NFC, and no NUL,
control or bidi-override characters, wherever it comes from (API, admin form, CSV, seed file)."""
Description = Annotated[str, BeforeValidator(clean_block), Field(min_length=1)]
"""Like :data:`Text`, but line breaks and tabs are allowed."""
CompetencyId = Annotated[str, Field(pattern=r"^(beh|fun|dom)(\.[a-z0-9]+(-[a-z0-9]+)*)+$")]
LevelNumber = Annotated[StrictInt, Field(ge=1, le=5)]


class DictionaryError(ValueError):
    """A dictionary that cannot be used; ``problems`` lists each offending entry by name."""

    def __init__(self, problems: Sequence[str], source: str = "competency dictionary") -> None:
        self.problems = list(problems)
        super().__init__(f"{source} is invalid:\n" + "\n".join(f"- {p}" for p in self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ProficiencyLevel(_Model):
    level: LevelNumber
    description: Description


class Competency(_Model):
    id: CompetencyId
    kind: Kind
    area: Text
    theme: Text
    name: Text
    description: Description
    owner: Text | None = None
    """The organisation whose field a domain competency belongs to; behavioural and functional
    competencies are common to every organisation and have none."""
    levels: tuple[ProficiencyLevel, ...] = Field(json_schema_extra={"minItems": 5, "maxItems": 5})
    """Exactly five, numbered 1 to 5 in order (checked below, with a message that says so)."""

    @model_validator(mode="after")
    def _five_levels_and_owner(self) -> Competency:
        numbers = tuple(level.level for level in self.levels)
        if numbers != LEVELS:
            raise ValueError(
                f"competency {self.id!r} must have exactly five levels numbered 1 to 5 in order, "
                f"found {list(numbers)}"
            )
        if (self.kind == "domain") != (self.owner is not None):
            raise ValueError(
                f"competency {self.id!r}: a domain competency names its owner organisation, "
                "and only a domain competency does"
            )
        return self

    def level(self, number: int) -> ProficiencyLevel:
        return self.levels[number - 1]


class RequiredCompetency(_Model):
    competency: CompetencyId
    level: LevelNumber


class Activity(_Model):
    name: Text
    competencies: tuple[RequiredCompetency, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_competency_once(self) -> Activity:
        seen: set[str] = set()
        for required in self.competencies:
            if required.competency in seen:
                raise ValueError(
                    f"activity {self.name!r} lists competency {required.competency!r} twice"
                )
            seen.add(required.competency)
        return self


class Role(_Model):
    name: Text
    activities: tuple[Activity, ...] = Field(min_length=1)


class Position(_Model):
    id: str = Field(pattern=r"^pos(\.[a-z0-9]+(-[a-z0-9]+)*)+$")
    title: Text
    organisation: Text
    roles: tuple[Role, ...] = Field(min_length=1)

    def requirements(self) -> dict[str, int]:
        """The highest level of each competency that any activity of this position requires."""
        needed: dict[str, int] = {}
        for role in self.roles:
            for activity in role.activities:
                for required in activity.competencies:
                    needed[required.competency] = max(needed.get(required.competency, 0),
                                                      required.level)
        return needed


class ScaleLevel(_Model):
    level: LevelNumber
    name: Text


class PlatformNames(_Model):
    repository: Text
    path: Text
    commit: str = Field(pattern=r"^[0-9a-f]{7,40}$")
    parts: tuple[str, ...] = Field(min_length=1)
    note: Text


class ProjectWriting(_Model):
    parts: tuple[str, ...] = Field(min_length=1)
    licence: Text
    note: Text


class Provenance(_Model):
    platform: PlatformNames
    project: ProjectWriting


class Dictionary(_Model):
    version: Text
    provenance: Provenance
    scale: tuple[ScaleLevel, ...]
    competencies: tuple[Competency, ...]
    positions: tuple[Position, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Dictionary:
        problems: list[str] = []
        if tuple(step.level for step in self.scale) != LEVELS:
            problems.append("scale must name the five levels 1 to 5 in order")
        problems += _duplicates("competency", (c.id for c in self.competencies))
        problems += _duplicates("position", (p.id for p in self.positions))
        known = {c.id for c in self.competencies}
        for position, role, activity, required in self._requirements():
            if required.competency not in known:
                problems.append(
                    f"position {position.id!r}, role {role.name!r}, activity {activity.name!r} "
                    f"requires unknown competency {required.competency!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _requirements(self) -> Iterator[tuple[Position, Role, Activity, RequiredCompetency]]:
        for position in self.positions:
            for role in position.roles:
                for activity in role.activities:
                    for required in activity.competencies:
                        yield position, role, activity, required

    def competency(self, competency_id: str) -> Competency:
        for competency in self.competencies:
            if competency.id == competency_id:
                return competency
        raise KeyError(competency_id)

    def position(self, position_id: str) -> Position:
        for position in self.positions:
            if position.id == position_id:
                return position
        raise KeyError(position_id)

    def of_kind(self, kind: Kind) -> tuple[Competency, ...]:
        return tuple(c for c in self.competencies if c.kind == kind)


def _duplicates(what: str, ids: Iterator[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for entry_id in ids:
        if entry_id in seen:
            problems.append(f"{what} id {entry_id!r} is used more than once")
        seen.add(entry_id)
    return problems


def _where(location: tuple[int | str, ...], document: Any) -> str:
    """Spell a pydantic error location with the id or name of each list entry, not its index,
    so the message says which competency or position is at fault."""
    parts: list[str] = []
    node = document
    for step in location:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            label = None
            if isinstance(node, Mapping):
                label = node.get("id") or node.get("name") or node.get("competency")
            parts.append(f"[{label!r}]" if label else f"[{step}]")
        else:
            node = node.get(step) if isinstance(node, Mapping) else None
            parts.append(f".{step}" if parts else str(step))
    return "".join(parts)


def validate_dictionary(document: Any, source: str = "competency dictionary") -> Dictionary:
    """Check a parsed dictionary document; raise ``DictionaryError`` naming each bad entry."""
    try:
        return Dictionary.model_validate(document)
    except ValidationError as error:
        problems = []
        for issue in error.errors(include_url=False):
            message = issue["msg"].removeprefix("Value error, ")
            where = _where(tuple(issue["loc"]), document)
            problems.append(f"{where}: {message}" if where else message)
        raise DictionaryError(problems, source) from None


def load_dictionary(path: Path | str | None = None) -> Dictionary:
    """Read and check a dictionary file; with no path, the starting dictionary the project ships."""
    file = Path(path) if path is not None else DEFAULT_PATH
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DictionaryError([f"line {error.lineno}, column {error.colno}: {error.msg}"],
                              str(file)) from None
    return validate_dictionary(document, str(file))
