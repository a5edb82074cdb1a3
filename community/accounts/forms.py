"""Shared plumbing for the HTML forms of accounts, organisations and administration."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community.errors import Invalid
from community.i18n import gettext as _


async def form_values(request: web.Request, names: Iterable[str]) -> dict[str, str]:
    """The submitted text fields among ``names``; absent ones stay absent (so they read as missing)."""
    form = await request.post()
    return {name: value for name in names if isinstance(value := form.get(name), str)}


def render_form(request: web.Request, template: str, values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
                status: int = 200, **context: Any) -> web.Response:
    """Render a form page; on errors the first invalid field gets the focus."""
    errors = dict(errors or {})
    return aiohttp_jinja2.render_template(
        template, request,
        {"values": dict(values), "errors": errors, "first_error": next(iter(errors), ""), **context},
        status=422 if errors and status == 200 else status,
    )


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or ``Invalid`` naming the body when it is not one."""
    try:
        body = await request.json(loads=json.loads)
    except (ValueError, UnicodeDecodeError):
        raise Invalid({"body": _("Send a JSON object.")}) from None
    if not isinstance(body, dict):
        raise Invalid({"body": _("Send a JSON object.")})
    return body
