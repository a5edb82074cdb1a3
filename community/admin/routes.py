from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from community import api
from community.accounts.schemas import RoleChangeIn, UserOut, UserPage
from community.admin import views
from community.admin.schemas import AuditPage, AuditQuery, PeopleQuery
from community.policy import is_platform_admin


def setup(app: web.Application) -> None:
    aiohttp_jinja2.get_env(app).globals["is_platform_admin"] = is_platform_admin
    app.router.add_get("/admin", views.home, name="admin_home")
    app.router.add_get("/admin/people", views.people_page, name="admin_people")
    app.router.add_get("/admin/people/{user_id}", views.person_page, name="admin_person")
    app.router.add_post("/admin/people/{user_id}/roles", views.change_role_action, name="admin_person_roles")
    app.router.add_get("/admin/audit", views.audit_page, name="admin_audit")
    app.router.add_get("/admin/outbox", views.outbox_page, name="admin_outbox")

    tag = "administration"
    api.route(app, "GET", "/admin/people", views.people_api, summary="People (administrators; MDO administrators: their own organisation)",
              tag=tag, response=UserPage, query=PeopleQuery, name="api.admin.people")
    api.route(app, "GET", "/admin/people/{user_id}", views.person_api, summary="One person (recorded in the audit log)",
              tag=tag, response=UserOut, name="api.admin.person")
    api.route(app, "POST", "/admin/people/{user_id}/roles", views.change_role_api, summary="Grant or revoke a role",
              tag=tag, body=RoleChangeIn, response=UserOut)
    api.route(app, "GET", "/admin/audit", views.audit_api, summary="The audit log, newest first (administrators)", tag=tag,
              response=AuditPage, query=AuditQuery)
