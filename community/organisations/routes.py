from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from community import api
from community.accounts.schemas import Accepted
from community.organisations import storage, views
from community.organisations.schemas import (DecisionIn, DomainsIn, MembershipAskIn, MembershipQueue,
                                             MembershipRequestOut, MyMembershipOut, OrganisationChange,
                                             OrganisationIn, OrganisationOut, OrganisationPage, OrganisationQuery,
                                             OrganisationTree)
from community.storage.facts import declare
from community.requests import add_form_page


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    aiohttp_jinja2.get_env(app).globals["can_see_membership_queue"] = views.can_see_queue
    add_form_page(app.router, "/admin/organisations", views.manage_page, name="admin_organisations")
    add_form_page(app.router, "/admin/organisations/{org_id}", views.edit_page, name="admin_organisation")
    app.router.add_post("/admin/organisations/{org_id}/delete", views.delete_action, name="admin_organisation_delete")
    app.router.add_post("/admin/organisations/{org_id}/domains", views.domains_action, name="admin_organisation_domains")
    app.router.add_get("/admin/organisations/{org_id}/requests", views.requests_page, name="admin_membership_requests")
    app.router.add_post("/admin/membership-requests/{request_id}/{decision:approve|reject}", views.decide_action,
                        name="admin_membership_decide")
    app.router.add_post("/account/organisation", views.ask_action, name="account_organisation")
    app.router.add_post("/account/organisation/withdraw", views.withdraw_action, name="account_organisation_withdraw")

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
    api.route(app, "PUT", "/organisations/{org_id}/domains", views.domains_api,
              summary="Replace the e-mail domains whose verified addresses join directly (administrators)", tag=tag,
              body=DomainsIn, response=OrganisationOut)
    api.route(app, "GET", "/organisations/{org_id}/membership-requests", views.queue_api,
              summary="Requests waiting to join (the organisation's administrators)", tag=tag, response=MembershipQueue,
              query={"cursor": "next_cursor of the previous page", "limit": "1-100"})
    api.route(app, "POST", "/membership-requests/{request_id}/approve", views.decide_api,
              summary="Admit the person to the organisation", tag=tag, body=DecisionIn, response=MembershipRequestOut)
    api.route(app, "POST", "/membership-requests/{request_id}/reject", views.decide_api,
              summary="Decline the request, with an optional reason", tag=tag, body=DecisionIn,
              response=MembershipRequestOut)
    api.route(app, "GET", "/me/membership", views.my_membership_api,
              summary="Your organisation and your open request to join one", tag=tag, response=MyMembershipOut)
    api.route(app, "POST", "/me/membership", views.ask_api,
              summary="Ask to join or move to an organisation (direct when your address is under its domain)", tag=tag,
              body=MembershipAskIn, response=MembershipRequestOut)
    api.route(app, "DELETE", "/me/membership", views.withdraw_api, summary="Withdraw your open request", tag=tag,
              response=Accepted)
