from __future__ import annotations

from aiohttp import web

from community import api, keys
from community.i18n import lazy_gettext
from community.privacy import views
from community.privacy.schemas import EraseIn, ErasedOut, PersonalDataOut, PersonDataQuery


def setup(app: web.Application) -> None:
    app[keys.USER_MENU].append(keys.NavItem("my_data", lazy_gettext("Your data"), weight=60))
    app.router.add_get("/privacy", views.my_data_page, name="my_data")
    app.router.add_get("/privacy/my-data.json", views.export_download, name="my_data_export")
    app.router.add_post("/privacy/erase", views.erase_submit, name="erase_account")
    app.router.add_get("/admin/people/{user_id}/data", views.admin_view, name="person_data_admin")
    app.router.add_get("/admin/people/{user_id}/data.json", views.admin_download, name="person_data_admin_download")
    tag = "privacy"
    api.route(app, "GET", "/me/data", views.api_my_data, summary="Everything the server holds about you", tag=tag,
              response=PersonalDataOut)
    api.route(app, "POST", "/me/erase", views.api_erase,
              summary="Erase your account", tag=tag, body=EraseIn, response=ErasedOut)
    api.route(app, "GET", "/admin/people/{user_id}/data", views.api_person_data,
              summary="A member's data (administrators; every view is written to the audit log)", tag=tag,
              query=PersonDataQuery, response=PersonalDataOut)
