from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from community import api, keys
from community.competencies import storage, views
from community.competencies.dictionary import Competency, Position
from community.competencies.schemas import (CompetencyList, CompetencyOut, CompetencyQuery, ImportOut, PositionList,
                                            PositionOut)
from community.competencies.seed import seed_dictionary
from community.storage.facts import declare
from community.requests import add_form_page


async def dictionary_context(app: web.Application) -> AsyncIterator[None]:
    """Runs after storage is open: a fresh store gets the shipped starting dictionary."""
    await seed_dictionary(app[keys.DB])
    yield


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app.cleanup_ctx.append(dictionary_context)
    add = app.router.add_route
    add("GET", "/competencies", views.index, name="competencies")
    add("GET", "/competencies/{competency_id}", views.competency_page, name="competency")
    add("GET", "/positions", views.positions_page, name="positions")
    add("GET", "/positions/{position_id}", views.position_page, name="position")

    add("GET", "/admin/dictionary", views.admin_page, name="dictionary_admin")
    add_form_page(app.router, "/admin/dictionary/competencies/new", views.competency_form, name="competency_new")
    add_form_page(app.router, "/admin/dictionary/competencies/{competency_id}/edit", views.competency_form, name="competency_edit")
    add("POST", "/admin/dictionary/competencies/{competency_id}/delete", views.competency_delete, name="competency_delete")
    add_form_page(app.router, "/admin/dictionary/positions/new", views.position_form, name="position_new")
    add_form_page(app.router, "/admin/dictionary/positions/{position_id}/edit", views.position_form, name="position_edit")
    add("POST", "/admin/dictionary/positions/{position_id}/delete", views.position_delete, name="position_delete")
    add("POST", "/admin/dictionary/import", views.import_page, name="dictionary_import")
    add("GET", "/admin/dictionary/export/{which}.csv", views.export_csv, name="dictionary_export")

    tag = "competencies"
    api.route(app, "GET", "/competencies", views.api_competencies, summary="List competencies", tag=tag, auth=False,
              query=CompetencyQuery, response=CompetencyList)
    api.route(app, "POST", "/competencies", views.api_create_competency, summary="Add a competency (administrators)", tag=tag,
              body=Competency, response=CompetencyOut, status=201,
              links={"read": api.Link("api.competency", {"competency_id": "$response.body#/id"})})
    api.route(app, "GET", "/competencies/{competency_id}", views.api_competency, summary="One competency", tag=tag, auth=False,
              response=CompetencyOut, name="api.competency")
    api.route(app, "PUT", "/competencies/{competency_id}", views.api_replace_competency,
              summary="Replace a competency (administrators)", tag=tag, body=Competency, response=CompetencyOut)
    api.route(app, "DELETE", "/competencies/{competency_id}", views.api_delete_competency,
              summary="Delete a competency no position or profile uses (administrators)", tag=tag, status=204)
    api.route(app, "GET", "/positions", views.api_positions, summary="List positions with their FRAC mapping", tag=tag, auth=False,
              response=PositionList)
    api.route(app, "POST", "/positions", views.api_create_position, summary="Add a position (administrators)", tag=tag,
              body=Position, response=PositionOut, status=201,
              links={"read": api.Link("api.position", {"position_id": "$response.body#/id"})})
    api.route(app, "GET", "/positions/{position_id}", views.api_position, summary="One position", tag=tag, auth=False,
              response=PositionOut, name="api.position")
    api.route(app, "PUT", "/positions/{position_id}", views.api_replace_position,
              summary="Replace a position (administrators)", tag=tag, body=Position, response=PositionOut)
    api.route(app, "DELETE", "/positions/{position_id}", views.api_delete_position,
              summary="Delete a position no profile uses (administrators)", tag=tag, status=204)
    api.route(app, "POST", "/dictionary/import/{which}", views.api_import,
              summary="Import competencies or positions from a CSV body; all rows or none (administrators)", tag=tag,
              body="text/csv", response=ImportOut)
    api.route(app, "GET", "/dictionary/export/{which}", views.export_csv,
              summary="Export competencies or positions as CSV (administrators)", tag=tag, response="text/csv")
