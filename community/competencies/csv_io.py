"""The dictionary as CSV, for administrators who edit it in a spreadsheet.

Two files: competencies (one row each) and positions (one row per competency an activity
requires; the rows of one position, role and activity share those columns). An import is
checked in full before anything is written: every bad row is reported by its line number and,
if there is any, nothing of that file is applied. A good file is written in one transaction.
An imported entry replaces the stored entry with the same id; entries not in the file stay.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from community import policy
from community.competencies import queries
from community.competencies.dictionary import Competency, Position
from community.competencies.manage import unknown_requirements
from community.competencies.seed import competency_document, position_document
from community.errors import Invalid
from community.i18n import gettext as _
from community.policy import Actor
from community.storage import in_transaction
from community.storage.api import Database
from community.validation import whole_number

COMPETENCY_COLUMNS = ["id", "kind", "area", "theme", "name", "description", "owner",
                      "level_1", "level_2", "level_3", "level_4", "level_5"]
POSITION_COLUMNS = ["position_id", "title", "organisation", "role", "activity", "competency", "level"]
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 20000


def _write(columns: list[str], rows: Iterator[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


async def export_competencies(db: Database) -> str:
    rows = await queries.competencies(db)
    return _write(COMPETENCY_COLUMNS, (
        [row["_id"], row["kind"], row["area"], row["theme"], row["name"], row["description"], row.get("owner") or "",
         *[level["description"] for level in row["levels"]]]
        for row in rows
    ))


async def export_positions(db: Database) -> str:
    def lines() -> Iterator[list[Any]]:
        for position in positions:
            for role in position["roles"]:
                for activity in role["activities"]:
                    for item in activity["competencies"]:
                        yield [position["_id"], position["title"], position["organisation"], role["name"],
                               activity["name"], item["competency"], item["level"]]

    positions = await queries.positions(db)
    return _write(POSITION_COLUMNS, lines())


def _rows(data: bytes, columns: list[str]) -> tuple[list[tuple[int, dict[str, str]]], dict[str, str]]:
    """``(line number, row)`` pairs after checking size, encoding and the header, and the rows
    that could not even be split into the expected columns."""
    if len(data) > MAX_BYTES:
        raise Invalid({"file": _("The file is larger than 4 MB. Split it into smaller files.")})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid({"file": _("Save the file as UTF-8 text (CSV UTF-8) and try again.")}) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise Invalid({"file": _("The file is empty.")}) from None
    except csv.Error as error:
        raise Invalid({"line 1": str(error)}) from None
    if header != columns:
        missing = [name for name in columns if name not in header]
        unexpected = [name for name in header if name not in columns]
        detail = _("The columns must be, in this order: %(columns)s.", columns=", ".join(columns))
        if missing:
            detail += " " + _("Missing: %(names)s.", names=", ".join(missing))
        if unexpected:
            detail += " " + _("Not expected: %(names)s.", names=", ".join(unexpected))
        raise Invalid({"line 1": detail}, _("The header row does not match."))
    rows: list[tuple[int, dict[str, str]]] = []
    errors: dict[str, str] = {}
    try:
        start = reader.line_num + 1
        for values in reader:
            if len(rows) + len(errors) >= MAX_ROWS:
                raise Invalid({"file": _("The file has more than %(n)s rows.", n=MAX_ROWS)})
            if any(value.strip() for value in values):
                if len(values) == len(columns):
                    rows.append((start, dict(zip(columns, values, strict=True))))
                else:
                    errors[f"line {start}"] = _("This row has %(found)s values; %(expected)s are expected.",
                                                found=len(values), expected=len(columns))
            start = reader.line_num + 1
    except csv.Error as error:
        raise Invalid({f"line {reader.line_num}": str(error)}) from None
    return rows, errors


def _problem(error: ValidationError) -> str:
    parts = []
    for issue in error.errors(include_url=False):
        where = ".".join(str(step) for step in issue["loc"])
        message = issue["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _report(errors: dict[str, str]) -> Invalid:
    in_order = dict(sorted(errors.items(), key=lambda item: int(item[0].split()[1])))
    return Invalid(in_order, _("%(n)s rows have problems; nothing from this file was imported.", n=len(errors)))


async def import_competencies(db: Database, actor: Actor, data: bytes) -> dict[str, int]:
    """Check every row, then store all of them in one transaction; returns how many were created and replaced."""
    policy.require(actor, policy.can_manage_dictionary(actor), _("Only administrators manage the dictionary."))
    rows, errors = _rows(data, COMPETENCY_COLUMNS)
    first_line: dict[str, int] = {}
    parsed: list[Competency] = []
    for line, row in rows:
        candidate: dict[str, Any] = {
            "id": row["id"].strip(), "kind": row["kind"].strip().lower(), "area": row["area"], "theme": row["theme"],
            "name": row["name"], "description": row["description"], "owner": row["owner"].strip() or None,
            "levels": [{"level": number, "description": row[f"level_{number}"]} for number in range(1, 6)],
        }
        if candidate["id"] in first_line:
            errors[f"line {line}"] = _("The id %(id)s is already used on line %(first)s.", id=candidate["id"],
                                       first=first_line[candidate["id"]])
            continue
        first_line[candidate["id"]] = line
        try:
            parsed.append(Competency.model_validate(candidate))
        except ValidationError as error:
            errors[f"line {line}"] = _problem(error)
    if errors:
        raise _report(errors)
    now = datetime.now(UTC)

    async def work(session: Any) -> dict[str, int]:
        counts = {"created": 0, "replaced": 0}
        for competency in parsed:
            document = competency_document(competency, now)
            result = await db[queries.COMPETENCIES].replace_one({"_id": document["_id"]}, document, upsert=True,
                                                                session=session)
            counts["created" if result.upserted_id is not None else "replaced"] += 1
        return counts

    return await in_transaction(db, work)


async def import_positions(db: Database, actor: Actor, data: bytes) -> dict[str, int]:
    """As :func:`import_competencies`; every required competency must exist in the dictionary."""
    policy.require(actor, policy.can_manage_dictionary(actor), _("Only administrators manage the dictionary."))
    rows, errors = _rows(data, POSITION_COLUMNS)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        groups.setdefault(row["position_id"].strip(), []).append((line, row))
    parsed: list[Position] = []
    for position_id, group in groups.items():
        first_line, first = group[0]
        roles: dict[str, dict[str, list[dict[str, Any]]]] = {}
        bad = False
        for line, row in group:
            if (row["title"], row["organisation"]) != (first["title"], first["organisation"]):
                errors[f"line {line}"] = _("The title and organisation differ from line %(first)s for the same position.",
                                           first=first_line)
                bad = True
                continue
            level = row["level"].strip()
            number = whole_number(level)
            if number is None or not 1 <= number <= 5:
                errors[f"line {line}"] = _("level: use a whole number from 1 to 5, not %(value)r.", value=row["level"])
                bad = True
                continue
            activity = roles.setdefault(row["role"], {}).setdefault(row["activity"], [])
            if any(item["competency"] == row["competency"].strip() for item in activity):
                errors[f"line {line}"] = _("This activity already lists %(id)s.", id=row["competency"].strip())
                bad = True
                continue
            activity.append({"competency": row["competency"].strip(), "level": int(level)})
        if bad:
            continue
        candidate = {"id": position_id, "title": first["title"], "organisation": first["organisation"],
                     "roles": [{"name": role, "activities": [{"name": name, "competencies": items}
                                                             for name, items in activities.items()]}
                               for role, activities in roles.items()]}
        try:
            position = Position.model_validate(candidate)
        except ValidationError as error:
            errors[f"line {first_line}"] = _problem(error)
            continue
        missing = await unknown_requirements(db, position)
        if missing:
            for line, row in group:
                if row["competency"].strip() in missing:
                    errors[f"line {line}"] = _("There is no competency %(id)s in the dictionary.",
                                               id=row["competency"].strip())
            continue
        parsed.append(position)
    if errors:
        raise _report(errors)
    now = datetime.now(UTC)

    async def work(session: Any) -> dict[str, int]:
        counts = {"created": 0, "replaced": 0}
        for position in parsed:
            document = position_document(position, now)
            result = await db[queries.POSITIONS].replace_one({"_id": document["_id"]}, document, upsert=True,
                                                             session=session)
            counts["created" if result.upserted_id is not None else "replaced"] += 1
        return counts

    return await in_transaction(db, work)
