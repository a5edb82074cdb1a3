"""Socket acknowledgements: the one place a domain error becomes a reply to a socket event.

The shape follows the API's problem+json body (RFC 9457) so a client handles both alike.
"""

from __future__ import annotations

from typing import Any

from community.api import PROBLEM_TYPE_BASE
from community.errors import DomainError, Invalid
from community.i18n import gettext as _


def ok(**data: Any) -> dict[str, Any]:
    return {"ok": True, **data}


def refused(error: DomainError) -> dict[str, Any]:
    problem: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + error.type_slug, "title": _(error.title),
                               "status": error.status, "detail": _(error.detail)}
    if isinstance(error, Invalid):
        problem["errors"] = [{"field": name, "message": _(message)} for name, message in error.errors.items()]
    return {"ok": False, "error": problem}
