"""The verification page (public), a person's certificates, the owner's PDF download, and their API."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import api, policy, ratelimit
from community.certificates import pdf
from community.certificates.service import Certificate, by_code, of_person
from community.errors import NotFound
from community.i18n import gettext as _
from community.requests import actor_of, db_of, settings_of, signed_in, url_for

DOWNLOADS_PER_HOUR = 30
"""Each download renders the PDF (fonts are subset each time); a person needs a few."""


async def _certificate(request: web.Request) -> Certificate:
    found = await by_code(db_of(request), request.match_info["code"])
    if found is None:
        raise NotFound(_("There is no certificate with this code. Check that it was typed exactly as printed."))
    return found


def verify_url(request: web.Request, certificate: Certificate) -> str:
    """The verification page's full address, as the PDF prints it and its QR code holds it."""
    return settings_of(request).base_url.rstrip("/") + url_for(request, "certificate", code=certificate.code)


def _public(certificate: Certificate) -> dict[str, Any]:
    return {"code": certificate.code, "status": "revoked" if certificate.revoked else "valid",
            "name": certificate.name, "title": certificate.title, "held_at": certificate.held_at,
            "hours": certificate.hours, "host_name": certificate.host_name, "issued_at": certificate.issued_at,
            "revoked_at": certificate.revoked_at}


def _owned(request: web.Request, certificate: Certificate) -> dict[str, Any]:
    pdf_url = None if certificate.revoked else f"{api.PREFIX}/certificates/{certificate.code}/pdf"
    return {**_public(certificate), "kind": certificate.kind, "subject_id": str(certificate.subject_id),
            "url": certificate.url, "verify_url": verify_url(request, certificate), "pdf_url": pdf_url}


async def pdf_download(request: web.Request) -> web.Response:
    """The owner's PDF (the page's link and the API alike); anyone else is refused, and a revoked certificate is no longer given out."""
    certificate = await _certificate(request)
    actor = actor_of(request)
    own = actor.is_authenticated and actor.user_id == certificate.person_id
    policy.require(actor, policy.can_download_certificate(actor, owner_id=certificate.person_id,
                                                          revoked=certificate.revoked),
                   _("This certificate has been revoked.") if own and certificate.revoked
                   else _("Only the person it was issued to can download this certificate."))
    await ratelimit.hit(db_of(request), f"certificate-pdf:{actor.user_id}", limit=DOWNLOADS_PER_HOUR,
                        window_seconds=3600)
    # Rendering takes a few tenths of a second of CPU, so it leaves the event loop (the words
    # still come out in the request's language: the thread runs in a copy of its context).
    body = await asyncio.to_thread(pdf.render, certificate, verify_url=verify_url(request, certificate))
    return web.Response(body=body, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'})


# --- pages ----------------------------------------------------------------------------------


@aiohttp_jinja2.template("certificates/verify.html")
async def verify_page(request: web.Request) -> dict[str, Any]:
    certificate = await _certificate(request)
    return {"certificate": certificate, "verify_url": verify_url(request, certificate)}


@aiohttp_jinja2.template("certificates/mine.html")
async def mine_page(request: web.Request) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see your certificates."))
    return {"certificates": await of_person(db_of(request), me.user_id)}



# --- API ------------------------------------------------------------------------------------


async def api_verify(request: web.Request) -> web.Response:
    return api.json_response(_public(await _certificate(request)))


async def api_mine(request: web.Request) -> web.Response:
    me = signed_in(request)
    return api.json_response({"items": [_owned(request, certificate)
                                        for certificate in await of_person(db_of(request), me.user_id)]})

