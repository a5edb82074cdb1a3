from __future__ import annotations

from aiohttp import web

from community.site import views


def setup(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
    app.router.add_post("/language", views.set_language, name="language")
    app.router.add_get("/api/v1/openapi.json", views.openapi, name="openapi")
