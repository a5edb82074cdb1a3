"""CSV export and import: a round trip, and every bad file reported by line with nothing applied."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from community.competencies import csv_io
from community.competencies.csv_io import COMPETENCY_COLUMNS, POSITION_COLUMNS
from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import auth, call


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def to_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


async def admin(client: TestClient, db: Any) -> str:
    return await bearer_token(db, await make_user(db, roles=("admin",)))


async def snapshot(db: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    strip = lambda rows: [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]  # noqa: E731
    return (strip(await db.competencies.find({}).sort("_id", 1).to_list(None)),
            strip(await db.positions.find({}).sort("_id", 1).to_list(None)))


async def test_export_then_import_round_trips(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    before = await snapshot(db)
    competencies = await client.get("/api/v1/dictionary/export/competencies", headers=auth(token))
    assert competencies.content_type == "text/csv"
    text = await competencies.text()
    assert rows_of(text)[0] == COMPETENCY_COLUMNS and len(rows_of(text)) == len(before[0]) + 1
    positions = await (await client.get("/api/v1/dictionary/export/positions", headers=auth(token))).text()
    assert rows_of(positions)[0] == POSITION_COLUMNS
    status, counts = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=text.encode(),
                                headers={**auth(token), "Content-Type": "text/csv"})
    assert status == 200 and counts == {"which": "competencies", "created": 0, "replaced": len(before[0])}
    status, counts = await call(client, "POST", "/api/v1/dictionary/import/positions", token, data=positions.encode(),
                                headers={**auth(token), "Content-Type": "text/csv"})
    assert status == 200 and counts["replaced"] == len(before[1])
    assert await snapshot(db) == before


async def test_a_good_import_adds_and_replaces_in_one_go(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    existing = await db.competencies.find_one({"kind": "behavioural"})
    levels = [f"Level {n} text" for n in range(1, 6)]
    body = to_csv([COMPETENCY_COLUMNS,
                   ["dom.tax.gst-audit", "domain", "Domain", "Tax administration", "GST audit", "Auditing GST returns.",
                    "Central Board of Indirect Taxes and Customs", *levels],
                   [existing["_id"], "behavioural", "Behavioural", existing["theme"], "Renamed", "New text.", "", *levels]])
    status, counts = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=body)
    assert status == 200 and (counts["created"], counts["replaced"]) == (1, 1)
    assert (await db.competencies.find_one({"_id": existing["_id"]}))["name"] == "Renamed"
    assert (await db.competencies.find_one({"_id": "dom.tax.gst-audit"}))["owner"].startswith("Central Board")


async def test_bad_rows_are_reported_by_line_and_nothing_is_applied(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    before = await snapshot(db)
    levels = [f"Level {n}" for n in range(1, 6)]
    good = ["fun.test.first", "functional", "Functional", "Finance", "First", "Fine.", "", *levels]
    body = to_csv([
        COMPETENCY_COLUMNS,
        good,                                                                                   # line 2: fine
        ["fun.test.second", "magical", "Functional", "Finance", "Second", "Bad kind.", "", *levels],  # line 3
        ["fun.test.first", "functional", "Functional", "Finance", "Again", "Duplicate.", "", *levels],  # line 4
        ["Not An Id", "functional", "Functional", "Finance", "Third", "Bad id.", "", *levels],  # line 5
        ["fun.test.fourth", "functional", "Functional", "Finance", "Fourth", "Missing level.", "", *levels[:4], ""],  # 6
        ["fun.test.fifth", "functional", "Functional", "Finance"],                               # line 7
    ])
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=body)
    assert status == 422
    by_line = {error["field"]: error["message"] for error in problem["errors"]}
    assert list(by_line) == ["line 3", "line 4", "line 5", "line 6", "line 7"], by_line
    assert "kind" in by_line["line 3"] and "line 2" in by_line["line 4"] and "id" in by_line["line 5"]
    assert "levels" in by_line["line 6"] and "4 values; 12 are expected" in by_line["line 7"]
    assert "nothing from this file was imported" in problem["detail"]
    assert await snapshot(db) == before


async def test_a_short_row_is_reported_by_its_line(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    body = to_csv([COMPETENCY_COLUMNS, ["fun.test.x", "functional", "Functional"]])
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=body)
    assert status == 422 and problem["errors"][0]["field"] == "line 2"
    assert "3 values; 12 are expected" in problem["errors"][0]["message"]


async def test_wrong_columns_and_wrong_files(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    before = await snapshot(db)
    wrong = to_csv([["id", "kind", "title", "description"], ["fun.x", "functional", "X", "Y"]])
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=wrong)
    assert status == 422 and problem["errors"][0]["field"] == "line 1"
    assert "Missing: area, theme, name" in problem["errors"][0]["message"] and "Not expected: title" in problem["errors"][0]["message"]
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/positions", token, data=to_csv([COMPETENCY_COLUMNS]))
    assert status == 422 and problem["errors"][0]["field"] == "line 1"
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=b"")
    assert status == 422 and problem["errors"][0]["field"] == "file"
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/competencies", token,
                                 data="id,kind\n".encode("utf-16"))
    assert status == 422 and "UTF-8" in problem["errors"][0]["message"]
    assert (await call(client, "POST", "/api/v1/dictionary/import/everything", token, data=b"x"))[0] == 404
    assert await snapshot(db) == before


async def test_position_rows_are_checked_against_the_dictionary(client: TestClient, db: Any) -> None:
    token = await admin(client, db)
    before = await snapshot(db)
    known = (await db.competencies.find_one({}))["_id"]
    body = to_csv([
        POSITION_COLUMNS,
        ["pos.test.one", "Section Officer", "DoPT", "Office work", "Noting", known, "3"],          # 2 fine
        ["pos.test.one", "Section Officer", "DoPT", "Office work", "Drafting", "fun.nope", "2"],    # 3 unknown
        ["pos.test.two", "Director", "DoPT", "Policy", "Cabinet notes", known, "6"],              # 4 level
        ["pos.test.three", "Deputy Secretary", "DoPT", "Policy", "Notes", known, "2"],            # 5 fine
        ["pos.test.three", "Deputy Secretary (Admin)", "DoPT", "Policy", "Files", known, "2"],    # 6 title differs
        ["pos.test.four", "Under Secretary", "DoPT", "Policy", "Notes", known, "2"],              # 7 fine
        ["pos.test.four", "Under Secretary", "DoPT", "Policy", "Notes", known, "3"],              # 8 twice
    ])
    status, problem = await call(client, "POST", "/api/v1/dictionary/import/positions", token, data=body)
    assert status == 422
    by_line = {error["field"]: error["message"] for error in problem["errors"]}
    assert set(by_line) == {"line 3", "line 4", "line 6", "line 8"}, by_line
    assert "fun.nope" in by_line["line 3"] and "1 to 5" in by_line["line 4"]
    assert await snapshot(db) == before


async def test_import_page_shows_line_errors_without_javascript(client: TestClient, db: Any) -> None:
    await sign_in(client, await make_user(db, roles=("admin",)))
    before = await snapshot(db)
    form = FormData()
    form.add_field("csrf_token", await csrf_token(client, "/admin/dictionary"))
    form.add_field("which", "positions")
    form.add_field("file", to_csv([POSITION_COLUMNS, ["pos.test.one", "T", "O", "R", "A", "fun.nope", "2"]]),
                   filename="positions.csv", content_type="text/csv")
    response = await client.post("/admin/dictionary/import", data=form)
    assert response.status == 422
    html = await response.text()
    assert "line 2" in html and "fun.nope" in html
    assert await snapshot(db) == before
    export = await client.get("/admin/dictionary/export/competencies.csv")
    assert export.status == 200 and 'filename="competencies.csv"' in export.headers["Content-Disposition"]


async def test_a_failure_while_writing_leaves_the_dictionary_as_it_was(client: TestClient, db: Any,
                                                                       monkeypatch: Any) -> None:
    """The rows are written in one transaction: a crash after some of them were written undoes those too."""
    token = await admin(client, db)
    before = await snapshot(db)
    text = await (await client.get("/api/v1/dictionary/export/competencies", headers=auth(token))).text()
    renamed = text.replace(",Self-Analysis,", ",Self-Analysis (renamed),", 1)
    assert renamed != text
    written = 0
    real = csv_io.competency_document

    def failing_after_ten(*args: Any) -> dict[str, Any]:
        nonlocal written
        written += 1
        if written > 10:
            raise RuntimeError("the disk filled up")
        return real(*args)

    monkeypatch.setattr(csv_io, "competency_document", failing_after_ten)
    status, _ = await call(client, "POST", "/api/v1/dictionary/import/competencies", token, data=renamed.encode())
    assert status == 500 and written == 11
    assert await snapshot(db) == before
