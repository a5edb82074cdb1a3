"""Shared plumbing for the HTML forms of accounts, organisations and administration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

def render_form(request: web.Request, template: str, values: Mapping[str, Any], errors: Mapping[str, str] | None = None,
                status: int = 200, **context: Any) -> web.Response:
    """Render a form page; on errors the first invalid field gets the focus."""
    errors = dict(errors or {})
    return aiohttp_jinja2.render_template(
        template, request,
        {"values": dict(values), "errors": errors, "first_error": next(iter(errors), ""), **context},
        status=422 if errors and status == 200 else status,
    )
