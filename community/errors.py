"""Domain errors raised by services; one middleware turns them into pages or problem+json.

Services never build HTTP responses. They raise one of these and
``community.middlewares.error_middleware`` (and the socket layer's acknowledgement helper)
renders it.
"""

from __future__ import annotations

from collections.abc import Mapping

from community.i18n import N_, ngettext


class DomainError(Exception):
    status: int = 400
    title: str = N_("Bad request")
    type_slug: str = "bad-request"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class Unauthenticated(DomainError):
    status, title, type_slug = 401, N_("Sign-in required"), "unauthenticated"


class Forbidden(DomainError):
    status, title, type_slug = 403, N_("Not allowed"), "forbidden"


class NotFound(DomainError):
    status, title, type_slug = 404, N_("Not found"), "not-found"


class Conflict(DomainError):
    status, title, type_slug = 409, N_("Conflict"), "conflict"


class Invalid(DomainError):
    """Input that fails validation; ``errors`` maps a field name to a message for that field."""

    status, title, type_slug = 422, N_("Invalid input"), "invalid"

    def __init__(self, errors: Mapping[str, str], detail: str | None = None) -> None:
        super().__init__(detail or N_("Some fields need attention."))
        self.errors = dict(errors)


class BadRequest(DomainError):
    """A request whose body cannot be read as what it claims to be (crafted bytes, wrong
    charset, nesting too deep); ``errors`` names the part (``body``, ``Content-Type``)."""

    status, title, type_slug = 400, N_("Bad request"), "bad-request"

    def __init__(self, errors: Mapping[str, str], detail: str | None = None) -> None:
        super().__init__(detail or N_("The request could not be read."))
        self.errors = dict(errors)


class PayloadTooLarge(BadRequest):
    status, title, type_slug = 413, N_("Too large"), "too-large"


class UnsupportedMediaType(BadRequest):
    status, title, type_slug = 415, N_("Unsupported media type"), "unsupported-media-type"


class RateLimited(DomainError):
    """The default detail is translated where the limit is hit, in the request's language: it
    holds a number, so the error middleware could not find it in the catalogue afterwards."""

    status, title, type_slug = 429, N_("Too many requests"), "rate-limited"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or ngettext("Please wait %(num)d second and try again.",
                                            "Please wait %(num)d seconds and try again.", retry_after))
        self.retry_after = retry_after
