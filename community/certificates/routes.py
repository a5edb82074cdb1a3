"""Certificates: the public verification page, a person's list, the owner's PDF, and their API."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from community import api, keys
from community.certificates import notices  # noqa: F401 - registers the certificate_issued notification
from community.certificates import storage, views
from community.certificates.schemas import CertificateListOut, VerificationOut
from community.certificates.wording import hours_text, ist_date
from community.i18n import lazy_gettext
from community.storage.facts import declare


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    filters = aiohttp_jinja2.get_env(app).filters
    filters["ist_date"] = ist_date
    filters["certificate_hours"] = hours_text
    app[keys.USER_MENU].append(keys.NavItem("my_certificates", lazy_gettext("Your certificates"), weight=50))
    app.router.add_get("/certificates", views.mine_page, name="my_certificates")
    app.router.add_get("/certificates/{code}", views.verify_page, name="certificate")
    app.router.add_get("/certificates/{code}/pdf", views.pdf_download, name="certificate_pdf")
    tag = "certificates"
    api.route(app, "GET", "/me/certificates", views.api_mine, summary="Your certificates of attendance", tag=tag,
              response=CertificateListOut)
    api.route(app, "GET", "/certificates/{code}", views.api_verify, auth=False, tag=tag, response=VerificationOut,
              summary="Check a certificate by the code printed on it (public: what it states, and whether it stands)")
    api.route(app, "GET", "/certificates/{code}/pdf", views.pdf_download, tag=tag, response="application/pdf",
              summary="Your certificate as a PDF (only the person it was issued to, while it stands)")
