"""What a person is told after a form did what they asked ("Your profile was saved."), on the page
the form sends them to.

The answer to the form carries a short-lived cookie naming a registered confirmation; the next
page shows its words once, in the reader's language, in an alert that screen readers announce,
and drops the cookie. Only registered names are shown, so a forged cookie cannot put words on a
page."""

from __future__ import annotations

from babel.support import LazyProxy
from aiohttp import web

from community import keys
from community.requests import see_other

COOKIE = "done"
MESSAGES: dict[str, LazyProxy] = {}


def register(name: str, message: LazyProxy) -> str:
    """Called at import by the feature that says ``message``; returns ``name`` for ``confirmed``."""
    if MESSAGES.setdefault(name, message) is not message:
        raise ValueError(f"confirmation {name!r} is registered twice")
    return name


def confirmed(request: web.Request, location: str, name: str) -> web.Response:
    """Go to ``location`` (303) and say there what was done."""
    response = see_other(location)
    response.set_cookie(COOKIE, name, max_age=60, httponly=True, samesite="Lax",
                        secure=request.app[keys.SETTINGS].secure_cookies, path="/")
    return response


@web.middleware
async def confirmation_middleware(request: web.Request, handler: keys.Handler) -> web.StreamResponse:
    """A page shown with a confirmation cookie holds its words (``keys.CONFIRMATION``) and drops it.

    Only a page the browser navigates to does (``Sec-Fetch-Dest: document``, or no such header):
    a live page that fetches itself again in the background (``static/js/mentoring.js`` when a
    change it made reaches it by socket) would otherwise take the words meant for the page the
    form is leading to, which then says nothing."""
    name = request.cookies.get(COOKIE)
    if (name is None or request.method != "GET" or request.path.startswith(("/static/", "/socket.io/", "/api/"))
            or request.headers.get("Sec-Fetch-Dest", "document") != "document"):
        return await handler(request)
    if name in MESSAGES:
        request[keys.CONFIRMATION] = str(MESSAGES[name])
    response = await handler(request)
    if response.content_type == "text/html":
        response.del_cookie(COOKIE, path="/")
    return response
