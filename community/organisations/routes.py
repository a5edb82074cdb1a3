from __future__ import annotations

from aiohttp import web

from community import api
from community.accounts.schemas import Accepted
from community.organisations import views
from community.organisations.schemas import (OrganisationChange, OrganisationIn, OrganisationOut, OrganisationPage, OrganisationQuery,
                                             OrganisationTree)


def setup(app: web.Application) -> None:
    app.router.add_route("*", "/admin/organisations", views.manage_page, name="admin_organisations")
    app.router.add_route("*", "/admin/organisations/{org_id}", views.edit_page, name="admin_organisation")
    app.router.add_post("/admin/organisations/{org_id}/delete", views.delete_action, name="admin_organisation_delete")

    tag = "organisations"
    api.route(app, "GET", "/organisations", views.list_api, summary="Organisations, alphabetically", tag=tag,
              response=OrganisationPage, auth=False,
              query=OrganisationQuery)
    api.route(app, "GET", "/organisations/tree", views.tree_api, summary="The whole hierarchy, nested", tag=tag,
              response=OrganisationTree, auth=False)
    api.route(app, "GET", "/organisations/{org_id}", views.get_api, summary="One organisation", tag=tag,
              response=OrganisationOut, auth=False, name="api.organisation")
    api.route(app, "POST", "/organisations", views.create_api, summary="Create an organisation (administrators)", tag=tag,
              body=OrganisationIn, response=OrganisationOut, status=201,
              links={"read": api.Link("api.organisation", {"org_id": "$response.body#/id"})})
    api.route(app, "PATCH", "/organisations/{org_id}", views.change_api, summary="Rename an organisation (administrators)",
              tag=tag, body=OrganisationChange, response=OrganisationOut)
    api.route(app, "DELETE", "/organisations/{org_id}", views.delete_api,
              summary="Remove an empty organisation (administrators)", tag=tag, response=Accepted)
